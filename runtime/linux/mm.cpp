// mm.cpp: memory: brk, mmap (anonymous, and files copied in), munmap, mprotect,
// mremap, madvise, msync.
#include "vfs.h"

#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/fcntl.h>
#include <asm/mman.h>
#include <linux/mman.h>

namespace uk {
namespace {

unsigned prot_from(uint64_t linux_prot) {
  return (linux_prot & PROT_READ ? ProtRead : 0) | (linux_prot & PROT_WRITE ? ProtWrite : 0) |
         (linux_prot & PROT_EXEC ? ProtExec : 0);
}

/// A file's mapping. Where the file has pages of its own (FileOps::page: /tmp, the
/// packed tree's page-aligned files, a volume's kept pages), a shared mapping and a
/// private one that does not write map them, without copying; a private one made
/// writable later gets copies then. Otherwise the file's bytes from Offset are copied
/// into fresh memory. Past the end of the file, pages read as zero.
long map_file(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd,
              uint64_t offset) {
  File *f = file(fd);
  if (!f)
    return -EBADF;
  if (!f->ops->pread)
    return -ENODEV; // a device, a pipe, a socket: nothing to map
  if ((f->flags & O_ACCMODE) == O_WRONLY)
    return -EACCES;
  bool shared = (flags & MAP_TYPE) == MAP_SHARED;
  if (shared && (prot & PROT_WRITE) && (f->flags & O_ACCMODE) != O_RDWR)
    return -EACCES;
  if (offset % PageSize)
    return -EINVAL;
  bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
  uint64_t first = offset / PageSize, last = first + (align_up(len, PageSize) / PageSize) - 1;
  // The file's own pages, if it has them for the whole range (the packed tree's small
  // files, packed densely, have none). Getting them may wait (a volume's): the file is
  // held meanwhile, by a copy of the descriptor's entry, which another thread may close.
  File held = *f;
  bool borrow = len && f->ops->page && (shared || (!(prot & PROT_WRITE) && f->ops->own_pages));
  if (held.ops->retain)
    held.ops->retain(held);
  struct Release {
    File &file;
    ~Release() {
      if (file.ops->release)
        file.ops->release(file);
    }
  } release = {held};
  if (borrow && held.ops->page(held, first) && held.ops->page(held, last)) {
    // Writes on either side show, until a private mapping is written.
    struct Pages {
      File *file;
      uint64_t first;
    } pages = {&held, first};
    auto frame_of = [](void *context, uint64_t page) {
      auto *p = static_cast<Pages *>(context);
      return p->file->ops->page(*p->file, p->first + page);
    };
    bool writable = (held.flags & O_ACCMODE) == O_RDWR && held.ops->write;
    unsigned most = ProtRead | ProtExec | (shared && writable ? ProtWrite : 0);
    // Files that have pages are a file system's: their object is an OpenFile.
    return vm_map_shared(addr, len, prot_from(prot), fixed, flags & MAP_FIXED_NOREPLACE,
                         frame_of, &pages, static_cast<OpenFile *>(held.object)->owner, most,
                         !shared);
  }
  if (shared && (prot & PROT_WRITE))
    return -EACCES; // no shared pages to write through
  long at = vm_mmap(addr, len, prot_from(prot) | ProtWrite, fixed, flags & MAP_FIXED_NOREPLACE);
  if (at < 0)
    return at;
  for (uint64_t done = 0; done < len;) {
    long n =
        held.ops->pread(held, reinterpret_cast<char *>(at + done), len - done, offset + done);
    if (n <= 0)
      break;
    done += uint64_t(n);
  }
  if (!(prot & PROT_WRITE))
    vm_mprotect(uint64_t(at), len, prot_from(prot));
  return at;
}

} // namespace

UK_SYSCALL(brk) { return long(vm_brk(args.a0)); }

UK_SYSCALL(mmap) {
  uint64_t addr = args.a0, len = args.a1, prot = args.a2, flags = args.a3;
  if ((flags & MAP_TYPE) != MAP_PRIVATE && (flags & MAP_TYPE) != MAP_SHARED)
    return -EINVAL;
  if (prot & ~uint64_t(PROT_READ | PROT_WRITE | PROT_EXEC))
    return -EINVAL;
  if (!(flags & MAP_ANONYMOUS))
    return map_file(addr, len, prot, flags, args.a4, args.a5);
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
  // MS_ASYNC writes back too: volumes' files have no later moment to do it.
  return vm_msync(args.a0, args.a1);
}

} // namespace uk
