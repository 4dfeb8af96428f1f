/*
 * semihost.c - SYS_WRITE0 and SYS_EXIT through BKPT 0xAB (see semihost.h).
 */
#include "semihost.h"

#define SEMIHOST_SYS_WRITE0 0x04u
#define SEMIHOST_SYS_EXIT 0x18u
/* Reason code for SYS_EXIT; on AArch32 R1 holds the reason itself, not a pointer to a
 * parameter block (Semihosting 2.0, SYS_EXIT). */
#define SEMIHOST_ADP_STOPPED_APPLICATION_EXIT 0x20026u

static uint32_t semihost_call(uint32_t op, uint32_t arg) {
    register uint32_t r0 __asm("r0") = op;
    register uint32_t r1 __asm("r1") = arg;
    /* "memory": the debugger reads the string (and may write) behind the compiler's back. */
    __asm volatile("bkpt #0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void semihost_write0(const char* text) {
    (void)semihost_call(SEMIHOST_SYS_WRITE0, (uint32_t)(uintptr_t)text);
}

void semihost_exit_success(void) {
    (void)semihost_call(SEMIHOST_SYS_EXIT, SEMIHOST_ADP_STOPPED_APPLICATION_EXIT);
    /* A debugger that ignores SYS_EXIT resumes here: stay put. */
    for (;;) {
    }
}
