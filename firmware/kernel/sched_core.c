/*
 * sched_core.c - portable scheduler logic (plain C99, no target dependencies).
 * See sched_core.h for the model. The Cortex-M port is in port_cortex_m.c.
 */
#include "sched_core.h"

#include <stddef.h>

sched_tcb_t g_tasks[SCHED_MAX_TASKS];
uint32_t g_task_count;
sched_tcb_t* volatile g_current_task;
sched_tcb_t* g_idle_task;
volatile uint32_t g_tick_count;

void sched_core_init(void) {
    uint32_t i;
    for (i = 0; i < SCHED_MAX_TASKS; ++i) {
        g_tasks[i].saved_sp = 0;
        g_tasks[i].state = TASK_READY;
        g_tasks[i].wake_tick = 0;
        g_tasks[i].name = NULL;
        g_tasks[i].entry = NULL;
    }
    g_task_count = 0;
    g_current_task = NULL;
    g_idle_task = NULL;
    g_tick_count = 0;
}

int sched_core_add_task(const char* name, task_entry_t entry, uint32_t initial_sp, bool is_idle) {
    sched_tcb_t* tcb;

    if (g_task_count >= SCHED_MAX_TASKS || (is_idle && g_idle_task != NULL)) {
        return -1;
    }
    tcb = &g_tasks[g_task_count];
    tcb->saved_sp = initial_sp;
    tcb->state = TASK_READY;
    tcb->wake_tick = 0;
    tcb->name = name;
    tcb->entry = entry;
    if (is_idle) {
        g_idle_task = tcb;
    }
    return (int)g_task_count++;
}

bool sched_core_tick_reached(uint32_t now, uint32_t wake) {
    /* Modulo-2^32 difference read as two's complement: >= 0 means "now is at or past
     * wake", correct across the wrap while wake is < 2^31 ticks ahead. */
    return (int32_t)(now - wake) >= 0;
}

sched_tcb_t* sched_core_select_next(void) {
    uint32_t start;
    uint32_t n;

    if (g_task_count == 0) {
        return NULL;
    }

    /* Start with the task after the current one; the current task comes last (n ==
     * g_task_count), so it is kept only if no other non-idle task is READY. Before the
     * first selection there is no current task: start at index 0. */
    if (g_current_task == NULL) {
        start = 0;
    } else {
        start = (uint32_t)(g_current_task - g_tasks) + 1u;
    }

    for (n = 0; n < g_task_count; ++n) {
        sched_tcb_t* candidate = &g_tasks[(start + n) % g_task_count];
        if (candidate != g_idle_task && candidate->state == TASK_READY) {
            g_current_task = candidate;
            return candidate;
        }
    }

    /* Nothing READY except (possibly) the idle task. Without an idle task keep the current
     * one (or the first task): the caller must always get something runnable-looking. */
    if (g_idle_task != NULL) {
        g_current_task = g_idle_task;
    } else if (g_current_task == NULL) {
        g_current_task = &g_tasks[0];
    }
    return g_current_task;
}

uint32_t sched_core_tick(void) {
    uint32_t now = g_tick_count + 1u;
    uint32_t woken = 0;
    uint32_t i;

    g_tick_count = now;
    for (i = 0; i < g_task_count; ++i) {
        sched_tcb_t* tcb = &g_tasks[i];
        if (tcb->state == TASK_BLOCKED && sched_core_tick_reached(now, tcb->wake_tick)) {
            tcb->state = TASK_READY;
            ++woken;
        }
    }
    return woken;
}

bool sched_core_block_current(uint32_t ticks) {
    sched_tcb_t* tcb = g_current_task;

    if (tcb == NULL || tcb == g_idle_task || ticks == 0u) {
        return false;
    }
    if (ticks > SCHED_MAX_DELAY) {
        ticks = SCHED_MAX_DELAY;
    }
    tcb->wake_tick = g_tick_count + ticks;
    tcb->state = TASK_BLOCKED;
    return true;
}
