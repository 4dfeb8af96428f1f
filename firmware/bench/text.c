/*
 * text.c - see text.h.
 */
#include "text.h"

static void text_char(text_t* t, char c) {
    if (t->len + 1u < TEXT_CAPACITY) {
        t->buf[t->len++] = c;
        t->buf[t->len] = '\0';
    }
}

void text_init(text_t* t) {
    t->len = 0u;
    t->buf[0] = '\0';
}

void text_str(text_t* t, const char* s) {
    while (*s != '\0') {
        text_char(t, *s++);
    }
}

void text_u32(text_t* t, uint32_t v) {
    char digits[10];
    uint32_t n = 0u;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    while (n > 0u) {
        text_char(t, digits[--n]);
    }
}

void text_hex32(text_t* t, uint32_t v) {
    static const char hex[] = "0123456789abcdef";
    int shift;
    text_str(t, "0x");
    for (shift = 28; shift >= 0; shift -= 4) {
        text_char(t, hex[(v >> (uint32_t)shift) & 0xFu]);
    }
}
