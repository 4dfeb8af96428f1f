/*
 * led_tasks.c - blinky's four LED tasks with a console line per activation; see
 * led_tasks.h.
 */
#include "led_tasks.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "bsp.h"
#include "port_cortex_m.h"

typedef struct {
    const char* name;
    bsp_led_t led;
    uint32_t period_ms;
} led_task_t;

/* Periods of apps/blinky. */
static const led_task_t k_led_tasks[LED_TASK_COUNT] = {
    [LED_TASK_GREEN] = {"green", BSP_LED_GREEN, 1000u},
    [LED_TASK_ORANGE] = {"orange", BSP_LED_ORANGE, 500u},
    [LED_TASK_RED] = {"red", BSP_LED_RED, 125u},
    [LED_TASK_BLUE] = {"blue", BSP_LED_BLUE, 250u},
};

static led_activation_t s_activation = led_task_toggle_and_report;

void task_green(void);
void task_orange(void);
void task_red(void);
void task_blue(void);

static void led_task_loop(led_task_id_t id) __attribute__((noreturn));
static void led_task_loop(led_task_id_t id) {
    for (;;) {
        s_activation(id);
        task_delay(k_led_tasks[id].period_ms);
    }
}

void task_green(void) {
    led_task_loop(LED_TASK_GREEN);
}

void task_orange(void) {
    led_task_loop(LED_TASK_ORANGE);
}

void task_red(void) {
    led_task_loop(LED_TASK_RED);
}

void task_blue(void) {
    led_task_loop(LED_TASK_BLUE);
}

void led_tasks_create(led_activation_t activation) {
    if (activation != NULL) {
        s_activation = activation;
    }
    (void)task_create("green", task_green);
    (void)task_create("orange", task_orange);
    (void)task_create("red", task_red);
    (void)task_create("blue", task_blue);
}

const char* led_task_name(led_task_id_t id) {
    return k_led_tasks[id].name;
}

uint32_t console_lock(void) {
    uint32_t primask;
    __asm volatile(
        "mrs %0, primask\n\t"
        "cpsid i"
        : "=r"(primask)
        :
        : "memory");
    return primask;
}

void console_unlock(uint32_t key) {
    __asm volatile("msr primask, %0" : : "r"(key) : "memory");
}

void led_task_toggle_and_report(led_task_id_t id) {
    const led_task_t* task = &k_led_tasks[id];
    uint32_t key;

    bsp_led_toggle(task->led);
    key = console_lock();
    printf("t=%" PRIu32 " %s %s\n", g_tick_count, task->name, bsp_led_is_on(task->led) ? "on" : "off");
    console_unlock(key);
}
