// mm.cpp: anonymous memory: brk, mmap, munmap, mprotect, mremap, madvise.
#include "uk/print.h"
#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/mman.h>
#include <linux/mman.h>

namespace uk {
namespace {

unsigned prot_from(uint64_t linux_prot) {
  return (linux_prot & PROT_READ ? ProtRead : 0) | (linux_prot & PROT_WRITE ? ProtWrite : 0) |
         (linux_prot & PROT_EXEC ? ProtExec : 0);
}

} // namespace

UK_SYSCALL(brk) { return long(vm_brk(args.a0)); }

UK_SYSCALL(mmap) {
  uint64_t addr = args.a0, len = args.a1, prot = args.a2, flags = args.a3;
  int fd = int(args.a4);
  if (!(flags & MAP_ANONYMOUS)) {
    // Files have no pages to map until the file system issue; say so clearly.
    (void)fd;
    return -ENODEV;
  }
  if ((flags & MAP_TYPE) != MAP_PRIVATE && (flags & MAP_TYPE) != MAP_SHARED)
    return -EINVAL;
  if (prot & ~uint64_t(PROT_READ | PROT_WRITE | PROT_EXEC))
    return -EINVAL;
  bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
  return vm_mmap(addr, len, prot_from(prot), fixed, flags & MAP_FIXED_NOREPLACE,
                 flags & MAP_STACK);
}

UK_SYSCALL(munmap) { return vm_munmap(args.a0, args.a1); }

UK_SYSCALL(mprotect) { return vm_mprotect(args.a0, args.a1, prot_from(args.a2)); }

UK_SYSCALL(mremap) {
  uint64_t flags = args.a3;
  if (flags & ~uint64_t(MREMAP_MAYMOVE | MREMAP_FIXED))
    return -EINVAL;
  return vm_mremap(args.a0, args.a1, args.a2, flags & MREMAP_MAYMOVE, flags & MREMAP_FIXED,
                   args.a4);
}

UK_SYSCALL(madvise) {
  if (args.a0 % PageSize)
    return -EINVAL;
  switch (args.a2) {
  case MADV_DONTNEED:
    return vm_discard(args.a0, args.a1);
  case MADV_FREE:
  case MADV_NORMAL:
  case MADV_RANDOM:
  case MADV_SEQUENTIAL:
  case MADV_WILLNEED:
  case MADV_HUGEPAGE:
  case MADV_NOHUGEPAGE:
  case MADV_DONTDUMP:
  case MADV_DODUMP:
    return 0; // advice only: memory here is always resident
  default:
    return -EINVAL;
  }
}

UK_SYSCALL(msync) {
  uint64_t flags = args.a2;
  if (args.a0 % PageSize || (flags & ~uint64_t(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
      ((flags & MS_ASYNC) && (flags & MS_SYNC)))
    return -EINVAL;
  // Anonymous memory has nothing to write back; the range must be mapped.
  return user_ok(args.a0, align_up(args.a1, PageSize), 0) ? 0 : -ENOMEM;
}

} // namespace uk
