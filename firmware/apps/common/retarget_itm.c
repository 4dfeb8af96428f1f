/*
 * retarget_itm.c - newlib's stdout and stderr on ITM stimulus port 0 (SWO printf).
 *
 * newlib calls _write() for every buffer it flushes; this one replaces libnosys's stub.
 * Call trace_itm_init(0) (and the board's swo_init()) before the first printf, and make
 * stdout line-buffered: libnosys's isatty() says "not a terminal", so newlib would
 * otherwise buffer whole 1 KiB blocks.
 */
#include <errno.h>

#include "trace_itm.h"

int _write(int fd, const char* buf, int len);

int _write(int fd, const char* buf, int len) {
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    if (len > 0) {
        trace_itm_write(0u, buf, (uint32_t)len);
    }
    return len;
}
