// trap.h: what the kernel does with traps: system calls, program faults, interrupts.
#pragma once

#include "uk/cpu.h"

namespace uk {

/// Runs the system call in F (number in rax, arguments in rdi, rsi, rdx, r10, r8,
/// r9) and stores the result in rax.
void syscall_dispatch(TrapFrame &f);

/// A fault in the program (ring 3): runs its handler if the program has one, else
/// reports it and ends the run with 128+signal.
void user_fault(TrapFrame &f, int signal, const char *what, uint64_t address);

/// Demand-maps the page holding Address if it lies in a growable region (the main
/// stack). Returns false if the fault is a real error.
bool handle_user_page_fault(uint64_t address, uint64_t error);

/// An interrupt handler for vectors 32..255.
using IrqHandler = void (*)(TrapFrame &f);
void set_irq_handler(unsigned vector, IrqHandler handler);

/// Prints registers and a backtrace of F (for panics and program faults).
void dump_frame(const TrapFrame &f);

} // namespace uk
