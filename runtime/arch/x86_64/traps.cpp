// traps.cpp: the C++ side of every kernel entry but the fast system call path.
#include "uk/print.h"
#include "uk/signal.h"
#include "uk/trap.h"

#include <asm/signal.h>

namespace uk {
namespace {

IrqHandler irq_handlers[256];

const char *const exception_names[32] = {"divide error",
                                         "debug",
                                         "NMI",
                                         "breakpoint",
                                         "overflow",
                                         "bound range exceeded",
                                         "invalid opcode",
                                         "device not available",
                                         "double fault",
                                         "coprocessor overrun",
                                         "invalid TSS",
                                         "segment not present",
                                         "stack-segment fault",
                                         "general protection fault",
                                         "page fault",
                                         "reserved",
                                         "x87 floating-point error",
                                         "alignment check",
                                         "machine check",
                                         "SIMD floating-point error",
                                         "virtualization error",
                                         "control protection error",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "hypervisor injection",
                                         "VMM communication",
                                         "security",
                                         "reserved"};

/// The Linux signal a program fault raises, as the shell reports it (128 + signal).
int signal_for(uint64_t vector) {
  switch (vector) {
  case 0:
  case 16:
  case 19:
    return SIGFPE;
  case 1:
  case 3:
    return SIGTRAP;
  case 6:
    return SIGILL;
  case 17:
    return SIGBUS;
  default:
    return SIGSEGV;
  }
}

[[noreturn]] void kernel_fault(TrapFrame &f) {
  uint64_t cr2 = f.vector == 14 ? read_cr2() : 0;
  print("ukc++: kernel %s (vector %lu, error %#lx) at rip %#lx, address %#lx\n",
        f.vector < 32 ? exception_names[f.vector] : "interrupt", f.vector, f.error, f.rip, cr2);
  dump_frame(f);
  PANIC("unrecoverable fault in the kernel");
}

void handle_trap(TrapFrame &f) {
  if (f.vector >= 32) {
    if (irq_handlers[f.vector])
      irq_handlers[f.vector](f);
    return;
  }
  if (f.vector == 14) {
    // The kernel may touch a not-yet-mapped page of the program's stack while
    // copying a system call's data: map it as if the program had touched it.
    uint64_t address = read_cr2();
    if (handle_user_page_fault(address, f.error))
      return;
    if (f.from_user())
      return user_fault(f, SIGSEGV, "page fault", address);
  }
  if (!f.from_user())
    kernel_fault(f);
  user_fault(f, signal_for(f.vector), exception_names[f.vector], 0);
}

} // namespace

void set_irq_handler(unsigned vector, IrqHandler handler) {
  irq_handlers[vector] = handler;
  enable_vector(vector);
}

extern "C" void uk_trap(TrapFrame *frame) {
  handle_trap(*frame);
  // Back to the program: a signal sent meanwhile (a timer's) is taken now.
  if (frame->from_user() && uk_signal_work)
    deliver_signals(*frame, false);
}

extern "C" void uk_syscall(TrapFrame *frame) {
  syscall_dispatch(*frame);
  if (uk_signal_work) // rt_sigreturn's result is the restored rax, not a result
    deliver_signals(*frame, frame->vector == SyscallVector && uk_percpu.syscall_nr != 15);
}

/// The fast path's way out when a signal may be due (entry.S).
extern "C" void uk_syscall_signals(TrapFrame *frame) { deliver_signals(*frame, true); }

} // namespace uk
