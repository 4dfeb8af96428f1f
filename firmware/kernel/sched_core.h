/*
 * sched_core.h - portable part of the cmsim demo scheduler.
 *
 * Everything here is plain C99: no inline assembly, no register access, no target
 * headers. The same file is compiled for the Cortex-M firmware and by the host compiler
 * for the unit tests in tests/firmware/sched_core_test.cpp.
 *
 * The Cortex-M specifics (SysTick, PendSV, stacks, critical sections) are in
 * port_cortex_m.c; they call into the functions below.
 *
 * Model
 *   - A fixed array of task control blocks, g_tasks[0 .. g_task_count-1], in creation order.
 *   - Each task is READY or BLOCKED. A BLOCKED task has a wake tick; the tick handler makes
 *     it READY once the tick counter has reached that tick (wrap-safe compare).
 *   - One task is the idle task. It is always READY and is chosen only when no other
 *     task is READY.
 *   - Selection is round robin: starting after the current task, the first READY
 *     non-idle task wins; the current task itself is considered last, so it keeps the CPU
 *     only when it is the only READY one.
 *
 * Emulator contract (stable names and layout, read by cmsim via the ELF symbol table):
 *   g_tasks         sched_tcb_t[SCHED_MAX_TASKS]   see the layout of sched_tcb_t below
 *   g_task_count    uint32_t, number of valid entries in g_tasks
 *   g_current_task  sched_tcb_t *, the running task's TCB
 *   g_idle_task     sched_tcb_t *, the idle task's TCB (NULL until created)
 *   g_tick_count    volatile uint32_t, incremented once per tick (1 ms on the demo)
 */
#ifndef CMSIM_SCHED_CORE_H
#define CMSIM_SCHED_CORE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Number of TCB slots (the idle task included). */
#ifndef SCHED_MAX_TASKS
#define SCHED_MAX_TASKS 8u
#endif

/* Longest delay the wrap-safe compare can represent: the difference between the tick
 * counter and a wake tick is interpreted as a signed 32-bit value, so a delay must be
 * below 2^31 ticks (about 24.8 days at 1 kHz). Longer delays are clamped. */
#define SCHED_MAX_DELAY 0x7FFFFFFFu

typedef enum { TASK_READY = 0, TASK_BLOCKED = 1 } task_state_t;

typedef void (*task_entry_t)(void);

/*
 * Task control block. On the 32-bit target the layout is fixed (offsets in bytes):
 *    0 saved_sp   process stack pointer saved by PendSV (the port's assembly relies on
 *                 this being the first member)
 *    4 state      task_state_t, stored as a 32-bit word
 *    8 wake_tick  tick at which a BLOCKED task becomes READY
 *   12 name      const char *
 *   16 entry      task function
 * sizeof == 20.
 */
typedef struct sched_tcb {
    uint32_t saved_sp;
    uint32_t state;
    uint32_t wake_tick;
    const char* name;
    task_entry_t entry;
} sched_tcb_t;

extern sched_tcb_t g_tasks[SCHED_MAX_TASKS];
extern uint32_t g_task_count;
extern sched_tcb_t* volatile g_current_task;
extern sched_tcb_t* g_idle_task;
extern volatile uint32_t g_tick_count;

/* Reset every TCB, the task count, the current/idle pointers and the tick counter. */
void sched_core_init(void);

/* Append a task in state READY. initial_sp is the stack pointer value the port prepared
 * (the task's stack with its initial frame). If is_idle is true the task becomes the idle
 * task (only one may exist). Returns the index in g_tasks, or -1 if the table is full or
 * a second idle task is requested. */
int sched_core_add_task(const char* name, task_entry_t entry, uint32_t initial_sp, bool is_idle);

/* Wrap-safe "has the tick counter reached wake?" The subtraction is done modulo 2^32 and
 * the result read as signed, so it is correct across the 0xFFFFFFFF -> 0 wrap as long as
 * wake is less than 2^31 ticks ahead. A plain `now >= wake` would wake a task at once when
 * wake has wrapped past zero, and `now == wake` would miss the wake-up for good if the
 * exact tick were ever skipped. */
bool sched_core_tick_reached(uint32_t now, uint32_t wake);

/* Select the task to run next (round robin as described above), store it in
 * g_current_task and return it. Returns NULL only if no task exists at all.
 * Must run with the tick handler masked (the port calls it from PendSV with interrupts
 * disabled). */
sched_tcb_t* sched_core_select_next(void);

/* Tick handler logic: increment g_tick_count, then make READY every BLOCKED task whose
 * wake tick has been reached. Returns the number of tasks unblocked. */
uint32_t sched_core_tick(void);

/* Delay bookkeeping for the current task: wake = g_tick_count + ticks (clamped to
 * SCHED_MAX_DELAY), state = BLOCKED. Returns false (and changes nothing) if there is no
 * current task, it is the idle task (which must never block) or ticks is 0.
 * The caller must hold a critical section that excludes the tick handler; see
 * task_delay() in port_cortex_m.c for why. */
bool sched_core_block_current(uint32_t ticks);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_SCHED_CORE_H */
