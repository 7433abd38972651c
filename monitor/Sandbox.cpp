// Sandbox: the run loop's seccomp allow-list.
#include "Sandbox.h"

#include "Error.h"
#include "Landlock.h"
#include "VolumeSet.h"

#include <csignal>
#include <cstring>
#include <fcntl.h>
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

std::string confineToRunLoop(int VcpuFd, const VolumeSet *Volumes) {
  bool Serving = Volumes && !Volumes->empty();
  std::string Note = Serving ? confineToVolumes(*Volumes) : "";
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
  if (Serving) {
    // What the volume servers call (monitor/volume): one-component lookups and changes
    // in folders they hold, I/O on descriptors they opened. No open, openat, chdir,
    // execve or mknod: only openat2, whose resolve flags the servers always set.
    constexpr int Fchmodat2 = 452; // Linux 6.6; libseccomp 2.5.4 has no name for it
    for (int Nr : {SCMP_SYS(openat2), SCMP_SYS(statx), SCMP_SYS(fstatfs), SCMP_SYS(getdents64),
                   SCMP_SYS(lseek), SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(readlinkat),
                   SCMP_SYS(mkdirat), SCMP_SYS(unlinkat), SCMP_SYS(renameat2),
                   SCMP_SYS(symlinkat), SCMP_SYS(linkat), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
                   SCMP_SYS(ftruncate), SCMP_SYS(fchmod), Fchmodat2, SCMP_SYS(utimensat)})
      Allow(Nr);
    // Duplicating a descriptor (a created file's handle), nothing else of fcntl.
    seccomp_rule_add(Ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
                     SCMP_A1(SCMP_CMP_EQ, scmp_datum_t(F_DUPFD_CLOEXEC)));
  }
  int Status = seccomp_load(Ctx);
  seccomp_release(Ctx);
  if (Status < 0)
    throw Error(std::string("cannot install the seccomp filter: ") + strerror(-Status));
  return Note;
}

} // namespace ukcxx
