// thread_pointer.cpp: arch_prctl, through which glibc sets the TLS pointer (FS base).
#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/prctl.h>

namespace uk {

UK_SYSCALL(arch_prctl) {
  switch (args.a0) {
  case ARCH_SET_FS:
    if (args.a1 >= UserTop)
      return -EPERM;
    wrmsr(MSR_FS_BASE, args.a1);
    return 0;
  case ARCH_GET_FS:
    if (!user_ok(args.a1, 8, ProtWrite))
      return -EFAULT;
    *reinterpret_cast<uint64_t *>(args.a1) = rdmsr(MSR_FS_BASE);
    return 0;
  case ARCH_SET_GS:
    if (args.a1 >= UserTop)
      return -EPERM;
    // In the kernel GS is swapped: the program's value waits in KERNEL_GS_BASE.
    wrmsr(MSR_KERNEL_GS_BASE, args.a1);
    return 0;
  case ARCH_GET_GS:
    if (!user_ok(args.a1, 8, ProtWrite))
      return -EFAULT;
    *reinterpret_cast<uint64_t *>(args.a1) = rdmsr(MSR_KERNEL_GS_BASE);
    return 0;
  default:
    return -EINVAL;
  }
}

} // namespace uk
