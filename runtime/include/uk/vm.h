// vm.h: the program's address space: image, heap (brk), mappings (mmap), stack.
#pragma once

#include "uk/paging.h"

namespace uk {

constexpr uint64_t UserTop = 0x0000800000000000ull;
// The main stack's top is 2 MiB-aligned so that its first 2 MiB are one large page:
// one page-table write instead of hundreds of kernel instructions per 4 KiB.
constexpr uint64_t StackTop = 0x00007fffffe00000ull;
constexpr uint64_t StackReserve = 8 * MiB;       // as RLIMIT_STACK on Linux
constexpr uint64_t StackInitial = LargePageSize; // mapped at start; the rest on demand
constexpr uint64_t MmapTop = 0x00007f0000000000ull;

/// Records the program image's segments and sets the heap start after BrkStart.
void vm_init(uint64_t brk_start);

/// True if [Addr, Addr+Len) lies in the program's mappings, all allowing Prot
/// (ProtRead, ProtWrite). System calls check every pointer with this.
bool user_ok(uint64_t addr, uint64_t len, unsigned prot);
/// Like user_ok for a NUL-terminated string of at most Max bytes; returns its length
/// or -1.
long user_strlen(const char *s, size_t max);

uint64_t vm_brk(uint64_t new_end);
/// Maps anonymous memory; Lazy (thread stacks, MAP_STACK) maps pages on first touch
/// instead of at once: stacks are large and mostly untouched.
long vm_mmap(uint64_t addr, uint64_t len, unsigned prot, bool fixed, bool noreplace,
             bool lazy = false);
/// Whose pages a shared mapping shows (an open file's): each region of the mapping
/// holds a reference on Object, let go when the region goes, so the pages outlive no
/// mapping; unmapping never frees them. Lives as long as Object.
struct MappingOwner {
  void *object;
  void (*retain)(void *object);
  void (*release)(void *object);
  /// msync: writes the mapped pages back to the file; null: they are the file's own.
  long (*sync)(void *object) = nullptr;
};

/// Maps Len bytes whose page N is the frame Frame(Context, N) returns (0: out of
/// memory), on behalf of Owner. Growing such a mapping with mremap is ENOMEM. mprotect
/// may give the pages at most Max_prot; a Copy_on_write mapping (a private one) made
/// writable gets copies of its pages instead.
long vm_map_shared(uint64_t addr, uint64_t len, unsigned prot, bool fixed, bool noreplace,
                   uint64_t (*frame)(void *context, uint64_t page), void *context,
                   const MappingOwner &owner, unsigned max_prot, bool copy_on_write);
long vm_munmap(uint64_t addr, uint64_t len);
/// msync of [Addr, Addr+Len): the owners of shared file mappings there write back.
long vm_msync(uint64_t addr, uint64_t len);
long vm_mprotect(uint64_t addr, uint64_t len, unsigned prot);
long vm_mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, bool may_move, bool fixed,
               uint64_t new_addr);
long vm_discard(uint64_t addr, uint64_t len); // MADV_DONTNEED: pages read as zero

/// Maps the vDSO (its data page, then Size bytes of the image at Image, a kernel
/// address) above the stack; returns its address for AT_SYSINFO_EHDR, 0 on failure.
uint64_t vm_map_vdso(const char *image, size_t size);

/// Maps the main stack's first pages; returns its top.
uint64_t vm_stack_init();
/// True if Addr is in the guard under the main stack or a thread's stack.
bool vm_is_stack_guard(uint64_t addr);

/// Says, once, why a mapping could not be made (which sizes, how much is left).
void report_out_of_memory(const char *what, uint64_t bytes);

} // namespace uk
