/*
 * port_cortex_m.c - Cortex-M (ARMv7-M) port of the cmsim demo scheduler.
 *
 * References:
 *   ARMv7-M ARM = ARM DDI 0403E, ARMv7-M Architecture Reference Manual
 *   PM0214      = ST PM0214, STM32 Cortex-M4 MCUs and MPUs programming manual
 *
 * The core registers used here (SCB ICSR/SHPR3, SysTick) are architectural: same
 * addresses on every ARMv7-M core, so the port defines them itself instead of including a
 * board header (the same port serves the Cortex-M4 F407 and a Cortex-M7 board).
 */
#include "port_cortex_m.h"

#include <stddef.h>
#include <stdint.h>

/* ---- architectural registers ------------------------------------------------------- */

/* clang-format off */
#define PORT_REG32(addr) (*(volatile uint32_t *)(addr))

/* ICSR, Interrupt Control and State Register (ARMv7-M ARM B3.2.4, PM0214 4.4.3).
 * PENDSVSET (bit 28) pends PendSV; writing 0 to the other bits has no effect. */
#define SCB_ICSR           PORT_REG32(0xE000ED04u)
#define SCB_ICSR_PENDSVSET (1u << 28)

/* SHPR3, System Handler Priority Register 3 (ARMv7-M ARM B3.2.12, PM0214 4.4.8):
 * PRI_14 (PendSV) in bits [23:16], PRI_15 (SysTick) in bits [31:24]. */
#define SCB_SHPR3          PORT_REG32(0xE000ED20u)

/* SysTick (ARMv7-M ARM B3.3, PM0214 4.5). */
#define SYST_CSR           PORT_REG32(0xE000E010u)
#define SYST_RVR           PORT_REG32(0xE000E014u)
#define SYST_CVR           PORT_REG32(0xE000E018u)
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* 1 = processor clock (HCLK), 0 = external (HCLK/8) */
#define SYST_RVR_MAX       0x00FFFFFFu

/* clang-format on */

/* ---- initial stack frame ------------------------------------------------------------ */

/* xPSR with only the T (Thumb) bit, bit 24, set: exception return into a frame with T = 0
 * would raise an INVSTATE UsageFault (ARMv7-M ARM B1.4.2, B1.5.8). */
#define PORT_INITIAL_XPSR 0x01000000u

/* EXC_RETURN for "return to Thread mode, use PSP, basic (non-FP) frame"
 * (ARMv7-M ARM B1.5.8 Table B1-9). Bit 4 = 1 means no FP state in the frame. */
#define PORT_EXC_RETURN_THREAD_PSP 0xFFFFFFFDu

/* The initial stacked LR of a task: where a task function that returns goes. By default
 * task_exit_trap, which parks the task. PORT_TASK_RETURN_TO_ZERO=1 builds the kernel the
 * way many hobby kernels are written, with LR = 0: a task that returns then branches to
 * 0x00000000 with bit 0 clear and faults (UsageFault INVSTATE, ARMv7-M ARM A2.3.2 and
 * B1.4.2); firmware/apps/faults/task_returns.c shows what that looks like. */
#ifndef PORT_TASK_RETURN_TO_ZERO
#define PORT_TASK_RETURN_TO_ZERO 0
#endif
#if PORT_TASK_RETURN_TO_ZERO
#define PORT_TASK_INITIAL_LR 0u
#else
#define PORT_TASK_INITIAL_LR ((uint32_t)(uintptr_t)task_exit_trap)
#endif

/* Words the port keeps below the hardware frame: r4-r11 and the task's EXC_RETURN,
 * pushed/popped by PendSV with STMDB/LDMIA {r4-r11, lr}. */
#define PORT_SW_FRAME_WORDS 9u
/* Basic hardware frame: r0-r3, r12, lr, pc, xPSR (ARMv7-M ARM B1.5.6). */
#define PORT_HW_FRAME_WORDS 8u

_Static_assert(offsetof(sched_tcb_t, saved_sp) == 0,
               "PendSV_Handler stores/loads the PSP at offset 0 of the TCB");
_Static_assert((PORT_TASK_STACK_WORDS % 2u) == 0u, "task stacks must keep 8-byte alignment");

uint32_t g_task_stacks[SCHED_MAX_TASKS][PORT_TASK_STACK_WORDS] __attribute__((aligned(8)));

/* Linker-script symbol: initial MSP (top of the MSP stack reservation). */
extern uint32_t _estack[];

/*
 * Build the frame a task is "resumed" from the first time PendSV switches to it:
 *
 *   high  xPSR   0x01000000 (T bit)
 *         PC     entry, as (uint32_t)entry, i.e. WITH the Thumb bit set, like most hobby
 *                kernels. The ARMv7-M ARM (B1.5.8) says a stacked return address with bit 0
 *                set is UNPREDICTABLE; Cortex-M3/M4/M7 silicon ignores bit 0, so it works,
 *                and the emulator must tolerate it the same way.
 *         LR     task_exit_trap (where a task that returns goes; 0 with
 *                PORT_TASK_RETURN_TO_ZERO)
 *         R12, R3, R2, R1, R0 = 0   (R0 would carry a task argument)
 *   ----  hardware frame above, software frame below (popped by PendSV)
 *         EXC_RETURN 0xFFFFFFFD (Thread, PSP, no FP state)
 *         R11 .. R4  recognisable dummy values (0x0B0B0B0B .. 0x04040404)
 *   low   <- returned stack pointer, stored in the TCB
 *
 * The top of each stack is 8-byte aligned and the frame is 17 words, so the hardware
 * frame starts 8-byte aligned and xPSR bit 9 (stack realignment) is correctly 0.
 */
static uint32_t port_init_stack(uint32_t* stack_top, task_entry_t entry) {
    uint32_t* sp = stack_top;
    uint32_t reg;

    *--sp = PORT_INITIAL_XPSR;
    *--sp = (uint32_t)(uintptr_t)entry;
    *--sp = PORT_TASK_INITIAL_LR;
    *--sp = 0u; /* R12 */
    *--sp = 0u; /* R3 */
    *--sp = 0u; /* R2 */
    *--sp = 0u; /* R1 */
    *--sp = 0u; /* R0 */

    *--sp = PORT_EXC_RETURN_THREAD_PSP;
    for (reg = 11u; reg >= 4u; --reg) {
        *--sp = reg * 0x01010101u; /* R11 .. R4 */
    }
    return (uint32_t)(uintptr_t)sp;
}

void task_exit_trap(void) {
    /* A task function returned. There is nothing to return to; park here (the task keeps
     * its round-robin slot, other tasks continue to be scheduled by SysTick/PendSV). */
    for (;;) {
    }
}

/* Weak: an application may bring its own idle loop (firmware/bench/bench_busy_idle.c
 * spins instead of sleeping, as many hobby kernels do). */
__attribute__((weak)) void idle_task(void) {
    for (;;) {
        /* Sleep until the next interrupt (the 1 ms SysTick at the latest). */
        __asm volatile("wfi");
    }
}

void kernel_init(void) {
    uint32_t sp;

    sched_core_init();
    /* The idle task always takes slot 0. */
    sp = port_init_stack(&g_task_stacks[0][PORT_TASK_STACK_WORDS], idle_task);
    (void)sched_core_add_task("idle", idle_task, sp, true);
}

int task_create(const char* name, task_entry_t entry) {
    uint32_t idx = g_task_count;
    uint32_t sp;

    if (idx >= SCHED_MAX_TASKS || entry == NULL) {
        return -1;
    }
    sp = port_init_stack(&g_task_stacks[idx][PORT_TASK_STACK_WORDS], entry);
    return sched_core_add_task(name, entry, sp, false);
}

/* ---- critical sections -------------------------------------------------------------- */

/* PRIMASK save/disable/restore (ARMv7-M ARM B1.4.3, B5.2.1 CPS): nests correctly if the
 * caller already had interrupts disabled. */
static inline uint32_t port_irq_save(void) {
    uint32_t primask;
    __asm volatile(
        "mrs %0, primask\n\t"
        "cpsid i"
        : "=r"(primask)
        :
        : "memory");
    return primask;
}

static inline void port_irq_restore(uint32_t primask) {
    __asm volatile("msr primask, %0" : : "r"(primask) : "memory");
}

static inline void port_pend_switch(void) {
    SCB_ICSR = SCB_ICSR_PENDSVSET;
}

/* ---- task API ------------------------------------------------------------------------ */

void task_delay(uint32_t ticks) {
    uint32_t primask;

    if (ticks != 0u) {
        /*
         * Critical section: reading g_tick_count, computing wake = tick + ticks and
         * marking the task BLOCKED must be one atomic step with respect to SysTick.
         *
         * Without it, SysTick could fire between the read of g_tick_count and the store
         * of state = BLOCKED: the tick handler would increment the count (and scan the
         * task list while this task still looked READY), and only then would the task
         * become BLOCKED with a wake tick computed from the stale count. With a `tick ==
         * wake` compare that lost tick means the handler can step past the wake tick
         * without seeing it, and the task stays BLOCKED forever (until the counter wraps,
         * 49.7 days at 1 kHz). Masking interrupts closes that window; the tick handler
         * also uses the wrap-safe `(int32_t)(tick - wake) >= 0` compare, so even a late
         * check can never miss a wake-up.
         */
        primask = port_irq_save();
        (void)sched_core_block_current(ticks);
        port_irq_restore(primask);
    }

    /* Ask for a context switch. PendSV has the lowest priority, so it is taken as soon as
     * Thread mode runs with interrupts enabled, i.e. right here; DSB/ISB make sure the
     * pend is visible and taken before the next instruction (ARMv7-M ARM A3.7.3). The
     * call returns when this task is scheduled again, after its wake tick. */
    port_pend_switch();
    __asm volatile("dsb\n\tisb" : : : "memory");
}

/* ---- exception handlers -------------------------------------------------------------- */

void SysTick_Handler(void) {
    (void)sched_core_tick();
    /* Time slicing: reschedule every tick. If the current task is the only READY one,
     * PendSV simply resumes it. */
    port_pend_switch();
}

/*
 * PendSV: the context switch (naked: no compiler prologue/epilogue, the code below is
 * the whole function).
 *
 * On entry the hardware has stacked r0-r3, r12, lr, pc, xPSR (and s0-s15, FPSCR if the
 * task had an active FP context: CONTROL.FPCA = 1) on the task's PSP, and lr holds
 * EXC_RETURN (ARMv7-M ARM B1.5.6-B1.5.8). EXC_RETURN bit 4 == 0 means an extended (FP)
 * frame; then the callee-saved s16-s31 must be saved too. Touching the FP registers
 * here also triggers the lazy stacking of s0-s15/FPSCR into the space reserved in the
 * task's frame (FPCCR.LSPEN, ARMv7-M ARM B1.5.7). EXC_RETURN itself is saved per task
 * because it differs between FP and non-FP frames.
 *
 *   save:     psp -= [s16-s31 if FP] + {r4-r11, EXC_RETURN}; g_current_task->saved_sp = psp
 *   select:   with interrupts masked (the tick handler must not change task states while
 *             sched_core_select_next() scans them), r0 = next TCB (= g_current_task)
 *   restore:  psp = next->saved_sp; pop {r4-r11, EXC_RETURN} [+ s16-s31]; exception return
 *
 * MSP is 8-byte aligned on exception entry (CCR.STKALIGN = 1, the reset value on
 * Cortex-M4/M7), and nothing is pushed on it here, so the BL meets the AAPCS.
 */
__attribute__((naked)) void PendSV_Handler(void) {
    __asm volatile(
        "   mrs     r0, psp                              \n"
#if defined(__ARM_FP)
        "   tst     lr, #0x10                            \n"
        "   it      eq                                   \n"
        "   vstmdbeq r0!, {s16-s31}                      \n"
#endif
        "   stmdb   r0!, {r4-r11, lr}                    \n"
        "   movw    r1, #:lower16:g_current_task         \n"
        "   movt    r1, #:upper16:g_current_task         \n"
        "   ldr     r2, [r1]                             \n"
        "   str     r0, [r2]                             \n" /* TCB.saved_sp (offset 0) */
        "   cpsid   i                                    \n"
        "   bl      sched_core_select_next               \n" /* r0 = next TCB */
        "   cpsie   i                                    \n"
        "   ldr     r0, [r0]                             \n" /* r0 = next->saved_sp */
        "   ldmia   r0!, {r4-r11, lr}                    \n"
#if defined(__ARM_FP)
        "   tst     lr, #0x10                            \n"
        "   it      eq                                   \n"
        "   vldmiaeq r0!, {s16-s31}                      \n"
#endif
        "   msr     psp, r0                              \n"
        "   isb                                          \n"
        "   bx      lr                                   \n");
}

/*
 * SVC: used once, by kernel_start, to launch the first task. Naked like PendSV: restore
 * the task's software frame {r4-r11, EXC_RETURN} (and s16-s31 if its EXC_RETURN says it
 * has FP context), set PSP to its hardware frame, unmask SysTick/PendSV (BASEPRI = 0)
 * and return: the exception return pops r0-r3, r12, lr, pc, xPSR from the initial frame
 * and enters Thread mode on PSP (EXC_RETURN 0xFFFFFFFD, ARMv7-M ARM B1.5.8).
 */
__attribute__((naked)) void SVC_Handler(void) {
    __asm volatile(
        "   movw    r1, #:lower16:g_current_task         \n"
        "   movt    r1, #:upper16:g_current_task         \n"
        "   ldr     r1, [r1]                             \n"
        "   ldr     r0, [r1]                             \n" /* r0 = first->saved_sp */
        "   ldmia   r0!, {r4-r11, lr}                    \n"
#if defined(__ARM_FP)
        "   tst     lr, #0x10                            \n"
        "   it      eq                                   \n"
        "   vldmiaeq r0!, {s16-s31}                      \n"
#endif
        "   msr     psp, r0                              \n"
        "   movs    r0, #0                               \n"
        "   msr     basepri, r0                          \n"
        "   isb                                          \n"
        "   bx      lr                                   \n");
}

/* ---- start --------------------------------------------------------------------------- */

void kernel_start(uint32_t core_clock_hz) {
    uint32_t reload = core_clock_hz / PORT_TICK_HZ;

    (void)port_irq_save(); /* re-enabled by the launch sequence below */

    /* Priorities first, so the first tick already arrives at the right level.
     * Word read-modify-write of SHPR3 (byte access would also be legal, PM0214 4.4.8). */
    SCB_SHPR3 =
        (SCB_SHPR3 & 0x0000FFFFu) | (PORT_SYSTICK_PRIORITY << 24) | (PORT_PENDSV_PRIORITY << 16);

    /* SysTick: period = RVR + 1 processor-clock cycles (ARMv7-M ARM B3.3.3), so
     * RVR = HCLK / 1000 - 1 for 1 kHz; 167999 at 168 MHz, 15999 at 16 MHz (HSI). Program
     * with the counter disabled, clear the current value (any write clears it and
     * COUNTFLAG, B3.3.5), then enable with the processor clock and the interrupt. */
    if (reload == 0u) {
        reload = 1u;
    } else if (reload > SYST_RVR_MAX + 1u) {
        reload = SYST_RVR_MAX + 1u;
    }
    SYST_CSR = 0u;
    SYST_RVR = reload - 1u;
    SYST_CVR = 0u;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;

    /* The first task is whatever the round robin picks with no current task: the first
     * READY task after the idle task (g_tasks[1]), or the idle task if there is none. */
    g_current_task = NULL;
    (void)sched_core_select_next();

    /*
     * Launch it through an exception return from its initial frame, as FreeRTOS's
     * Cortex-M ports do: every task, the first included, then starts the same way.
     *
     * BASEPRI = SysTick's priority masks SysTick and PendSV (ARMv7-M ARM B1.5.4), while
     * SVCall (priority 0) can still be taken: with PRIMASK set instead, the SVC would
     * escalate to HardFault (B1.5.15). MSP is reset to _estack first: main()'s frame is
     * never needed again and the handlers get the whole MSP reservation. SVC_Handler
     * pops the first task's software frame, clears BASEPRI and returns into the hardware
     * frame, so the task starts in Thread mode on PSP with its initial registers.
     */
    __asm volatile(
        "   msr     basepri, %[mask] \n"
        "   msr     msp, %[msp]      \n"
        "   cpsie   i                \n"
        "   dsb                      \n"
        "   isb                      \n"
        "   svc     #0               \n"
        :
        : [mask] "r"(PORT_SYSTICK_PRIORITY), [msp] "r"(_estack)
        : "memory");
    __builtin_unreachable();
}
