// sched.cpp: threads on one CPU. A FIFO run queue, sleepers sorted by deadline, one
// one-shot timer armed for the nearest of the next deadline and the end of the running
// thread's slice, and an idle loop that halts the CPU. Per-CPU state is one struct
// (Cpu), so that more CPUs can each have one (docs/runtime.md says how).
#include "uk/sched.h"

#include "uk/cpu.h"
#include "uk/manifest.h"
#include "uk/memory.h"
#include "uk/paging.h"
#include "uk/print.h"
#include "uk/process.h"
#include "uk/signal.h"
#include "uk/time.h"
#include "uk/timer.h"

extern "C" char uk_boot_stack_top[];

namespace uk {
namespace {

constexpr uint64_t SliceMs = 10;
constexpr uint64_t KernelStackSize = 16 * KiB;
// Kernel stacks: one 64 KiB slot each, the stack at its top, the rest unmapped so
// that an overflow faults instead of corrupting the next.
constexpr uint64_t KernelStackArea = 0xffffa00000000000ull;
constexpr uint64_t KernelStackSlot = 64 * KiB;
constexpr int MaxSlots = 4096; // the manifest's threads.max is at most this

struct Cpu {
  Thread *current;
  Thread *run_head, *run_tail; // runnable, not running
  Thread *sleepers;            // blocked with a deadline, nearest first
  Thread *zombie;              // dead, its stack to free once switched away from
  uint64_t slice_end;          // TSC at which the running thread should yield
  uint64_t timer_callback_at;  // TSC at which to call timer_callback, or 0
  void (*timer_callback)();
  uint64_t device_timer_at; // the same for the kernel's devices
  void (*device_timer)();
  uint64_t idle_ticks;
  bool halted; // in halt_in_kernel(): the only kernel code interrupts reach
};

Cpu cpu0;
Thread boot_thread;
Thread *threads_by_slot[MaxSlots];
int next_tid = 2, live = 1;
uint64_t slot_bits[MaxSlots / 64];
size_t fpu_size;
uint64_t slice_ticks;

void enqueue(Thread *t) {
  t->state = ThreadState::Runnable;
  t->next = nullptr;
  if (cpu0.run_tail)
    cpu0.run_tail->next = t;
  else
    cpu0.run_head = t;
  cpu0.run_tail = t;
}

Thread *dequeue() {
  Thread *t = cpu0.run_head;
  if (t) {
    cpu0.run_head = t->next;
    if (!cpu0.run_head)
      cpu0.run_tail = nullptr;
    t->next = nullptr;
  }
  return t;
}

void add_sleeper(Thread *t) {
  Thread **at = &cpu0.sleepers;
  while (*at && (*at)->deadline <= t->deadline)
    at = &(*at)->sleep_next;
  t->sleep_next = *at;
  *at = t;
}

void remove_sleeper(Thread *t) {
  for (Thread **at = &cpu0.sleepers; *at; at = &(*at)->sleep_next)
    if (*at == t) {
      *at = t->sleep_next;
      t->sleep_next = nullptr;
      return;
    }
}

/// Arms the timer for the nearest event: a sleeper's deadline, or the end of the
/// running thread's slice when others wait to run. No event, no timer: a lone thread
/// runs without interruptions. Not the slice while the CPU is halted in the kernel
/// (an interrupt there woke a thread, or set a timer): what halted runs the waiting
/// threads by itself, and a slice that is over would fire again the moment HLT
/// enabled interrupts, forever, before it could (KVM's deadline timer fires at once:
/// a woken thread never ran).
void rearm() {
  uint64_t next = cpu0.sleepers ? cpu0.sleepers->deadline : 0;
  if (cpu0.run_head && !cpu0.halted && (!next || cpu0.slice_end < next))
    next = cpu0.slice_end;
  if (cpu0.timer_callback_at && (!next || cpu0.timer_callback_at < next))
    next = cpu0.timer_callback_at;
  if (cpu0.device_timer_at && (!next || cpu0.device_timer_at < next))
    next = cpu0.device_timer_at;
  timer_arm(next);
}

void report_waiting(const Thread &t) {
  if (t.state == ThreadState::Dead)
    return;
  const char *reason = t.wait_reason ? t.wait_reason : "blocked";
  if (t.wait_address)
    print("ukc++:   thread %d: %s at %#lx\n", t.tid, reason, t.wait_address);
  else
    print("ukc++:   thread %d: %s\n", t.tid, reason);
}

[[noreturn]] void report_deadlock() {
  print("ukc++: deadlock: every thread is blocked and no timer is pending\n");
  for (Thread *t : threads_by_slot)
    if (t)
      report_waiting(*t);
  report_waiting(boot_thread);
  exit_program(ExitKind::Signal, 128 + 6);
}

/// Wakes every sleeper whose deadline has passed.
void wake_expired() {
  uint64_t now = rdtsc();
  while (cpu0.sleepers && cpu0.sleepers->deadline <= now) {
    Thread *t = cpu0.sleepers;
    cpu0.sleepers = t->sleep_next;
    t->sleep_next = nullptr;
    t->timed_out = true;
    t->deadline = 0;
    enqueue(t);
  }
}

void switch_to(Thread *next) {
  Thread *prev = cpu0.current;
  uint64_t now = rdtsc();
  prev->cpu_ticks += now - prev->ran_since;
  next->ran_since = now;
  next->state = ThreadState::Running;
  cpu0.slice_end = now + slice_ticks;
  if (prev == next)
    return;
  fpu_save(prev->fpu);
  prev->syscall_nr = uint16_t(uk_percpu.syscall_nr);
  uk_percpu.syscall_nr = next->syscall_nr;
  prev->fs_base = rdmsr(MSR_FS_BASE);
  prev->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
  cpu0.current = next;
  set_kernel_stack(next->kernel_stack_top);
  wrmsr(MSR_FS_BASE, next->fs_base);
  wrmsr(MSR_KERNEL_GS_BASE, next->gs_base);
  fpu_restore(next->fpu);
  uk_switch_context(&prev->kernel_rsp, next->kernel_rsp);
}

void free_zombie() {
  Thread *z = cpu0.zombie;
  if (!z || z == cpu0.current)
    return;
  cpu0.zombie = nullptr;
  uint64_t stack =
      KernelStackArea + uint64_t(z->slot) * KernelStackSlot + KernelStackSlot - KernelStackSize;
  unmap(stack, KernelStackSize);
  slot_bits[z->slot / 64] &= ~(1ull << (z->slot % 64));
  threads_by_slot[z->slot] = nullptr;
  frame_free(reinterpret_cast<uint64_t>(z) - DirectMapBase);
}

/// Runs the next runnable thread, idling (CPU halted) until one is. Returns when the
/// current thread runs again.
void schedule() {
  for (;;) {
    wake_expired();
    if (Thread *next = dequeue()) {
      rearm();
      switch_to(next);
      free_zombie();
      return;
    }
    if (cpu0.current->state == ThreadState::Running)
      return; // nothing else to run: carry on
    if (!cpu0.sleepers && !cpu0.timer_callback_at && !cpu0.device_timer_at)
      report_deadlock();
    rearm();
    uint64_t idle_from = rdtsc();
    halt_in_kernel(); // the timer interrupt wakes sleepers
    cpu0.idle_ticks += rdtsc() - idle_from;
  }
}

int allocate_slot() {
  for (int w = 0; w < MaxSlots / 64; ++w)
    if (~slot_bits[w]) {
      int bit = __builtin_ctzll(~slot_bits[w]);
      slot_bits[w] |= 1ull << bit;
      return w * 64 + bit;
    }
  return -1;
}

} // namespace

void sched_init() {
  boot_thread.tid = 1;
  boot_thread.kernel_stack_top = reinterpret_cast<uint64_t>(uk_boot_stack_top);
  boot_thread.state = ThreadState::Running;
  boot_thread.slot = -1;
  boot_thread.ran_since = rdtsc();
  cpu0.current = &boot_thread;
  slice_ticks = tsc_hz() / 1000 * SliceMs;
}

Thread *current_thread() { return cpu0.current; }

int live_threads() { return live; }

Thread *thread_create(void (*start)(), const void *frame, size_t frame_size) {
  if (live >= int(manifest().threads_max))
    return nullptr;
  if (!fpu_size) {
    fpu_size = fpu_state_size();
    VERIFY(fpu_size <= PageSize - 512);
    // The boot thread's state needs a home too, once there is a second thread.
    uint64_t frame_phys = frame_alloc();
    if (!frame_phys)
      return nullptr;
    boot_thread.fpu = static_cast<uint8_t *>(phys_to_virt(frame_phys));
  }
  int slot = allocate_slot();
  uint64_t phys = slot < 0 ? 0 : frame_alloc();
  uint64_t stack = KernelStackArea + uint64_t(slot) * KernelStackSlot + KernelStackSlot;
  if (!phys || !map_anonymous(stack - KernelStackSize, KernelStackSize, ProtRead | ProtWrite)) {
    if (phys)
      frame_free(phys);
    if (slot >= 0)
      slot_bits[slot / 64] &= ~(1ull << (slot % 64));
    return nullptr;
  }
  auto *t = static_cast<Thread *>(phys_to_virt(phys));
  t->tid = next_tid++;
  t->slot = slot;
  t->kernel_stack_top = stack;
  t->fpu = reinterpret_cast<uint8_t *>(t) + 512;
  // The new thread starts with the creator's vector state, as on Linux.
  fpu_save(t->fpu);
  t->fs_base = rdmsr(MSR_FS_BASE);
  t->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
  memcpy(t->name, cpu0.current->name, sizeof t->name); // as clone copies it
  t->blocked_signals = cpu0.current->blocked_signals;
  // Its kernel stack: the frame, then what uk_switch_context pops (six callee-saved
  // registers and a return address, which is Start).
  uint64_t sp = stack - align_up(frame_size, 16);
  memcpy(reinterpret_cast<void *>(sp), frame, frame_size);
  sp -= 8;
  *reinterpret_cast<uint64_t *>(sp) = reinterpret_cast<uint64_t>(start);
  sp -= 6 * 8;
  memset(reinterpret_cast<void *>(sp), 0, 6 * 8);
  t->kernel_rsp = sp;
  threads_by_slot[slot] = t;
  ++live;
  enqueue(t);
  rearm(); // another runnable thread: the running one now has a slice
  return t;
}

void block(const char *reason, uint64_t deadline, bool interruptible) {
  Thread *t = cpu0.current;
  t->timed_out = false;
  if (interruptible && signal_pending())
    return;
  t->interruptible = interruptible;
  t->state = ThreadState::Blocked;
  t->wait_reason = reason;
  t->deadline = deadline;
  if (deadline)
    add_sleeper(t);
  schedule();
  t->wait_reason = nullptr;
}

void wake(Thread *t) {
  if (t->state != ThreadState::Blocked)
    return;
  if (t->deadline)
    remove_sleeper(t);
  t->deadline = 0;
  enqueue(t);
}

void wait_on(WaitQueue &queue, const char *reason, uint64_t deadline, bool interruptible) {
  Thread *t = cpu0.current;
  t->wait_next = queue.head;
  queue.head = t;
  block(reason, deadline, interruptible);
  // Woken by the deadline: still queued.
  for (Thread **at = &queue.head; *at; at = &(*at)->wait_next)
    if (*at == t) {
      *at = t->wait_next;
      break;
    }
}

void wake_all(WaitQueue &queue) {
  while (Thread *t = queue.head) {
    queue.head = t->wait_next;
    wake(t);
  }
}

void interrupt(Thread *t) {
  if (t->state == ThreadState::Blocked && t->interruptible)
    wake(t);
}

Thread *next_thread(Thread *prev) {
  int from = 0;
  if (!prev) {
    if (boot_thread.state != ThreadState::Dead)
      return &boot_thread;
  } else if (prev != &boot_thread) {
    from = prev->slot + 1;
  }
  // The slots in use, a word of the bitmap at a time: threads are few, slots many.
  for (int w = from / 64; w < MaxSlots / 64; ++w) {
    uint64_t used = slot_bits[w] & (w == from / 64 ? ~0ull << (from % 64) : ~0ull);
    for (; used; used &= used - 1) {
      Thread *t = threads_by_slot[w * 64 + __builtin_ctzll(used)];
      if (t && t->state != ThreadState::Dead)
        return t;
    }
  }
  return nullptr;
}

Thread *find_thread(int tid) {
  for (Thread *t = next_thread(nullptr); t; t = next_thread(t))
    if (t->tid == tid)
      return t;
  return nullptr;
}

void set_timer_callback(uint64_t deadline, void (*expired)()) {
  cpu0.timer_callback_at = deadline;
  cpu0.timer_callback = expired;
  rearm();
}

void set_device_timer(uint64_t deadline, void (*expired)()) {
  cpu0.device_timer_at = deadline;
  cpu0.device_timer = expired;
  rearm();
}

void halt_in_kernel() {
  cpu0.halted = true;
  halt_until_interrupt();
  cpu0.halted = false;
}

void yield() {
  if (!cpu0.run_head)
    return;
  enqueue(cpu0.current);
  schedule();
}

[[noreturn]] void thread_exit(int status) {
  Thread *t = cpu0.current;
  if (--live == 0)
    exit_program(ExitKind::Exit, status);
  t->state = ThreadState::Dead;
  if (t != &boot_thread)
    cpu0.zombie = t;
  schedule();
  PANIC("a dead thread ran again");
}

uint64_t thread_cpu_ticks() {
  return cpu0.current->cpu_ticks + (rdtsc() - cpu0.current->ran_since);
}

uint64_t process_cpu_ticks() { return tsc_at(monotonic_ns()) - cpu0.idle_ticks - tsc_at(0); }

void timer_tick(bool from_user) {
  wake_expired();
  if (cpu0.timer_callback_at && rdtsc() >= cpu0.timer_callback_at) {
    cpu0.timer_callback_at = 0;
    cpu0.timer_callback(); // may set the next one
  }
  if (cpu0.device_timer_at && rdtsc() >= cpu0.device_timer_at) {
    cpu0.device_timer_at = 0;
    cpu0.device_timer();
  }
  // Preempt only the program: the kernel runs with interrupts off, and the idle loop
  // reschedules by itself.
  if (from_user && cpu0.run_head && rdtsc() >= cpu0.slice_end)
    yield();
  rearm();
}

} // namespace uk
