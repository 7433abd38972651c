// sched.h: threads and the scheduler: round-robin on one CPU, preemptive for the
// program (ring 3), with the kernel itself never preempted (it runs with interrupts
// off).
#pragma once

#include "uk/base.h"

namespace uk {

enum class ThreadState : uint8_t { Runnable, Running, Blocked, Dead };

struct Thread {
  int tid;
  ThreadState state;
  const char *wait_reason; // what a blocked thread waits for (deadlock reports)
  uint64_t wait_address;   // the futex it waits on (set and cleared by the futex code)
  uint32_t wait_bitset;
  bool timed_out;      // why the last block() ended: the deadline passed
  uint64_t deadline;   // TSC deadline while blocked with a timeout, else 0
  uint64_t kernel_rsp; // saved kernel stack pointer while switched out
  uint64_t kernel_stack_top;
  uint64_t fs_base, gs_base; // the program's thread pointer and GS
  uint64_t clear_child_tid;  // written 0 and futex-woken when the thread exits
  uint64_t robust_list;
  uint64_t cpu_ticks; // TSC ticks spent running
  uint64_t ran_since; // TSC when it was last switched in
  Thread *next;       // run queue
  Thread *wait_next;  // a futex's or WaitQueue's waiters: apart from the run queue,
                      // because a timed-out waiter is runnable while still queued
  Thread *sleep_next; // sleepers, sorted by deadline
  uint8_t *fpu;       // XSAVE area, 64-byte aligned
  int slot;           // kernel stack slot, -1 for the boot thread
  char name[16];      // prctl(PR_SET_NAME), NUL-terminated
  // Signals (kernel/signal.cpp): bit N-1 for signal N.
  uint64_t blocked_signals, pending_signals;
  uint64_t waiting_signals; // in rt_sigtimedwait: these wake it even when blocked
  uint64_t saved_blocked;   // the mask to restore after a handler (rt_sigsuspend)
  bool restore_blocked;
  bool interruptible;  // blocked in a wait that a signal ends
  uint16_t syscall_nr; // its system call in progress while switched out (restarts)
  uint64_t altstack_sp, altstack_size;
  uint32_t altstack_flags;
};

/// Makes the code running at boot thread 1 of the program.
void sched_init();

Thread *current_thread();

/// A new thread, runnable, whose first switch-in runs Start on its kernel stack with
/// Frame (a copy of which is placed there) as its argument. Null when the manifest's
/// thread limit or memory is reached.
Thread *thread_create(void (*start)(), const void *frame, size_t frame_size);

/// Blocks the current thread until wake() or, if Deadline (TSC) is not 0, until
/// then (current_thread()->timed_out says which). Reason names the wait. An
/// interruptible wait also ends when a signal comes for the thread, and does not start
/// if one is there already: its caller checks signal_pending() and returns EINTR.
void block(const char *reason, uint64_t deadline, bool interruptible = true);

/// Makes a blocked thread runnable (no effect on others).
void wake(Thread *t);

/// Ends T's wait if it is interruptible (a signal came for it).
void interrupt(Thread *t);

/// Iterates over the threads that are not dead: the first after Prev (null: the first).
Thread *next_thread(Thread *prev);
Thread *find_thread(int tid);

/// Calls Expired from the timer interrupt at TSC Deadline (0: never); one at a time
/// (the program's timers, linux/timers.cpp, keep their own list).
void set_timer_callback(uint64_t deadline, void (*expired)());

/// The same for the kernel's own devices (the network stack's timers), beside the
/// program's. While one is set, a CPU with nothing to run waits for it or for a
/// device's interrupt instead of reporting a deadlock: a server waiting for clients
/// is not stuck.
void set_device_timer(uint64_t deadline, void (*expired)());

/// Threads waiting for something to change (a pipe to fill or drain...), woken all
/// at once: each checks again whether what it waits for has happened.
struct WaitQueue {
  Thread *head;
};

/// Blocks the current thread on Queue until wake_all(Queue) or, if Deadline (TSC) is
/// not 0, until then (current_thread()->timed_out says which). Interruptible as
/// block() is.
void wait_on(WaitQueue &queue, const char *reason, uint64_t deadline,
             bool interruptible = true);

/// Makes every thread waiting on Queue runnable.
void wake_all(WaitQueue &queue);

/// Lets the other runnable threads run first.
void yield();

/// Halts the CPU until an interrupt, in kernel code that waits for a device or a timer
/// (interrupts are on only there); the caller looks at what changed.
void halt_in_kernel();

/// Ends the current thread; the last one to end ends the program with Status.
[[noreturn]] void thread_exit(int status);

/// Threads that are not dead.
int live_threads();

/// CPU time of the current thread and of the whole program, in TSC ticks.
uint64_t thread_cpu_ticks();
uint64_t process_cpu_ticks();

/// The timer interrupt (arch code calls it): wakes sleepers and preempts.
void timer_tick(bool from_user);

} // namespace uk
