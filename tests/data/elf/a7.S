/* A tiny Cortex-A7 (ARMv7-A, ARM state) image: what the loader must refuse. */
    .syntax unified
    .cpu cortex-a7
    .arm

    .text
    .global _start
    .type _start, %function
_start:
    ldr sp, =0x80000
    bl main
1:  b 1b
    .ltorg
    .size _start, . - _start

    .global main
    .type main, %function
main:
    mov r0, #0
    bx lr
    .size main, . - main
