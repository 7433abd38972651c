// clone.cpp: thread creation, as glibc's pthread_create asks for it (clone3, or clone
// on older libcs): CLONE_VM | CLONE_THREAD with the TLS, parent and child tid options.
// Anything that would make a second process (fork, vfork, clone without CLONE_VM) is
// refused: a unikernel runs one program.
#include "uk/print.h"
#include "uk/sched.h"
#include "uk/syscall.h"
#include "uk/trap.h"
#include "uk/vm.h"

#include <linux/sched.h>

namespace uk {
namespace {

struct CloneRequest {
  uint64_t flags, stack, parent_tid, child_tid, tls;
};

long refuse_process(const char *call) {
  static bool said;
  if (!said) {
    said = true;
    print("ukc++: %s: a new process (fork) is not supported: a unikernel runs one "
          "program (threads are supported)\n",
          call);
  }
  return -ENOSYS;
}

long create(const CloneRequest &r, const char *call) {
  constexpr uint64_t Needed = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
  if ((r.flags & Needed) != Needed)
    return refuse_process(call);
  constexpr uint64_t Supported = Needed | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM |
                                 CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
                                 CLONE_CHILD_CLEARTID | CLONE_DETACHED | 0xff;
  if (r.flags & ~Supported)
    return -EINVAL;
  if (r.flags & CLONE_PARENT_SETTID && !user_ok(r.parent_tid, 4, ProtWrite))
    return -EFAULT;
  if (r.flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) &&
      !user_ok(r.child_tid, 4, ProtWrite))
    return -EFAULT;
  if (r.flags & CLONE_SETTLS && r.tls >= UserTop)
    return -EPERM;

  // The child returns from the same system call, with 0, on its own stack.
  TrapFrame frame = syscall_frame();
  frame.rax = 0;
  frame.rsp = r.stack ? r.stack : frame.rsp;
  uint64_t parent_fs = rdmsr(MSR_FS_BASE);
  if (r.flags & CLONE_SETTLS)
    wrmsr(MSR_FS_BASE, r.tls); // thread_create copies the creator's thread pointer
  Thread *t = thread_create(uk_thread_start, &frame, sizeof frame);
  wrmsr(MSR_FS_BASE, parent_fs);
  if (!t)
    return -EAGAIN; // the manifest's thread limit, or memory
  if (r.flags & CLONE_CHILD_CLEARTID)
    t->clear_child_tid = r.child_tid;
  if (r.flags & CLONE_CHILD_SETTID)
    *reinterpret_cast<volatile uint32_t *>(r.child_tid) = uint32_t(t->tid);
  if (r.flags & CLONE_PARENT_SETTID)
    *reinterpret_cast<volatile uint32_t *>(r.parent_tid) = uint32_t(t->tid);
  return t->tid;
}

} // namespace

UK_SYSCALL(clone) {
  // x86-64 order: flags, new stack, parent tid, child tid, TLS.
  return create({args.a0, args.a1, args.a2, args.a3, args.a4}, "clone");
}

UK_SYSCALL(clone3) {
  struct Args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
  };
  if (args.a1 < sizeof(Args))
    return -EINVAL;
  if (!user_ok(args.a0, sizeof(Args), ProtRead))
    return -EFAULT;
  Args a;
  memcpy(&a, reinterpret_cast<const void *>(args.a0), sizeof a);
  if (a.flags & CLONE_PIDFD)
    return -EINVAL;
  return create(
      {a.flags, a.stack ? a.stack + a.stack_size : 0, a.parent_tid, a.child_tid, a.tls},
      "clone3");
}

UK_SYSCALL(fork) { return refuse_process("fork"); }
UK_SYSCALL(vfork) { return refuse_process("vfork"); }

} // namespace uk
