/*
 * led_tasks.h - the four LED tasks of apps/blinky (same names, periods and creation
 * order on the same kernel), reporting every activation on the console with printf:
 *
 *   t=<tick> <color> on|off
 *
 * where <tick> is g_tick_count (ms since the scheduler started) when the task ran and
 * on/off the LED state it left. Shared by the debug-channel variants of blinky; each
 * image decides where printf's output goes (ITM port 0, semihosting, ...).
 *
 *   task_green   PD12  every 1000 ms        task_red   PD14  every 125 ms
 *   task_orange  PD13  every  500 ms        task_blue  PD15  every 250 ms
 */
#ifndef CMSIM_LED_TASKS_H
#define CMSIM_LED_TASKS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    LED_TASK_GREEN,
    LED_TASK_ORANGE,
    LED_TASK_RED,
    LED_TASK_BLUE,
    LED_TASK_COUNT
} led_task_id_t;

/* What a task does each time it runs, before blocking for its period. */
typedef void (*led_activation_t)(led_task_id_t id);

/* Create task_green, task_orange, task_red and task_blue (g_tasks[1..4], after the idle
 * task). Each activation calls `activation`, or led_task_toggle_and_report() when NULL.
 * Call after kernel_init(). */
void led_tasks_create(led_activation_t activation);

/* Toggle the task's LED and print its "t=<tick> <color> on|off" line. */
void led_task_toggle_and_report(led_task_id_t id);

/* "green", "orange", "red", "blue". */
const char* led_task_name(led_task_id_t id);

/* The console is shared by every task: a line is printed with interrupts masked (PRIMASK)
 * so that a tick cannot switch tasks in the middle of printf (newlib's stdout is not
 * thread-safe). Keep what runs between lock and unlock short. */
uint32_t console_lock(void);
void console_unlock(uint32_t key);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_LED_TASKS_H */
