/*
 * rdimon_start.c - runs newlib's semihosting start-up (rdimon-crt0's _start, linked in by
 * --specs=rdimon.specs) on the board's own reset path.
 *
 * The board's Reset_Handler enables the FPU, copies .data from flash, zeroes .bss and
 * calls __libc_init_array() then main(). rdimon's crt0 must run instead of that plain
 * main() call: it asks the debugger for the heap and stack (SYS_HEAPINFO), sets SP,
 * zeroes .bss, opens the console handles (initialise_monitor_handles: :tt, and
 * :semihosting-features), fetches the command line (SYS_GET_CMDLINE) and splits it into
 * argc/argv, runs the constructors and calls main(argc, argv), then exit() with its
 * result. It does not copy .data, which is why the board's start-up has to come first.
 *
 * The hand-over is the first entry of .preinit_array, which __libc_init_array() runs
 * before any constructor: on the board's call it jumps to _start (never to return: crt0
 * resets SP and ends in exit()); on crt0's own call of __libc_init_array() it returns.
 * The flag lives in .data because crt0 zeroes .bss but leaves .data alone.
 */
#include <stdint.h>

extern void _start(void) __attribute__((noreturn));

static volatile uint32_t s_from_board_reset = 1u;

static void enter_rdimon_crt0(void) {
    if (s_from_board_reset != 0u) {
        s_from_board_reset = 0u;
        _start();
    }
}

__attribute__((section(".preinit_array"), used)) static void (*const k_enter_rdimon_crt0)(void) =
    enter_rdimon_crt0;
