/*
 * port_cortex_m.h - Cortex-M (ARMv7-M: Cortex-M3/M4/M7) port of the cmsim demo scheduler.
 *
 * Execution model
 *   - Handlers run on MSP, tasks on PSP (CONTROL.SPSEL = 1), tasks stay privileged
 *     (CONTROL.nPRIV = 0).
 *   - SysTick interrupts at 1 kHz (1 tick = 1 ms), runs the tick logic of sched_core and
 *     pends PendSV every tick (round-robin time slicing between READY tasks).
 *   - PendSV, at the lowest priority, does the context switch.
 *   - task_delay() blocks the calling task for a number of ticks and pends PendSV.
 *
 * Stable symbol names the cmsim emulator and its tests rely on:
 *   PendSV_Handler, SysTick_Handler, SVC_Handler, idle_task, task_exit_trap, task_delay,
 *   g_task_stacks (per-task stacks), and from sched_core.h g_tasks, g_task_count,
 *   g_current_task, g_idle_task, g_tick_count.
 *
 * Board requirement: the linker script defines _estack (initial MSP, top of the MSP stack).
 */
#ifndef CMSIM_PORT_CORTEX_M_H
#define CMSIM_PORT_CORTEX_M_H

#include <stdint.h>

#include "sched_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per-task stack size in 32-bit words (1 KiB). Stacks are 8-byte aligned, as AAPCS and
 * the exception entry sequence expect (ARMv7-M ARM B1.5.7, CCR.STKALIGN). */
#ifndef PORT_TASK_STACK_WORDS
#define PORT_TASK_STACK_WORDS 256u
#endif

/* Tick rate of the scheduler. */
#define PORT_TICK_HZ 1000u

/* Exception priorities written to SHPR3 (PM0214 4.4.8). Only the top __NVIC_PRIO_BITS
 * bits are implemented (4 on STM32F4 -> 0xFF reads back as 0xF0, 0xE0 as 0xE0).
 * PendSV is the lowest possible so a context switch never interrupts another handler;
 * SysTick is one level above it so the tick can preempt a running PendSV prologue, and
 * below every interrupt left at the reset priority 0. */
#define PORT_PENDSV_PRIORITY 0xFFu
#define PORT_SYSTICK_PRIORITY 0xE0u

/* The stack pool: one stack per TCB slot, indexed like g_tasks. In .bss (SRAM). */
extern uint32_t g_task_stacks[SCHED_MAX_TASKS][PORT_TASK_STACK_WORDS];

/* Reset the scheduler and create the idle task (always g_tasks[0]). */
void kernel_init(void);

/* Create a READY task running entry() on its own stack. Tasks run in creation order
 * after the idle task: g_tasks[1], g_tasks[2], ... Returns the index in g_tasks or -1. */
int task_create(const char* name, task_entry_t entry);

/* Program SysTick for PORT_TICK_HZ from the actual core clock (HCLK, in Hz), set the
 * SysTick/PendSV priorities and start the first READY task in Thread mode on PSP.
 * Never returns. */
void kernel_start(uint32_t core_clock_hz) __attribute__((noreturn));

/* Block the calling task for `ticks` ticks (ms). 0 just yields the CPU. Call from a task
 * (Thread mode), with interrupts enabled. */
void task_delay(uint32_t ticks);

/* The idle task: WFI in a loop; always READY, runs only when nothing else is READY.
 * Weak, so an application can replace it (it must never block or return). */
void idle_task(void);

/* Where a task function that returns ends up (LR of every initial frame): loops forever. */
void task_exit_trap(void);

/* Exception handlers (strong definitions of the startup file's weak aliases). */
void PendSV_Handler(void);
void SysTick_Handler(void);
void SVC_Handler(void);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_PORT_CORTEX_M_H */
