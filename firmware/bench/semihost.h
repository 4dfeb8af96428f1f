/*
 * semihost.h - the two semihosting calls the benchmark firmware needs, made directly with
 * BKPT 0xAB (ARM "Semihosting for AArch32 and AArch64", version 2.0: the Thumb trap
 * instruction is BKPT 0xAB, the operation number goes in R0, the parameter in R1, the
 * result comes back in R0). No newlib rdimon start-up is involved, so nothing touches
 * semihosting before the benchmark's own first call.
 *
 * Needs a debugger (cmsim, QEMU -semihosting, OpenOCD): on a board without one, BKPT
 * escalates to HardFault.
 */
#ifndef CMSIM_BENCH_SEMIHOST_H
#define CMSIM_BENCH_SEMIHOST_H

#include <stdint.h>

/* Write a NUL-terminated string to the debugger's console (SYS_WRITE0, 0x04). */
void semihost_write0(const char* text);

/* End the session as a successful application exit (SYS_EXIT, 0x18, with
 * ADP_Stopped_ApplicationExit: cmsim and QEMU exit with status 0). Never returns. */
void semihost_exit_success(void) __attribute__((noreturn));

#endif /* CMSIM_BENCH_SEMIHOST_H */
