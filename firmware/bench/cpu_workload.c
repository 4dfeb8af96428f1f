/*
 * cpu_workload.c - see cpu_workload.h. Each kernel stresses something different in an
 * emulator: CRC-32 short data-dependent branches and shifts, the matrix multiply loads and
 * multiplies, the list sort pointer chasing and stores, the state machine an indirect
 * branch (switch) per input byte.
 */
#include "cpu_workload.h"

#include <stddef.h>

#define CPU_CRC_BYTES 2048u
#define CPU_MATRIX_N 16u
#define CPU_LIST_NODES 256u
#define CPU_TEXT_BYTES 2048u

/* Marsaglia's xorshift32: a full-period generator on nonzero 32-bit states. */
static uint32_t next_random(uint32_t* state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* Order-dependent fold of 32-bit values (FNV-1a style multiply by the FNV prime). */
static uint32_t mix(uint32_t acc, uint32_t value) {
    return (acc ^ value) * 16777619u;
}

uint32_t cpu_crc32(const uint8_t* data, uint32_t length, uint32_t crc) {
    uint32_t i;
    uint32_t bit;
    crc = ~crc;
    for (i = 0u; i < length; ++i) {
        crc ^= data[i];
        for (bit = 0u; bit < 8u; ++bit) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static uint8_t s_bytes[CPU_CRC_BYTES];

static uint32_t crc_kernel(uint32_t* seed) {
    uint32_t i;
    for (i = 0u; i < CPU_CRC_BYTES; ++i) {
        s_bytes[i] = (uint8_t)next_random(seed);
    }
    return cpu_crc32(s_bytes, CPU_CRC_BYTES, 0u);
}

static uint32_t s_a[CPU_MATRIX_N][CPU_MATRIX_N];
static uint32_t s_b[CPU_MATRIX_N][CPU_MATRIX_N];
static uint32_t s_c[CPU_MATRIX_N][CPU_MATRIX_N];

static uint32_t matrix_kernel(uint32_t* seed) {
    uint32_t i;
    uint32_t j;
    uint32_t k;
    uint32_t acc = 0u;
    for (i = 0u; i < CPU_MATRIX_N; ++i) {
        for (j = 0u; j < CPU_MATRIX_N; ++j) {
            s_a[i][j] = next_random(seed) & 0xFFFFu;
            s_b[i][j] = next_random(seed) & 0xFFFFu;
        }
    }
    for (i = 0u; i < CPU_MATRIX_N; ++i) {
        for (j = 0u; j < CPU_MATRIX_N; ++j) {
            uint32_t sum = 0u;
            for (k = 0u; k < CPU_MATRIX_N; ++k) {
                sum += s_a[i][k] * s_b[k][j]; /* modulo 2^32 by definition (unsigned) */
            }
            s_c[i][j] = sum;
        }
    }
    for (i = 0u; i < CPU_MATRIX_N; ++i) {
        for (j = 0u; j < CPU_MATRIX_N; ++j) {
            acc = mix(acc, s_c[i][j]);
        }
    }
    return acc;
}

typedef struct list_node {
    struct list_node* next;
    uint32_t key;
    uint32_t order; /* creation index: shows the sort is stable */
} list_node_t;

static list_node_t s_nodes[CPU_LIST_NODES];

/* Merge two sorted lists; on equal keys the node from `a` (earlier) goes first. */
static list_node_t* merge(list_node_t* a, list_node_t* b) {
    list_node_t head;
    list_node_t* tail = &head;
    while (a != NULL && b != NULL) {
        if (b->key < a->key) {
            tail->next = b;
            b = b->next;
        } else {
            tail->next = a;
            a = a->next;
        }
        tail = tail->next;
    }
    tail->next = (a != NULL) ? a : b;
    return head.next;
}

/* Bottom-up merge sort of a singly linked list: runs of width 1, 2, 4, ... merged in
 * place, no recursion and no extra memory. */
static list_node_t* sort_list(list_node_t* list) {
    uint32_t width;
    for (width = 1u;; width *= 2u) {
        list_node_t* rest = list;
        list_node_t* sorted = NULL;
        list_node_t* sorted_tail = NULL;
        uint32_t merges = 0u;
        while (rest != NULL) {
            list_node_t* a = rest;
            list_node_t* b;
            list_node_t* merged;
            uint32_t n;
            for (n = 1u; n < width && rest->next != NULL; ++n) {
                rest = rest->next;
            }
            b = rest->next;
            rest->next = NULL; /* cut run a */
            rest = b;
            for (n = 1u; n < width && rest != NULL && rest->next != NULL; ++n) {
                rest = rest->next;
            }
            if (rest != NULL) {
                list_node_t* after = rest->next;
                rest->next = NULL; /* cut run b */
                rest = after;
            }
            merged = merge(a, b);
            if (sorted == NULL) {
                sorted = merged;
            } else {
                sorted_tail->next = merged;
            }
            sorted_tail = merged;
            while (sorted_tail->next != NULL) {
                sorted_tail = sorted_tail->next;
            }
            ++merges;
        }
        list = sorted;
        if (merges <= 1u) {
            return list;
        }
    }
}

static uint32_t list_kernel(uint32_t* seed) {
    uint32_t i;
    uint32_t acc = 0u;
    list_node_t* node;
    for (i = 0u; i < CPU_LIST_NODES; ++i) {
        s_nodes[i].key = next_random(seed) & 0x3FFu; /* duplicates on purpose */
        s_nodes[i].order = i;
        s_nodes[i].next = (i + 1u < CPU_LIST_NODES) ? &s_nodes[i + 1u] : NULL;
    }
    for (node = sort_list(&s_nodes[0]); node != NULL; node = node->next) {
        acc = mix(acc, (node->key << 16) | node->order);
    }
    return acc;
}

/* The tokenizer: numbers, identifiers, operators and `#` comments up to the end of the
 * line, in an input drawn from a small alphabet. */
typedef enum { LEX_START, LEX_NUMBER, LEX_IDENT, LEX_COMMENT } lex_state_t;

static uint8_t s_text[CPU_TEXT_BYTES];

static uint32_t lexer_kernel(uint32_t* seed) {
    static const uint8_t alphabet[] = "0123456789abcxyz_ +-*/;#\n\t()";
    uint32_t i;
    uint32_t acc = 0u;
    uint32_t value = 0u;
    uint32_t tokens = 0u;
    lex_state_t state = LEX_START;
    for (i = 0u; i < CPU_TEXT_BYTES; ++i) {
        s_text[i] = alphabet[next_random(seed) % (sizeof(alphabet) - 1u)];
    }
    for (i = 0u; i <= CPU_TEXT_BYTES; ++i) {
        /* One byte past the end is a virtual newline: it closes the last token. */
        const uint8_t c = (i < CPU_TEXT_BYTES) ? s_text[i] : (uint8_t)'\n';
        const int digit = c >= '0' && c <= '9';
        const int letter = (c >= 'a' && c <= 'z') || c == '_';
        switch (state) {
            case LEX_NUMBER:
                if (digit) {
                    value = value * 10u + (uint32_t)(c - '0');
                    continue;
                }
                acc = mix(acc, value);
                ++tokens;
                state = LEX_START;
                break;
            case LEX_IDENT:
                if (letter || digit) {
                    value = value * 31u + c;
                    continue;
                }
                acc = mix(acc, value ^ 0x80000000u);
                ++tokens;
                state = LEX_START;
                break;
            case LEX_COMMENT:
                if (c == '\n') {
                    state = LEX_START;
                }
                continue;
            case LEX_START:
            default:
                break;
        }
        /* LEX_START, or the byte that ended a token. */
        if (digit) {
            state = LEX_NUMBER;
            value = (uint32_t)(c - '0');
        } else if (letter) {
            state = LEX_IDENT;
            value = c;
        } else if (c == '#') {
            state = LEX_COMMENT;
        } else if (c != ' ' && c != '\t' && c != '\n') {
            acc = mix(acc, c); /* an operator or parenthesis */
            ++tokens;
        }
    }
    return mix(acc, tokens);
}

uint32_t cpu_workload_round(uint32_t round) {
    /* Never 0: xorshift32 stays at 0 forever. */
    uint32_t seed = (round * 0x9E3779B9u) | 1u;
    uint32_t acc = 2166136261u;
    acc = mix(acc, crc_kernel(&seed));
    acc = mix(acc, matrix_kernel(&seed));
    acc = mix(acc, list_kernel(&seed));
    acc = mix(acc, lexer_kernel(&seed));
    return acc;
}

uint32_t cpu_workload_run(uint32_t rounds) {
    uint32_t round;
    uint32_t acc = 0u;
    for (round = 0u; round < rounds; ++round) {
        acc = mix(acc, cpu_workload_round(round));
    }
    return acc;
}
