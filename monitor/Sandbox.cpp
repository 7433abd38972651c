// Sandbox: the run loop's seccomp allow-list.
#include "Sandbox.h"

#include "Error.h"

#include <csignal>
#include <cstring>
#include <linux/kvm.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

namespace ukcxx {
namespace {

void onForbiddenCall(int, siginfo_t *Info, void *) {
  char Message[96];
  int Len = snprintf(Message, sizeof Message,
                     "ukrun: error: the monitor made a forbidden system call (%d)\n",
                     Info->si_syscall);
  (void)!write(2, Message, Len);
  _exit(125);
}

} // namespace

void confineToRunLoop(int VcpuFd) {
  struct sigaction Action = {};
  Action.sa_sigaction = onForbiddenCall;
  Action.sa_flags = SA_SIGINFO;
  sigaction(SIGSYS, &Action, nullptr);

  scmp_filter_ctx Ctx = seccomp_init(SCMP_ACT_TRAP);
  if (!Ctx)
    throw Error("seccomp_init failed");
  auto Allow = [&](int Nr) {
    if (seccomp_rule_add(Ctx, SCMP_ACT_ALLOW, Nr, 0) < 0)
      throw Error("seccomp_rule_add failed");
  };
  // Running the vCPU (and reading its registers, to say where a stopped guest was),
  // and nothing else of KVM.
  for (unsigned long Request :
       {(unsigned long)KVM_RUN, (unsigned long)KVM_GET_REGS, (unsigned long)KVM_GET_SREGS})
    seccomp_rule_add(Ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
                     SCMP_A0(SCMP_CMP_EQ, scmp_datum_t(VcpuFd)), SCMP_A1(SCMP_CMP_EQ, Request));
  // Console transfers, the exit, time, the timeout signal, and memory for the
  // console's line buffer.
  for (int Nr :
       {SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(read), SCMP_SYS(readv),
        SCMP_SYS(exit_group), SCMP_SYS(exit), SCMP_SYS(rt_sigreturn), SCMP_SYS(clock_gettime),
        SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(getpid),
        SCMP_SYS(close), SCMP_SYS(getrusage), SCMP_SYS(mincore)})
    Allow(Nr);
  // Anonymous memory for malloc, never executable.
  seccomp_rule_add(Ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                   SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  seccomp_rule_add(Ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                   SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  int Status = seccomp_load(Ctx);
  seccomp_release(Ctx);
  if (Status < 0)
    throw Error(std::string("cannot install the seccomp filter: ") + strerror(-Status));
}

} // namespace ukcxx
