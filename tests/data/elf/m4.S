/* A tiny Cortex-M4 (ARMv7E-M, Thumb) firmware image for the ELF loader tests.
   Assembly rather than C so that the machine code, and so every address and size the
   tests check, does not depend on the compiler version. */
    .syntax unified
    .cpu cortex-m4
    .thumb

    .section .isr_vector, "a", %progbits
    .global g_vectors
    .type g_vectors, %object
g_vectors:
    .word _estack
    .word Reset_Handler
    .word Default_Handler           /* NMI */
    .word Default_Handler           /* HardFault */
    .size g_vectors, . - g_vectors

    .text
    .global Reset_Handler
    .type Reset_Handler, %function
    .thumb_func
Reset_Handler:
    ldr r0, =_sidata                /* copy .data from flash to RAM */
    ldr r1, =_sdata
    ldr r2, =_edata
1:  cmp r1, r2
    bhs 2f
    ldr r3, [r0], #4
    str r3, [r1], #4
    b 1b
2:  bl main
3:  b 3b
    .ltorg                          /* literal pool: a $d mapping symbol */
    .size Reset_Handler, . - Reset_Handler

    .global main
    .type main, %function
    .thumb_func
main:
    push {r4, lr}
    ldr r4, =counter
    ldr r0, [r4]
    adds r0, r0, #1
    str r0, [r4]
    ldr r1, =buffer
    movs r2, #0
    strb r2, [r1]
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    pop {r4, pc}
    .ltorg
    .size main, . - main

    .type Default_Handler, %function   /* local */
    .thumb_func
Default_Handler:
    b Default_Handler
    .size Default_Handler, . - Default_Handler

    .data
    .global counter
    .type counter, %object
    .size counter, 4
counter:
    .word 0x12345678

    .bss
    .global buffer
    .type buffer, %object
    .size buffer, 64
buffer:
    .space 64
