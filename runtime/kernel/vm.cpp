// vm.cpp: the program's address space as a sorted list of regions, each eagerly
// backed by memory (demand paging would cost a kernel entry per page; only the main
// stack grows on demand, as on Linux).
#include "uk/vm.h"

#include "uk/memory.h"
#include "uk/print.h"
#include "uk/time.h"

#include <asm-generic/errno.h>
#include <elf.h>

extern "C" const Elf64_Ehdr __ehdr_start;
extern "C" char __uk_kernel_start[];

namespace uk {
namespace {

struct Region {
  uint64_t start, end;
  unsigned prot;
  bool lazy;                  // pages are mapped on first touch (thread stacks)
  const MappingOwner *owner;  // whose pages these are (a file's, borrowed), or null
  unsigned max_prot = ~0u;    // what mprotect may give the pages (a file's access mode)
  bool copy_on_write = false; // a private mapping of a file's pages: writing needs copies
};

constexpr int MaxRegions = 4096;
Region regions[MaxRegions] = {}; // constant-initialized: no constructor runs
int region_count;

uint64_t brk_start, brk_end; // the heap: [brk_start, brk_end), mapped page-aligned
uint64_t brk_mapped;
constexpr uint64_t StackLow = StackTop - StackReserve;
uint64_t stack_mapped_low; // lowest mapped page of the main stack

int find(uint64_t addr) {
  int lo = 0, hi = region_count;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (regions[mid].end <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo; // first region ending after addr
}

/// Adds a region. An owner's reference is the caller's to have taken.
bool insert(const Region &r) {
  if (region_count == MaxRegions)
    return false;
  int i = find(r.start);
  for (int j = region_count; j > i; --j)
    regions[j] = regions[j - 1];
  regions[i] = r;
  ++region_count;
  return true;
}

bool insert(uint64_t start, uint64_t end, unsigned prot, bool lazy = false,
            const MappingOwner *owner = nullptr) {
  return insert(Region{start, end, prot, lazy, owner});
}

// The owners of regions removed by a call, let go when the call is done: letting go
// may wait (a volume's file closes), and another thread's call must not find the
// region list half changed. ReleaseAfter, first in each call that removes regions.
const MappingOwner *released[64];
int released_count;

void release_later(const MappingOwner *owner) {
  if (released_count < 64)
    released[released_count++] = owner;
  else
    owner->release(owner->object); // rare: then it may not wait
}

int calls; // the calls under way (one may call another: mmap MAP_FIXED unmaps first)

struct ReleaseAfter {
  ReleaseAfter() { ++calls; }
  ~ReleaseAfter() {
    if (--calls)
      return; // the outer call lets them go when it is done
    while (released_count) {
      const MappingOwner *owner = released[--released_count];
      owner->release(owner->object);
    }
  }
};

/// Removes [Start, End) from the region list, splitting regions that straddle it. A
/// region split in two holds its owner twice; one removed whole lets it go.
bool carve(uint64_t start, uint64_t end) {
  for (int i = find(start); i < region_count && regions[i].start < end;) {
    Region r = regions[i];
    if (r.start < start && r.end > end) {
      regions[i].end = start;
      Region rest = r;
      rest.start = end;
      if (!insert(rest))
        return false;
      if (r.owner)
        r.owner->retain(r.owner->object);
      return true;
    }
    if (r.start < start) {
      regions[i].end = start;
      ++i;
    } else if (r.end > end) {
      regions[i].start = end;
      ++i;
    } else {
      for (int j = i; j + 1 < region_count; ++j)
        regions[j] = regions[j + 1];
      --region_count;
      if (r.owner)
        release_later(r.owner);
    }
  }
  return true;
}

bool overlaps(uint64_t start, uint64_t end) {
  int i = find(start);
  return i < region_count && regions[i].start < end;
}

/// The highest free range of Len bytes below MmapTop, aligned to Align, leaving the
/// first GiB above the heap's start for the heap to grow.
uint64_t find_free(uint64_t len, uint64_t align) {
  uint64_t floor_min = brk_start + 1 * GiB;
  uint64_t top = MmapTop;
  for (int i = region_count - 1;; --i) {
    if (i >= 0 && regions[i].start >= top)
      continue;
    uint64_t floor = i >= 0 && regions[i].end > floor_min ? regions[i].end : floor_min;
    if (top > floor && top - floor >= len) {
      uint64_t at = align_down(top - len, align);
      if (at >= floor)
        return at;
    }
    if (i < 0 || regions[i].end <= floor_min)
      return 0;
    top = regions[i].start;
  }
}

unsigned user_prot(unsigned prot) {
  return (prot & (ProtRead | ProtWrite | ProtExec)) | ProtUser;
}

} // namespace

void vm_init(uint64_t image_end) {
  auto *phdrs = reinterpret_cast<const Elf64_Phdr *>(
      reinterpret_cast<const char *>(&__ehdr_start) + __ehdr_start.e_phoff);
  uint64_t kernel_start = reinterpret_cast<uint64_t>(__uk_kernel_start);
  for (unsigned i = 0; i < __ehdr_start.e_phnum; ++i) {
    const Elf64_Phdr &p = phdrs[i];
    if (p.p_type != PT_LOAD || p.p_vaddr >= kernel_start)
      continue;
    unsigned prot =
        ProtRead | (p.p_flags & PF_W ? ProtWrite : 0) | (p.p_flags & PF_X ? ProtExec : 0);
    // Segments come in address order: appending keeps the list sorted.
    regions[region_count++] = {align_down(p.p_vaddr, PageSize),
                               align_up(p.p_vaddr + p.p_memsz, PageSize), user_prot(prot),
                               false, nullptr};
  }
  // The heap starts past the kernel, on a fresh 2 MiB boundary so that it can grow
  // with large pages.
  brk_start = brk_end = brk_mapped = align_up(image_end, LargePageSize);
}

static int last_hit; // the region the previous check found: buffers tend to repeat

bool user_ok(uint64_t addr, uint64_t len, unsigned prot) {
  if (addr >= UserTop || len > UserTop - addr)
    return false;
  uint64_t end = addr + len;
  // Most buffers lie in one region, often the one of the previous call.
  const Region &hint = regions[last_hit];
  if (last_hit < region_count && addr >= hint.start && end <= hint.end)
    return (hint.prot & prot) == prot;
  if (len == 0)
    return true;
  for (int i = find(addr); i < region_count && addr < end; ++i) {
    last_hit = i;
    const Region &r = regions[i];
    if (r.start > addr || (r.prot & prot) != prot)
      return false;
    addr = r.end;
  }
  return addr >= end;
}

long user_strlen(const char *s, size_t max) {
  uint64_t addr = reinterpret_cast<uint64_t>(s);
  int i = find(addr);
  if (i >= region_count || regions[i].start > addr || !(regions[i].prot & ProtRead))
    return -1;
  // Scan to the end of the region (or Max) in one tight loop, then cross into the
  // next region only if it continues the string.
  for (uint64_t at = addr;;) {
    uint64_t stop = regions[i].end < addr + max ? regions[i].end : addr + max;
    for (const char *p = reinterpret_cast<const char *>(at); uint64_t(p) < stop; ++p)
      if (!*p)
        return long(uint64_t(p) - addr);
    if (stop == addr + max || ++i >= region_count || regions[i].start != stop ||
        !(regions[i].prot & ProtRead))
      return -1;
    at = stop;
  }
}

uint64_t vm_brk(uint64_t new_end) {
  ReleaseAfter release;
  if (new_end < brk_start)
    return brk_end;
  uint64_t want = align_up(new_end, PageSize);
  if (want <= brk_mapped && want + LargePageSize > brk_mapped) {
    brk_end = new_end; // within what is mapped: nothing to do but move the break
    return brk_end;
  }
  if (want > brk_mapped) {
    // The heap grows by whole 2 MiB large pages where memory allows: glibc moves the
    // break many times in small steps, and each 4 KiB page costs kernel instructions.
    uint64_t large = align_up(new_end, LargePageSize);
    unsigned prot = user_prot(ProtRead | ProtWrite);
    if (overlaps(brk_mapped, want))
      return brk_end;
    if (!overlaps(brk_mapped, large) && map_anonymous(brk_mapped, large - brk_mapped, prot))
      want = large;
    else if (!map_anonymous(brk_mapped, want - brk_mapped, prot)) {
      report_out_of_memory("the heap (brk)", want - brk_mapped);
      return brk_end;
    }
    carve(brk_start, brk_mapped);
    insert(brk_start, want, prot);
    brk_mapped = want;
  } else if (want + LargePageSize <= brk_mapped) {
    // Shrinking gives memory back, keeping the large page the break is in.
    uint64_t keep = align_up(want, LargePageSize);
    unmap(keep, brk_mapped - keep);
    carve(keep, brk_mapped);
    brk_mapped = keep;
  }
  brk_end = new_end;
  return brk_end;
}

namespace {

/// Where a new mapping of Len bytes goes: Addr if Fixed (replacing what is there,
/// unless Noreplace), else a free range. An address or a negative errno; Len is
/// rounded up to whole pages.
long place(uint64_t addr, uint64_t &len, bool fixed, bool noreplace) {
  if (len == 0 || len > UserTop)
    return -EINVAL;
  len = align_up(len, PageSize);
  if (fixed) {
    if (!is_aligned(addr, PageSize) || addr >= UserTop || len > UserTop - addr)
      return -EINVAL;
    if (overlaps(addr, addr + len)) {
      if (noreplace)
        return -EEXIST;
      vm_munmap(addr, len);
    }
    return long(addr);
  }
  addr = find_free(len, len >= LargePageSize ? LargePageSize : PageSize);
  return addr ? long(addr) : -ENOMEM;
}

} // namespace

long vm_mmap(uint64_t addr, uint64_t len, unsigned prot, bool fixed, bool noreplace,
             bool lazy) {
  ReleaseAfter release;
  long placed = place(addr, len, fixed, noreplace);
  if (placed < 0)
    return placed;
  addr = uint64_t(placed);
  // PROT_NONE reserves address space only (glibc reserves 64 MiB per malloc arena);
  // mprotect maps what becomes accessible.
  bool reserve = !(prot & (ProtRead | ProtWrite | ProtExec));
  if (!lazy && !reserve && !map_anonymous(addr, len, user_prot(prot))) {
    report_out_of_memory("mmap", len);
    return -ENOMEM;
  }
  if (!insert(addr, addr + len, user_prot(prot), lazy)) {
    unmap(addr, len);
    return -ENOMEM;
  }
  return long(addr);
}

namespace {

/// Replaces the borrowed pages of [Addr, Addr+Len) by copies the program owns, mapped
/// with Prot; false if memory ran out (the pages copied so far stay copies).
bool copy_pages(uint64_t addr, uint64_t len, unsigned prot) {
  for (uint64_t page = addr; page < addr + len; page += PageSize) {
    uint64_t frame = frame_alloc();
    if (!frame)
      return false;
    protect(page, PageSize, ProtRead); // a PROT_NONE page is not present: make it so
    memcpy(phys_to_virt(frame), reinterpret_cast<const void *>(page), PageSize);
    unmap(page, PageSize); // borrowed: the file keeps its page
    if (!map_page_to(page, frame, prot)) {
      frame_free(frame);
      return false;
    }
  }
  return true;
}

} // namespace

long vm_map_shared(uint64_t addr, uint64_t len, unsigned prot, bool fixed, bool noreplace,
                   uint64_t (*frame_of)(void *context, uint64_t page), void *context,
                   const MappingOwner &owner, unsigned max_prot, bool copy_on_write) {
  ReleaseAfter release;
  // The pages first: getting one may wait (a volume reads it from the host), and
  // another thread's mmap may then take the range this one would have placed.
  for (uint64_t page = 0; page < len / PageSize; ++page)
    if (!frame_of(context, page)) {
      report_out_of_memory("mmap", len);
      return -ENOMEM;
    }
  long placed = place(addr, len, fixed, noreplace);
  if (placed < 0)
    return placed;
  addr = uint64_t(placed);
  for (uint64_t page = 0; page < len / PageSize; ++page) {
    uint64_t frame = frame_of(context, page); // at hand now
    if (!frame || !map_borrowed(addr + page * PageSize, frame, user_prot(prot))) {
      unmap(addr, page * PageSize); // borrowed: nothing is freed
      report_out_of_memory("mmap", len);
      return -ENOMEM;
    }
  }
  if (!insert(
          Region{addr, addr + len, user_prot(prot), false, &owner, max_prot, copy_on_write})) {
    unmap(addr, len);
    return -ENOMEM;
  }
  owner.retain(owner.object);
  return long(addr);
}

long vm_munmap(uint64_t addr, uint64_t len) {
  ReleaseAfter release;
  if (!is_aligned(addr, PageSize) || len == 0 || addr >= UserTop || len > UserTop - addr)
    return -EINVAL;
  len = align_up(len, PageSize);
  for (int i = find(addr); i < region_count && regions[i].start < addr + len; ++i) {
    uint64_t s = regions[i].start > addr ? regions[i].start : addr;
    uint64_t e = regions[i].end < addr + len ? regions[i].end : addr + len;
    unmap(s, e - s);
  }
  carve(addr, addr + len);
  return 0;
}

long vm_msync(uint64_t addr, uint64_t len) {
  len = align_up(len, PageSize);
  if (!user_ok(addr, len, 0))
    return -ENOMEM;
  for (int i = find(addr); i < region_count && regions[i].start < addr + len; ++i)
    if (const MappingOwner *owner = regions[i].owner; owner && owner->sync)
      if (long error = owner->sync(owner->object))
        return error;
  return 0;
}

long vm_mprotect(uint64_t addr, uint64_t len, unsigned prot) {
  ReleaseAfter release;
  if (!is_aligned(addr, PageSize))
    return -EINVAL;
  len = align_up(len, PageSize);
  if (!user_ok(addr, len, ProtUser))
    return -ENOMEM;
  constexpr unsigned Access = ProtRead | ProtWrite | ProtExec;
  // Each region in the range keeps its nature; none changes unless all may.
  for (int i = find(addr); i < region_count && regions[i].start < addr + len; ++i)
    if (unsigned beyond = prot & ~regions[i].max_prot & Access)
      if (!regions[i].owner || !regions[i].copy_on_write || beyond != ProtWrite)
        return -EACCES; // as Linux for a file opened without write access
  for (uint64_t at = addr; at < addr + len;) {
    Region r = regions[find(at)];
    uint64_t end = r.end < addr + len ? r.end : addr + len;
    if (prot & ~r.max_prot & Access) {
      // A private mapping of a file's pages made writable: its pages become the
      // program's own copies, all at once, and the file is no longer behind them.
      if (!copy_pages(at, end - at, user_prot(prot))) {
        report_out_of_memory("mprotect", len);
        return -ENOMEM;
      }
      if (!carve(at, end) || !insert(at, end, user_prot(prot)))
        return -ENOMEM;
      at = end;
      continue;
    }
    bool accessible = prot & Access;
    if (accessible && !r.lazy && !map_or_protect(at, end - at, user_prot(prot))) {
      report_out_of_memory("mprotect", len);
      return -ENOMEM;
    }
    if (r.owner)
      r.owner->retain(r.owner->object); // for the rebuilt region; carve lets the old go
    Region rebuilt = r;
    rebuilt.start = at;
    rebuilt.end = end;
    rebuilt.prot = user_prot(prot);
    if (!carve(at, end) || !insert(rebuilt))
      return -ENOMEM;
    if (!accessible || r.lazy)
      protect(at, end - at, user_prot(prot));
    at = end;
  }
  return 0;
}

long vm_mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, bool may_move, bool fixed,
               uint64_t new_addr) {
  ReleaseAfter release;
  if (!is_aligned(old_addr, PageSize) || new_len == 0)
    return -EINVAL;
  old_len = align_up(old_len, PageSize);
  new_len = align_up(new_len, PageSize);
  int i = find(old_addr);
  if (i >= region_count || regions[i].start > old_addr || regions[i].end < old_addr + old_len)
    return -EFAULT;
  Region original = regions[i];
  unsigned prot = original.prot;
  const MappingOwner *owner = original.owner;
  if (owner && new_len > old_len)
    return -ENOMEM; // a file's pages past the mapping: map them anew instead
  if (new_len <= old_len && !fixed) {
    vm_munmap(old_addr + new_len, old_len - new_len);
    return long(old_addr);
  }
  // Grow in place when the pages after the mapping are free.
  if (!fixed && !overlaps(old_addr + old_len, old_addr + new_len) &&
      old_addr + new_len <= UserTop) {
    if (!map_anonymous(old_addr + old_len, new_len - old_len, prot)) {
      report_out_of_memory("mremap", new_len - old_len);
      return -ENOMEM;
    }
    insert(old_addr + old_len, old_addr + new_len, prot);
    return long(old_addr);
  }
  if (!may_move)
    return -ENOMEM;
  uint64_t to = fixed ? new_addr
                      : find_free(new_len, new_len >= LargePageSize ? LargePageSize : PageSize);
  if (!to || !is_aligned(to, PageSize))
    return fixed ? -EINVAL : -ENOMEM;
  if (fixed)
    vm_munmap(to, new_len);
  uint64_t keep = old_len < new_len ? old_len : new_len;
  if (new_len > keep && !map_anonymous(to + keep, new_len - keep, prot)) {
    report_out_of_memory("mremap", new_len - keep);
    return -ENOMEM;
  }
  // Moving page-table entries moves the data without copying it.
  move_mappings(old_addr, to, keep);
  if (old_len > keep)
    unmap(old_addr + keep, old_len - keep);
  if (owner)
    owner->retain(owner->object); // for the moved region; carve lets the old one go
  carve(old_addr, old_addr + old_len);
  Region moved = original;
  moved.start = to;
  moved.end = to + new_len;
  moved.lazy = false;
  insert(moved);
  return long(to);
}

long vm_discard(uint64_t addr, uint64_t len) {
  ReleaseAfter release;
  if (!is_aligned(addr, PageSize))
    return -EINVAL;
  len = align_up(len, PageSize);
  if (!user_ok(addr, len, ProtUser))
    return -ENOMEM;
  // The memory goes back to the pool and the range becomes lazy: pages come back,
  // zeroed, when touched (glibc's malloc gives back the tops of its heaps this way).
  unsigned prot = regions[find(addr)].prot;
  if (regions[find(addr)].owner)
    return 0; // a file's pages: reading them again gives the file's data, as now
  unmap(addr, len);
  if (!carve(addr, addr + len) || !insert(addr, addr + len, prot, true))
    return -ENOMEM;
  return 0;
}

uint64_t vm_map_vdso(const char *image, size_t size) {
  // Above the main stack: [vvar page][vDSO image].
  constexpr uint64_t VdsoBase = StackTop + 64 * KiB + PageSize;
  uint64_t data = frame_alloc();
  if (!data)
    return 0;
  vdso_data(*static_cast<uk_vdso_data *>(phys_to_virt(data)));
  map_page_to(VdsoBase - PageSize, data, user_prot(ProtRead));
  uint64_t pages = align_up(size, PageSize) / PageSize;
  for (uint64_t i = 0; i < pages; ++i) // the kernel image is identity-mapped
    map_borrowed(VdsoBase + i * PageSize, reinterpret_cast<uint64_t>(image) + i * PageSize,
                 user_prot(ProtRead | ProtExec));
  insert(VdsoBase - PageSize, VdsoBase, user_prot(ProtRead));
  insert(VdsoBase, VdsoBase + pages * PageSize, user_prot(ProtRead | ProtExec));
  return VdsoBase;
}

uint64_t vm_stack_init() {
  stack_mapped_low = StackTop - StackInitial;
  if (!map_anonymous(stack_mapped_low, StackInitial, user_prot(ProtRead | ProtWrite)))
    PANIC("no memory for the program's stack");
  // The whole reserve is a region: pages below stack_mapped_low appear on first touch.
  insert(StackLow, StackTop, user_prot(ProtRead | ProtWrite));
  return StackTop;
}

bool vm_is_stack_guard(uint64_t addr) {
  if (addr < StackLow && addr >= StackLow - 64 * KiB)
    return true;
  // A thread stack's guard: a PROT_NONE region right under a lazily mapped one.
  int i = find(addr);
  return i + 1 < region_count && regions[i].start <= addr &&
         !(regions[i].prot & (ProtRead | ProtWrite | ProtExec)) && regions[i + 1].lazy &&
         regions[i + 1].start == regions[i].end;
}

bool handle_user_page_fault(uint64_t address, uint64_t error) {
  bool not_present = !(error & 1);
  if (!not_present || address >= UserTop)
    return false;
  // A page of a thread's stack, touched for the first time.
  int i = find(address);
  if (i < region_count && regions[i].lazy && regions[i].start <= address &&
      (regions[i].prot & (ProtRead | ProtWrite))) {
    // Map the 64 KiB around the fault that the region holds: a fault per page would
    // cost a kernel entry per 4 KiB.
    uint64_t from = align_down(address, 16 * PageSize), to = from + 16 * PageSize;
    from = from < regions[i].start ? regions[i].start : from;
    to = to > regions[i].end ? regions[i].end : to;
    if (map_or_protect(from, to - from, regions[i].prot))
      return true;
    report_out_of_memory("memory mapped on first touch", to - from);
    return false;
  }
  if (address < StackLow || address >= stack_mapped_low)
    return false;
  uint64_t page = align_down(address, PageSize);
  // Map everything between the fault and the stack's mapped part: a stack that
  // grows by a page at a time would otherwise fault on each page.
  uint64_t from = page < stack_mapped_low - 64 * KiB ? page : stack_mapped_low - 64 * KiB;
  if (from < StackLow)
    from = StackLow;
  for (uint64_t p = from; p < stack_mapped_low; p += PageSize)
    if (!map_page(p, user_prot(ProtRead | ProtWrite))) {
      report_out_of_memory("the stack", stack_mapped_low - p);
      return false;
    }
  stack_mapped_low = from;
  return true;
}

void report_out_of_memory(const char *what, uint64_t bytes) {
  // Once per run: an allocator that fails one way tries others (glibc's malloc tries
  // mmap, brk, then mmap again), and the first failure is the one that explains.
  static bool reported;
  if (reported)
    return;
  reported = true;
  MemoryStats m = memory_stats();
  print("ukc++: out of memory: cannot map %lu KiB for %s; %lu KiB of %lu KiB free "
        "(raise 'memory' in unikernel.yaml, or ukrun --memory)\n",
        bytes / KiB, what, m.free / KiB, m.total / KiB);
}

} // namespace uk
