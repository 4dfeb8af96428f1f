// Host tests of the portable scheduler logic (firmware/kernel/sched_core.c): task
// selection, tick handling and delay bookkeeping, including the 2^32 tick wrap-around.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" {
#include "sched_core.h"
}

namespace {

void dummy_entry() {}

// g_tasks layout after SetUp: [0] idle, [1] A, [2] B, [3] C.
class SchedCore : public ::testing::Test {
  protected:
    void SetUp() override {
        sched_core_init();
        ASSERT_EQ(sched_core_add_task("idle", dummy_entry, 0x100u, true), 0);
        ASSERT_EQ(sched_core_add_task("A", dummy_entry, 0x200u, false), 1);
        ASSERT_EQ(sched_core_add_task("B", dummy_entry, 0x300u, false), 2);
        ASSERT_EQ(sched_core_add_task("C", dummy_entry, 0x400u, false), 3);
    }

    static sched_tcb_t* idle() { return &g_tasks[0]; }
    static sched_tcb_t* a() { return &g_tasks[1]; }
    static sched_tcb_t* b() { return &g_tasks[2]; }
    static sched_tcb_t* c() { return &g_tasks[3]; }

    // Make `task` the current task and block it for `ticks`.
    static void block(sched_tcb_t* task, uint32_t ticks) {
        g_current_task = task;
        ASSERT_TRUE(sched_core_block_current(ticks));
    }

    static int index_of(const sched_tcb_t* tcb) {
        return tcb == nullptr ? -1 : static_cast<int>(tcb - g_tasks);
    }

    // Run the selector n times and return the chosen indices.
    static std::vector<int> select_n(int n) {
        std::vector<int> out;
        for (int i = 0; i < n; ++i) {
            sched_tcb_t* next = sched_core_select_next();
            EXPECT_EQ(next, g_current_task);
            out.push_back(index_of(next));
        }
        return out;
    }
};

TEST_F(SchedCore, InitAndAddTask) {
    EXPECT_EQ(g_task_count, 4u);
    EXPECT_EQ(g_idle_task, idle());
    EXPECT_EQ(g_current_task, nullptr);
    EXPECT_EQ(g_tick_count, 0u);
    EXPECT_STREQ(b()->name, "B");
    EXPECT_EQ(b()->saved_sp, 0x300u);
    EXPECT_EQ(b()->entry, &dummy_entry);
    EXPECT_EQ(b()->state, static_cast<uint32_t>(TASK_READY));

    // A second idle task is refused, and the table has a fixed size.
    EXPECT_EQ(sched_core_add_task("idle2", dummy_entry, 0u, true), -1);
    for (uint32_t i = g_task_count; i < SCHED_MAX_TASKS; ++i) {
        EXPECT_EQ(sched_core_add_task("x", dummy_entry, 0u, false), static_cast<int>(i));
    }
    EXPECT_EQ(sched_core_add_task("overflow", dummy_entry, 0u, false), -1);
    EXPECT_EQ(g_task_count, SCHED_MAX_TASKS);
}

TEST_F(SchedCore, TcbLeadingFieldLayout) {
    // The port's PendSV assembly stores the PSP at offset 0; the emulator reads state and
    // wake tick at 4 and 8 (the pointer members that follow differ in size on the host).
    EXPECT_EQ(offsetof(sched_tcb_t, saved_sp), 0u);
    EXPECT_EQ(offsetof(sched_tcb_t, state), 4u);
    EXPECT_EQ(offsetof(sched_tcb_t, wake_tick), 8u);
}

TEST_F(SchedCore, FirstSelectionIsFirstNonIdleTask) {
    EXPECT_EQ(sched_core_select_next(), a());
}

TEST_F(SchedCore, RoundRobinOverReadyTasks) {
    EXPECT_EQ(select_n(7), (std::vector<int>{1, 2, 3, 1, 2, 3, 1}));
}

TEST_F(SchedCore, RoundRobinSkipsBlockedTasks) {
    block(b(), 50);
    g_current_task = nullptr;
    EXPECT_EQ(select_n(5), (std::vector<int>{1, 3, 1, 3, 1}));
}

TEST_F(SchedCore, SingleReadyTaskKeepsRunning) {
    block(a(), 10);
    block(c(), 10);
    g_current_task = b();
    EXPECT_EQ(select_n(3), (std::vector<int>{2, 2, 2}));
}

TEST_F(SchedCore, IdleOnlyWhenAllOthersBlocked) {
    block(a(), 10);
    block(b(), 20);
    EXPECT_EQ(select_n(1), (std::vector<int>{3}));  // C still ready: never idle
    block(c(), 30);
    EXPECT_EQ(select_n(3), (std::vector<int>{0, 0, 0}));
}

TEST_F(SchedCore, LeavesIdleAsSoonAsATaskIsReady) {
    block(a(), 10);
    block(b(), 5);
    block(c(), 10);
    EXPECT_EQ(sched_core_select_next(), idle());
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(sched_core_tick(), 0u);
    }
    EXPECT_EQ(sched_core_select_next(), idle());
    EXPECT_EQ(sched_core_tick(), 1u);  // tick 5: B wakes
    EXPECT_EQ(b()->state, static_cast<uint32_t>(TASK_READY));
    EXPECT_EQ(sched_core_select_next(), b());
}

TEST_F(SchedCore, BlockCurrentBookkeeping) {
    g_tick_count = 1234;
    block(a(), 100);
    EXPECT_EQ(a()->state, static_cast<uint32_t>(TASK_BLOCKED));
    EXPECT_EQ(a()->wake_tick, 1334u);

    // The idle task never blocks; a zero delay blocks nothing.
    g_current_task = idle();
    EXPECT_FALSE(sched_core_block_current(10));
    EXPECT_EQ(idle()->state, static_cast<uint32_t>(TASK_READY));
    g_current_task = b();
    EXPECT_FALSE(sched_core_block_current(0));
    EXPECT_EQ(b()->state, static_cast<uint32_t>(TASK_READY));
    g_current_task = nullptr;
    EXPECT_FALSE(sched_core_block_current(10));
}

TEST_F(SchedCore, DelayIsClampedBelowHalfTheTickRange) {
    g_tick_count = 10;
    block(a(), 0xFFFFFFFFu);
    EXPECT_EQ(a()->wake_tick, 10u + SCHED_MAX_DELAY);
    EXPECT_EQ(SCHED_MAX_DELAY, 0x7FFFFFFFu);
}

TEST_F(SchedCore, UnblocksExactlyAtTheWakeTickNotOneEarly) {
    g_tick_count = 100;
    block(a(), 10);  // wake at 110
    ASSERT_EQ(a()->wake_tick, 110u);
    for (uint32_t expected_tick = 101; expected_tick <= 109; ++expected_tick) {
        EXPECT_EQ(sched_core_tick(), 0u);
        EXPECT_EQ(g_tick_count, expected_tick);
        EXPECT_EQ(a()->state, static_cast<uint32_t>(TASK_BLOCKED))
            << "woke early at tick " << g_tick_count;
    }
    EXPECT_EQ(sched_core_tick(), 1u);
    EXPECT_EQ(g_tick_count, 110u);
    EXPECT_EQ(a()->state, static_cast<uint32_t>(TASK_READY));
}

TEST_F(SchedCore, DelayOfOneTickWakesOnTheNextTick) {
    g_tick_count = 7;
    block(c(), 1);
    EXPECT_EQ(sched_core_tick(), 1u);
    EXPECT_EQ(g_tick_count, 8u);
    EXPECT_EQ(c()->state, static_cast<uint32_t>(TASK_READY));
}

TEST_F(SchedCore, SeveralTasksWakeOnTheSameTick) {
    g_tick_count = 0;
    block(a(), 3);
    block(b(), 3);
    block(c(), 4);
    EXPECT_EQ(sched_core_tick(), 0u);
    EXPECT_EQ(sched_core_tick(), 0u);
    EXPECT_EQ(sched_core_tick(), 2u);
    EXPECT_EQ(a()->state, static_cast<uint32_t>(TASK_READY));
    EXPECT_EQ(b()->state, static_cast<uint32_t>(TASK_READY));
    EXPECT_EQ(c()->state, static_cast<uint32_t>(TASK_BLOCKED));
    EXPECT_EQ(sched_core_tick(), 1u);
    EXPECT_EQ(c()->state, static_cast<uint32_t>(TASK_READY));
}

TEST_F(SchedCore, DelayAcrossTheTickWrapAround) {
    // tick 0xFFFFFFF0 + 0x20 = 0x00000010 (mod 2^32). A plain `tick >= wake` compare would
    // wake the task on the very next tick (0xFFFFFFF1 >= 0x10).
    g_tick_count = 0xFFFFFFF0u;
    block(a(), 0x20);
    ASSERT_EQ(a()->wake_tick, 0x00000010u);

    uint32_t ticks = 0;
    while (a()->state == static_cast<uint32_t>(TASK_BLOCKED) && ticks < 0x40) {
        (void)sched_core_tick();
        ++ticks;
        if (g_tick_count != 0x10u) {
            EXPECT_EQ(a()->state, static_cast<uint32_t>(TASK_BLOCKED))
                << "woke early at tick " << g_tick_count;
        }
    }
    EXPECT_EQ(ticks, 0x20u);
    EXPECT_EQ(g_tick_count, 0x00000010u);
    EXPECT_EQ(a()->state, static_cast<uint32_t>(TASK_READY));
}

TEST_F(SchedCore, StillBlockedDuringTheFirstTicksAfterTheWrap) {
    g_tick_count = 0xFFFFFFF0u;
    block(b(), 0x20);
    // Run up to the wrap: 0xFFFFFFF1 .. 0xFFFFFFFF, 0x00000000 (16 ticks).
    for (int i = 0; i < 16; ++i) {
        EXPECT_EQ(sched_core_tick(), 0u);
    }
    EXPECT_EQ(g_tick_count, 0u);
    // The first 0x10 ticks after the wrap (0x00 .. 0x0F) must not wake it.
    for (uint32_t t = 1; t < 0x10; ++t) {
        EXPECT_EQ(sched_core_tick(), 0u);
        EXPECT_EQ(g_tick_count, t);
        EXPECT_EQ(b()->state, static_cast<uint32_t>(TASK_BLOCKED));
    }
    EXPECT_EQ(sched_core_tick(), 1u);
    EXPECT_EQ(g_tick_count, 0x10u);
    EXPECT_EQ(b()->state, static_cast<uint32_t>(TASK_READY));
}

TEST_F(SchedCore, WakeTickExactlyZero) {
    g_tick_count = 0xFFFFFFFFu;
    block(a(), 1);
    ASSERT_EQ(a()->wake_tick, 0u);
    EXPECT_EQ(sched_core_tick(), 1u);
    EXPECT_EQ(g_tick_count, 0u);
    EXPECT_EQ(a()->state, static_cast<uint32_t>(TASK_READY));
}

TEST_F(SchedCore, LateCheckStillWakes) {
    // If the exact wake tick was somehow never examined (the race task_delay's critical
    // section prevents), `>=` still wakes the task on the next tick; `==` would not.
    g_tick_count = 200;
    a()->wake_tick = 199;
    a()->state = TASK_BLOCKED;
    EXPECT_EQ(sched_core_tick(), 1u);
    EXPECT_EQ(a()->state, static_cast<uint32_t>(TASK_READY));
}

TEST(SchedCoreTickReached, WrapSafeCompare) {
    EXPECT_TRUE(sched_core_tick_reached(100, 100));
    EXPECT_TRUE(sched_core_tick_reached(101, 100));
    EXPECT_FALSE(sched_core_tick_reached(99, 100));
    EXPECT_TRUE(sched_core_tick_reached(0x00000010u, 0xFFFFFFF0u));
    EXPECT_FALSE(sched_core_tick_reached(0xFFFFFFF0u, 0x00000010u));
    EXPECT_FALSE(sched_core_tick_reached(0xFFFFFFFFu, 0x00000000u));
    EXPECT_TRUE(sched_core_tick_reached(0x00000000u, 0xFFFFFFFFu));
    // The limit: up to 2^31 - 1 ticks ahead is "not yet".
    EXPECT_FALSE(sched_core_tick_reached(0u, 0x7FFFFFFFu));
}

}  // namespace
