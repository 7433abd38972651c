// signal.h: signals: what the program set up for each, what is pending for each
// thread, and running handlers on the way back to the program.
#pragma once

#include "uk/cpu.h"

namespace uk {

struct Thread;

constexpr int MaxSignal = 64;
constexpr uint64_t signal_bit(int signal) { return 1ull << (signal - 1); }

/// A signal's action, laid out as the kernel's struct sigaction on x86-64.
struct SignalAction {
  uint64_t handler, flags, restorer, mask;
};
constexpr uint64_t HandlerDefault = 0, HandlerIgnore = 1;

/// What a handler is told: siginfo_t's fields that carry anything (the words at
/// offsets 16 and 24 are the sender's pid and uid, the fault address, or a timer's id,
/// overrun and value, as si_code says).
struct SignalInfo {
  int32_t signo, error, code, pad;
  uint64_t word16, word24;
};

SignalAction &signal_action(int signal);

/// Sends Signal to thread To, or to the process (To null: any thread that does not
/// block it takes it). A signal nobody handles whose default action is to end the
/// program ends it when it is taken.
void send_signal(int signal, Thread *to, const SignalInfo &info);

/// The current thread has a signal to take: a wait should end (EINTR, or a restart).
bool signal_pending();

/// Before a return to the program with the full register state F: runs the handler of
/// the next signal due, or carries out its default action. SyscallResult: F.rax is
/// the result of a system call (which -ERESTARTSYS asks to restart).
void deliver_signals(TrapFrame &f, bool syscall_result);

/// A fault in the program: true if a handler takes it (F now enters the handler);
/// false if the default action applies (the caller reports it and ends the run).
bool deliver_fault(TrapFrame &f, int signal, int code, uint64_t address);

/// rt_sigreturn: the state the handler's frame saved, back into F. False if the frame
/// is not readable or not valid (the caller ends the run).
bool signal_return(TrapFrame &f);

/// Sets the current thread's mask (SIGKILL and SIGSTOP cannot be blocked).
void set_blocked_signals(uint64_t mask);

/// Takes a pending signal of Set for the current thread (rt_sigtimedwait), or 0.
int take_signal(uint64_t set, SignalInfo &info);

/// Pending signals of the current thread and of the process.
uint64_t pending_signals();

/// A system call interrupted before it did anything: restarted after a handler with
/// SA_RESTART, else it fails with EINTR.
constexpr long RestartSys = 512; // ERESTARTSYS

} // namespace uk

extern "C" {
/// Set while some thread may have a signal to take: the fast system call path
/// (entry.S) then returns through uk_signal_work.
extern uint8_t uk_signal_work;
}
