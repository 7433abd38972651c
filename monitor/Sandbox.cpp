// Sandbox: the run loop's seccomp allow-list.
#include "Sandbox.h"

#include "Error.h"
#include "KvmAbi.h"
#include "Landlock.h"
#include "VolumeSet.h"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
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

/// openat fails with EACCES rather than stopping the run: glibc's malloc, the first time
/// it shrinks a thread's heap (after a burst of network frames, or at the end of a
/// run), reads /proc/sys/vm/overcommit_memory once and, refused, takes the default
/// (pages released with madvise). Nothing else of the monitor's opens files then.
bool refuseOpenat(scmp_filter_ctx Ctx) {
  return seccomp_rule_add(Ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0) >= 0;
}

void installForbiddenCallHandler() {
  struct sigaction Action = {};
  Action.sa_sigaction = onForbiddenCall;
  Action.sa_flags = SA_SIGINFO;
  sigaction(SIGSYS, &Action, nullptr);
}

} // namespace

std::string confineToRunLoop(int VcpuFd, const VolumeSet *Volumes, int VmFd) {
  bool Serving = Volumes && !Volumes->empty();
  std::string Note = Serving ? confineToVolumes(*Volumes) : "";
  installForbiddenCallHandler();

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
  if (VmFd >= 0)
    seccomp_rule_add(Ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
                     SCMP_A0(SCMP_CMP_EQ, scmp_datum_t(VmFd)),
                     SCMP_A1(SCMP_CMP_EQ, scmp_datum_t(KvmSetGsiRouting)));
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
  if (!refuseOpenat(Ctx))
    throw Error("seccomp_rule_add failed");
  int Status = seccomp_load(Ctx);
  seccomp_release(Ctx);
  if (Status < 0)
    throw Error(std::string("cannot install the seccomp filter: ") + strerror(-Status));
  return Note;
}

void confineNetworkThread(bool Outbound) {
  installForbiddenCallHandler();
  scmp_filter_ctx Ctx = seccomp_init(SCMP_ACT_TRAP);
  if (!Ctx)
    throw Error("seccomp_init failed");
  bool Ok = true;
  auto Rule = [&](int Nr, unsigned Count = 0, scmp_arg_cmp A = {}, scmp_arg_cmp B = {}) {
    int R = Count == 0   ? seccomp_rule_add(Ctx, SCMP_ACT_ALLOW, Nr, 0)
            : Count == 1 ? seccomp_rule_add(Ctx, SCMP_ACT_ALLOW, Nr, 1, A)
                         : seccomp_rule_add(Ctx, SCMP_ACT_ALLOW, Nr, 2, A, B);
    Ok &= R >= 0;
  };
  // Waiting, eventfd and socket I/O on descriptors the thread holds, accepting the
  // forwards' connections (their listening sockets were bound before), and slirp's
  // socket options; memory and time for slirp and glib; the end of the thread.
  for (int Nr : {SCMP_SYS(poll),          SCMP_SYS(ppoll),        SCMP_SYS(read),
                 SCMP_SYS(write),         SCMP_SYS(readv),        SCMP_SYS(writev),
                 SCMP_SYS(recvfrom),      SCMP_SYS(recvmsg),      SCMP_SYS(sendto),
                 SCMP_SYS(sendmsg),       SCMP_SYS(accept),       SCMP_SYS(accept4),
                 SCMP_SYS(shutdown),      SCMP_SYS(close),        SCMP_SYS(setsockopt),
                 SCMP_SYS(getsockopt),    SCMP_SYS(getsockname),  SCMP_SYS(getpeername),
                 SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(futex),
                 SCMP_SYS(brk),           SCMP_SYS(munmap),       SCMP_SYS(madvise),
                 SCMP_SYS(exit),          SCMP_SYS(exit_group),   SCMP_SYS(rt_sigreturn),
                 SCMP_SYS(getpid),        SCMP_SYS(gettid),       SCMP_SYS(restart_syscall),
                 SCMP_SYS(rt_sigprocmask)})
    Rule(Nr);
  Rule(SCMP_SYS(mmap), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  Rule(SCMP_SYS(mprotect), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  // Non-blocking mode and pending bytes, nothing else of fcntl and ioctl.
  for (int Command : {F_GETFL, F_SETFL, F_GETFD, F_SETFD})
    Rule(SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, scmp_datum_t(Command)));
  for (unsigned long Request : {(unsigned long)FIONREAD, (unsigned long)FIONBIO})
    Rule(SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, scmp_datum_t(Request)));
  if (Outbound) {
    // IPv4 sockets to connect out (TCP) or send from (UDP, ICMP echo as datagrams).
    Rule(SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_INET));
    for (int Nr : {SCMP_SYS(connect), SCMP_SYS(bind)})
      Rule(Nr);
    // slirp reads /etc/resolv.conf to forward the guest's DNS queries: reading only.
    Rule(SCMP_SYS(openat), 1,
         SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY));
    for (int Nr : {SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(stat), SCMP_SYS(lseek)})
      Rule(Nr);
  } else {
    Ok &= refuseOpenat(Ctx);
  }
  if (!Ok) {
    seccomp_release(Ctx);
    throw Error("seccomp_rule_add failed");
  }
  int Status = seccomp_load(Ctx);
  seccomp_release(Ctx);
  if (Status < 0)
    throw Error(std::string("cannot install the network thread's seccomp filter: ") +
                strerror(-Status));
}

} // namespace ukcxx
