/*
 * text.h - building one line of text in a fixed buffer without printf (the benchmark
 * firmware has no libc I/O, so its output is the same bytes on every debugger).
 */
#ifndef CMSIM_BENCH_TEXT_H
#define CMSIM_BENCH_TEXT_H

#include <stdint.h>

#define TEXT_CAPACITY 160u

typedef struct {
    char buf[TEXT_CAPACITY];
    uint32_t len; /* buf[len] is always NUL; text that does not fit is dropped */
} text_t;

void text_init(text_t* t);
void text_str(text_t* t, const char* s);
void text_u32(text_t* t, uint32_t v);   /* decimal */
void text_hex32(text_t* t, uint32_t v); /* 0x + 8 lower-case hex digits */

#endif /* CMSIM_BENCH_TEXT_H */
