// signal.cpp: signals as Linux has them for one process: an action per signal, a mask
// and a pending set per thread (and one for the process), handlers run on the way back
// to the program in a Linux rt_sigframe (so that glibc, unwinders and programs reading
// the ucontext find what they expect), rt_sigreturn, default actions, and system
// calls interrupted and restarted.
#include "uk/signal.h"

#include "uk/print.h"
#include "uk/process.h"
#include "uk/sched.h"
#include "uk/vm.h"

#include <asm-generic/errno-base.h>
#include <asm/signal.h>

extern "C" uint8_t uk_signal_work = 0;

namespace uk {
namespace {

constexpr uint64_t Unblockable = signal_bit(SIGKILL) | signal_bit(SIGSTOP);
constexpr uint64_t IgnoredByDefault =
    signal_bit(SIGCHLD) | signal_bit(SIGURG) | signal_bit(SIGWINCH) | signal_bit(SIGCONT);
// Nothing can continue a stopped unikernel: stopping is ignored instead (and said).
constexpr uint64_t StopByDefault =
    signal_bit(SIGSTOP) | signal_bit(SIGTSTP) | signal_bit(SIGTTIN) | signal_bit(SIGTTOU);
// Taken before the others, as Linux does: the fault that just happened.
constexpr uint64_t Synchronous = signal_bit(SIGSEGV) | signal_bit(SIGBUS) | signal_bit(SIGILL) |
                                 signal_bit(SIGTRAP) | signal_bit(SIGFPE) | signal_bit(SIGSYS);
// <asm/ucontext.h> and <asm/signal.h> values the kernel headers do not give freestanding.
constexpr uint64_t UC_FP_XSTATE = 1, UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;
constexpr int32_t SS_ONSTACK = 1, SS_DISABLE = 2;
constexpr uint64_t UserFlags = 0x254dd5; // rflags a handler's return may change (Linux's)
constexpr uint64_t DirectionTrapResume = 0x10500; // RF, DF, TF: cleared for a handler

struct SigContext { // struct sigcontext
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip,
      eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2, fpstate;
  uint64_t reserved[8];
};
static_assert(sizeof(SigContext) == 256);

struct AltStack { // stack_t
  uint64_t sp;
  int32_t flags, pad;
  uint64_t size;
};

struct UContext { // the kernel's struct ucontext (glibc's ucontext_t starts the same)
  uint64_t flags, link;
  AltStack stack;
  SigContext mcontext;
  uint64_t sigmask;
};

struct RtSigFrame {
  uint64_t pretcode; // the handler's return address: sa_restorer (rt_sigreturn)
  UContext uc;
  uint8_t info[128]; // siginfo_t
};
static_assert(sizeof(RtSigFrame) == 440);

// The software part Linux writes into the FXSAVE area's free bytes, so that readers
// of the frame know the XSAVE layout; and the word after the XSAVE area.
constexpr uint32_t FpMagic1 = 0x46505853, FpMagic2 = 0x46505845;
struct FpSoftware {
  uint32_t magic1, extended_size;
  uint64_t xfeatures;
  uint32_t xstate_size, padding[7];
};
constexpr size_t FpSoftwareOffset = 464;

SignalAction actions[MaxSignal + 1];
SignalInfo infos[MaxSignal + 1]; // the latest of each signal sent
uint64_t process_pending;        // sent to the process, no thread can take them yet
uint64_t stop_noted;

uint64_t xcr0() {
  uint32_t lo, hi;
  asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return uint64_t(hi) << 32 | lo;
}

bool ignored(int signal) {
  uint64_t handler = actions[signal].handler;
  return handler == HandlerIgnore ||
         (handler == HandlerDefault &&
          ((IgnoredByDefault | StopByDefault) & signal_bit(signal)));
}

uint64_t deliverable(const Thread &t) {
  return (t.pending_signals | process_pending) & ~t.blocked_signals;
}

/// Keeps uk_signal_work true while any thread has a signal it can take.
void update_work() {
  uk_signal_work = 0;
  for (Thread *t = next_thread(nullptr); t; t = next_thread(t))
    if (deliverable(*t))
      uk_signal_work = 1;
}

const char *signal_name(int signal) {
  static const char *const names[] = {
      nullptr,    "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",  "SIGTRAP",   "SIGABRT",
      "SIGBUS",   "SIGFPE",  "SIGKILL",   "SIGUSR1", "SIGSEGV", "SIGUSR2",   "SIGPIPE",
      "SIGALRM",  "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",   "SIGTSTP",
      "SIGTTIN",  "SIGTTOU", "SIGURG",    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
      "SIGWINCH", "SIGIO",   "SIGPWR",    "SIGSYS"};
  return signal < 32 ? names[signal] : "a real-time signal";
}

[[noreturn]] void terminate(int signal) {
  if (signal == SIGABRT)
    print("ukc++: the program aborted (SIGABRT)\n");
  else
    print("ukc++: the program received signal %d (%s) and ends\n", signal, signal_name(signal));
  exit_program(ExitKind::Signal, 128 + signal);
}

void write_info(uint8_t *out, const SignalInfo &info) {
  memset(out, 0, 128);
  memcpy(out, &info, sizeof info);
}

/// The FPU state at Area is one XRSTOR/FXRSTOR accepts (a bad one would fault in the
/// kernel): MXCSR's reserved bits clear and, for XSAVE, a standard-format header
/// naming only enabled components.
bool valid_fpu_state(const uint8_t *area) {
  uint32_t mxcsr;
  memcpy(&mxcsr, area + 24, 4);
  if (mxcsr & 0xffff0000)
    return false;
  if (!cpu_features.xsave)
    return true;
  uint64_t header[8];
  memcpy(header, area + 512, sizeof header);
  if (header[0] & ~xcr0())
    return false;
  for (int i = 1; i < 8; ++i)
    if (header[i])
      return false;
  return true;
}

bool on_altstack(const Thread &t, uint64_t sp) {
  return t.altstack_size && sp - t.altstack_sp <= t.altstack_size;
}

/// Builds the handler's frame on the program's stack (or its alternate stack) and
/// points F at the handler. False if the stack cannot hold it.
bool enter_handler(TrapFrame &f, Thread &t, int signal, const SignalAction &action) {
  uint64_t sp = f.rsp;
  bool was_on_altstack = on_altstack(t, sp);
  if ((action.flags & SA_ONSTACK) && t.altstack_size && !was_on_altstack)
    sp = t.altstack_sp + t.altstack_size;
  else
    sp -= 128; // the red zone below the interrupted code's stack pointer
  size_t fpu_size = fpu_state_size();
  size_t fpu_room = fpu_size + (cpu_features.xsave ? 4 : 0);
  uint64_t fpstate = align_down(sp - fpu_room, 64);
  uint64_t at = align_down(fpstate - sizeof(RtSigFrame), 16) - 8; // as after a call
  if (at >= UserTop || !user_ok(at, sp - at, ProtRead | ProtWrite))
    return false;

  auto *frame = reinterpret_cast<RtSigFrame *>(at);
  memset(frame, 0, sizeof *frame);
  frame->pretcode = action.restorer;
  frame->uc.flags =
      UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (cpu_features.xsave ? UC_FP_XSTATE : 0);
  frame->uc.stack = {t.altstack_sp,
                     int32_t(was_on_altstack   ? SS_ONSTACK
                             : t.altstack_size ? 0
                                               : SS_DISABLE),
                     0, t.altstack_size};
  SigContext &c = frame->uc.mcontext;
  c.r8 = f.r8, c.r9 = f.r9, c.r10 = f.r10, c.r11 = f.r11, c.r12 = f.r12, c.r13 = f.r13;
  c.r14 = f.r14, c.r15 = f.r15, c.rdi = f.rdi, c.rsi = f.rsi, c.rbp = f.rbp, c.rbx = f.rbx;
  c.rdx = f.rdx, c.rax = f.rax, c.rcx = f.rcx, c.rsp = f.rsp, c.rip = f.rip;
  c.eflags = f.rflags;
  c.cs = uint16_t(f.cs), c.ss = uint16_t(f.ss);
  bool fault = f.vector < 32;
  c.err = fault ? f.error : 0;
  c.trapno = fault ? f.vector : 0;
  c.cr2 = fault && f.vector == 14 ? infos[signal].word16 : 0;
  c.fpstate = fpstate;
  uint64_t mask = t.restore_blocked ? t.saved_blocked : t.blocked_signals;
  t.restore_blocked = false;
  c.oldmask = mask;
  frame->uc.sigmask = mask;
  write_info(frame->info, infos[signal]);

  auto *area = reinterpret_cast<uint8_t *>(fpstate);
  // XSAVE writes only the header's bits for the components it saves; the rest of the
  // header is whatever the stack held, which XRSTOR would refuse.
  if (cpu_features.xsave)
    memset(area + 512, 0, 64);
  fpu_save(area);
  if (cpu_features.xsave) {
    FpSoftware sw = {FpMagic1, uint32_t(fpu_size + 4), xcr0(), uint32_t(fpu_size), {}};
    memcpy(area + FpSoftwareOffset, &sw, sizeof sw);
    memcpy(area + fpu_size, &FpMagic2, 4);
  }

  f.rip = action.handler;
  f.rsp = at;
  f.rdi = uint64_t(signal);
  f.rsi = at + __builtin_offsetof(RtSigFrame, info);
  f.rdx = at + __builtin_offsetof(RtSigFrame, uc);
  f.rax = 0;
  f.rflags &= ~DirectionTrapResume;
  uint64_t blocked = mask | action.mask | (action.flags & SA_NODEFER ? 0 : signal_bit(signal));
  t.blocked_signals = blocked & ~Unblockable;
  if (action.flags & SA_RESETHAND)
    actions[signal] = {};
  return true;
}

void restart(TrapFrame &f) {
  f.rax = uk_percpu.syscall_nr; // the scheduler keeps it per thread
  f.rip -= 2;                   // back onto the syscall instruction
}

} // namespace

SignalAction &signal_action(int signal) { return actions[signal]; }

void send_signal(int signal, Thread *to, const SignalInfo &info) {
  uint64_t bit = signal_bit(signal);
  infos[signal] = info;
  bool waited = false;
  for (Thread *t = next_thread(nullptr); t; t = next_thread(t))
    waited |= (t->waiting_signals & bit) != 0;
  if (ignored(signal) && !waited) {
    if ((StopByDefault & bit) && actions[signal].handler == HandlerDefault &&
        !(stop_noted & bit)) {
      stop_noted |= bit;
      print("ukc++: %s would stop the program; nothing could continue it, so it is ignored\n",
            signal_name(signal));
    }
    return; // discarded when sent, as Linux does
  }
  if (!to) {
    // A thread waiting for it in rt_sigtimedwait, else one that does not block it,
    // this one first.
    Thread *self = current_thread();
    for (Thread *t = next_thread(nullptr); t && !to; t = next_thread(t))
      if (t->waiting_signals & bit)
        to = t;
    if (!to && !(self->blocked_signals & bit))
      to = self;
    for (Thread *t = next_thread(nullptr); t && !to; t = next_thread(t))
      if (!(t->blocked_signals & bit))
        to = t;
    if (!to) {
      process_pending |= bit; // until a thread unblocks it
      return;
    }
  }
  to->pending_signals |= bit;
  if (!(to->blocked_signals & bit) || (to->waiting_signals & bit)) {
    uk_signal_work = 1;
    interrupt(to);
  }
}

bool signal_pending() { return deliverable(*current_thread()) != 0; }

uint64_t pending_signals() { return current_thread()->pending_signals | process_pending; }

void set_blocked_signals(uint64_t mask) {
  Thread &t = *current_thread();
  t.blocked_signals = mask & ~Unblockable;
  if (deliverable(t))
    uk_signal_work = 1; // a pending signal unblocked; a stale 1 is cleared at delivery
}

int take_signal(uint64_t set, SignalInfo &info) {
  Thread &t = *current_thread();
  uint64_t ready = (t.pending_signals | process_pending) & set;
  if (!ready)
    return 0;
  int signal = __builtin_ctzll(ready) + 1;
  t.pending_signals &= ~signal_bit(signal);
  process_pending &= ~signal_bit(signal);
  info = infos[signal];
  update_work();
  return signal;
}

void deliver_signals(TrapFrame &f, bool syscall_result) {
  Thread &t = *current_thread();
  bool interrupted = syscall_result && int64_t(f.rax) == -RestartSys;
  for (;;) {
    uint64_t ready = deliverable(t);
    if (!ready)
      break;
    if (ready & Synchronous)
      ready &= Synchronous;
    int signal = __builtin_ctzll(ready) + 1;
    uint64_t bit = signal_bit(signal);
    t.pending_signals &= ~bit;
    process_pending &= ~bit;
    if (ignored(signal))
      continue;
    const SignalAction action = actions[signal];
    if (action.handler == HandlerDefault)
      terminate(signal);
    if (interrupted) {
      if (action.flags & SA_RESTART)
        restart(f);
      else
        f.rax = uint64_t(-EINTR);
      interrupted = false;
    }
    if (!enter_handler(f, t, signal, action)) {
      print("ukc++: cannot run the handler of signal %d (%s): the stack at %#lx cannot hold "
            "its frame\n",
            signal, signal_name(signal), f.rsp);
      exit_program(ExitKind::Signal, 128 + SIGSEGV);
    }
    break; // one handler per return; the next after its rt_sigreturn
  }
  if (interrupted)
    restart(f); // no handler ran: the call carries on as if nothing happened
  update_work();
}

bool deliver_fault(TrapFrame &f, int signal, int code, uint64_t address) {
  Thread &t = *current_thread();
  uint64_t handler = actions[signal].handler;
  // A fault whose signal is blocked or ignored ends the program, as on Linux.
  if (handler == HandlerDefault || handler == HandlerIgnore ||
      (t.blocked_signals & signal_bit(signal)))
    return false;
  infos[signal] = {signal, 0, code, 0, address, 0};
  return enter_handler(f, t, signal, actions[signal]); // else the caller reports it
}

bool signal_return(TrapFrame &f) {
  Thread &t = *current_thread();
  uint64_t at = f.rsp - 8; // the handler's ret took pretcode
  if (!user_ok(at, sizeof(RtSigFrame), ProtRead))
    return false;
  const auto *frame = reinterpret_cast<const RtSigFrame *>(at);
  const SigContext &c = frame->uc.mcontext;
  // An address the CPU cannot return to would fault in the kernel: refuse it here.
  if (c.rip >= UserTop || c.rsp >= UserTop)
    return false;
  if (c.fpstate) {
    size_t fpu_size = fpu_state_size();
    if (c.fpstate % 64 || !user_ok(c.fpstate, fpu_size, ProtRead))
      return false;
    const auto *area = reinterpret_cast<const uint8_t *>(c.fpstate);
    if (!valid_fpu_state(area))
      return false;
    fpu_restore(area);
  }
  f.r8 = c.r8, f.r9 = c.r9, f.r10 = c.r10, f.r11 = c.r11, f.r12 = c.r12, f.r13 = c.r13;
  f.r14 = c.r14, f.r15 = c.r15, f.rdi = c.rdi, f.rsi = c.rsi, f.rbp = c.rbp, f.rbx = c.rbx;
  f.rdx = c.rdx, f.rax = c.rax, f.rcx = c.rcx, f.rsp = c.rsp, f.rip = c.rip;
  f.rflags = (f.rflags & ~UserFlags) | (c.eflags & UserFlags);
  const AltStack &alt = frame->uc.stack;
  if (!on_altstack(t, f.rsp) && !(alt.flags & ~SS_DISABLE)) {
    t.altstack_sp = alt.flags & SS_DISABLE ? 0 : alt.sp;
    t.altstack_size = alt.flags & SS_DISABLE ? 0 : alt.size;
  }
  set_blocked_signals(frame->uc.sigmask);
  return true;
}

} // namespace uk
