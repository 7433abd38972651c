// paging.cpp: the page tables of the one address space (program, kernel, direct map).
#include "uk/paging.h"

#include "uk/cpu.h"
#include "uk/memory.h"

#include <elf.h>

extern "C" const Elf64_Ehdr __ehdr_start;
extern "C" char __uk_kernel_start[], __uk_kernel_end[];

namespace uk {
namespace {

uint64_t direct_map_base = 0; // 0 until the final page tables are live
uint64_t *root;               // PML4, through the kernel's view of memory

constexpr uint64_t TableFlags = PTE_P | PTE_W | PTE_U;

unsigned index_at(uint64_t virt, int level) { return (virt >> (12 + 9 * (level - 1))) & 511; }

uint64_t *table_of(uint64_t entry) {
  return static_cast<uint64_t *>(phys_to_virt(entry & PTE_ADDR));
}

/// Replaces a 2 MiB mapping by 512 4 KiB ones with the same flags.
bool split_large(uint64_t &entry) {
  uint64_t table = frame_alloc();
  if (!table)
    return false;
  auto *ptes = static_cast<uint64_t *>(phys_to_virt(table));
  uint64_t base = entry & PTE_ADDR & ~(LargePageSize - 1);
  uint64_t flags = entry & ~PTE_ADDR & ~PTE_PS;
  for (unsigned i = 0; i < 512; ++i)
    ptes[i] = (base + i * PageSize) | flags;
  entry = table | TableFlags;
  return true;
}

/// The entry for Virt at Level (1: 4 KiB page, 2: 2 MiB page), creating the tables
/// above it when Create; null if absent (or memory ran out).
uint64_t *entry_at(uint64_t virt, int level, bool create) {
  uint64_t *table = root;
  for (int l = 4; l > level; --l) {
    uint64_t &e = table[index_at(virt, l)];
    if (!(e & PTE_P)) {
      if (!create)
        return nullptr;
      uint64_t fresh = frame_alloc();
      if (!fresh)
        return nullptr;
      e = fresh | TableFlags;
    } else if (e & PTE_PS) {
      if (!create && l == 2)
        return &e; // a large page covers Virt; callers check PTE_PS
      if (!split_large(e))
        return nullptr;
    }
    table = table_of(e);
  }
  return &table[index_at(virt, level)];
}

/// Maps [Virt, End) to the same physical addresses, one page table at a time: the
/// loop over page-table entries is a few instructions per page, which matters where
/// kernel code is emulated.
void map_identity(uint64_t virt, uint64_t end, uint64_t flags) {
  while (virt < end) {
    uint64_t *pte = entry_at(virt, 1, true);
    VERIFY(pte);
    uint64_t table_end = align_down(virt, LargePageSize) + LargePageSize;
    uint64_t stop = end < table_end ? end : table_end;
    for (; virt < stop; virt += PageSize)
      *pte++ = virt | flags;
  }
}

} // namespace

uint64_t pte_flags(unsigned prot) {
  if (!(prot & (ProtRead | ProtWrite | ProtExec)))
    return PTE_NONE;
  uint64_t f = PTE_P;
  if (prot & ProtWrite)
    f |= PTE_W;
  if (prot & ProtUser)
    f |= PTE_U;
  if (!(prot & ProtExec))
    f |= PTE_NX;
  return f;
}

void *phys_to_virt(uint64_t phys) { return reinterpret_cast<void *>(phys + direct_map_base); }

void paging_setup(uint64_t ram_top) {
  uint64_t pml4 = frame_alloc();
  VERIFY(pml4);
  root = static_cast<uint64_t *>(phys_to_virt(pml4));

  // The image: program segments for ring 3, kernel segments supervisor-only.
  auto *phdrs = reinterpret_cast<const Elf64_Phdr *>(
      reinterpret_cast<const char *>(&__ehdr_start) + __ehdr_start.e_phoff);
  uint64_t kernel_start = reinterpret_cast<uint64_t>(__uk_kernel_start);
  for (unsigned i = 0; i < __ehdr_start.e_phnum; ++i) {
    const Elf64_Phdr &p = phdrs[i];
    if (p.p_type != PT_LOAD)
      continue;
    unsigned prot = ProtRead | (p.p_flags & PF_W ? ProtWrite : 0) | (p.p_flags & PF_X ? ProtExec : 0) |
                    (p.p_vaddr < kernel_start ? ProtUser : 0);
    // The image is loaded at p_paddr == p_vaddr.
    map_identity(align_down(p.p_vaddr, PageSize), p.p_vaddr + p.p_memsz, pte_flags(prot));
  }

  // All of RAM for the kernel, with 2 MiB pages.
  uint64_t flags = PTE_P | PTE_W | PTE_NX | PTE_PS;
  for (uint64_t p = 0; p < ram_top; p += LargePageSize) {
    uint64_t *e = entry_at(DirectMapBase + p, 2, true);
    VERIFY(e);
    *e = p | flags;
  }

  write_cr3(pml4);
  direct_map_base = DirectMapBase;
  root = static_cast<uint64_t *>(phys_to_virt(pml4));
}

void paging_adopt(uint64_t ram_top) {
  direct_map_base = DirectMapBase;
  root = static_cast<uint64_t *>(phys_to_virt(read_cr3() & PTE_ADDR));
}

bool map_page(uint64_t virt, unsigned prot) {
  uint64_t frame = frame_alloc();
  if (!frame)
    return false;
  uint64_t *e = entry_at(virt, 1, true);
  if (!e) {
    frame_free(frame);
    return false;
  }
  *e = frame | pte_flags(prot);
  return true;
}

bool map_anonymous(uint64_t virt, uint64_t size, unsigned prot) {
  uint64_t flags = pte_flags(prot);
  for (uint64_t v = virt; v < virt + size;) {
    if (is_aligned(v, LargePageSize) && virt + size - v >= LargePageSize) {
      uint64_t *pde = entry_at(v, 2, true);
      if (pde && !(*pde & PTE_P)) {
        if (uint64_t chunk = chunk_alloc()) {
          *pde = chunk | flags | PTE_PS;
          v += LargePageSize;
          continue;
        }
      }
    }
    if (!map_page(v, prot)) {
      unmap(virt, v - virt);
      return false;
    }
    v += PageSize;
  }
  return true;
}

void unmap(uint64_t virt, uint64_t size) {
  for (uint64_t v = virt; v < virt + size;) {
    uint64_t *pde = entry_at(v, 2, false);
    if (pde && (*pde & PTE_PS) && is_aligned(v, LargePageSize) &&
        virt + size - v >= LargePageSize) {
      chunk_free(*pde & PTE_ADDR);
      *pde = 0;
      invlpg(v);
      v += LargePageSize;
      continue;
    }
    uint64_t *pte = entry_at(v, 1, pde && (*pde & PTE_PS));
    if (pte && (*pte & (PTE_P | PTE_NONE))) {
      frame_free(*pte & PTE_ADDR);
      *pte = 0;
      invlpg(v);
    }
    v += PageSize;
  }
}

void protect(uint64_t virt, uint64_t size, unsigned prot) {
  uint64_t flags = pte_flags(prot);
  for (uint64_t v = virt; v < virt + size;) {
    uint64_t *pde = entry_at(v, 2, false);
    if (pde && (*pde & PTE_PS) && is_aligned(v, LargePageSize) &&
        virt + size - v >= LargePageSize && (flags & PTE_P)) {
      *pde = (*pde & PTE_ADDR) | flags | PTE_PS;
      invlpg(v);
      v += LargePageSize;
      continue;
    }
    uint64_t *pte = entry_at(v, 1, pde && (*pde & PTE_PS));
    if (pte && (*pte & (PTE_P | PTE_NONE))) {
      *pte = (*pte & PTE_ADDR) | flags;
      invlpg(v);
    }
    v += PageSize;
  }
}

void move_mappings(uint64_t from, uint64_t to, uint64_t size) {
  for (uint64_t off = 0; off < size; off += PageSize) {
    uint64_t *src = entry_at(from + off, 1, true);
    VERIFY(src);
    uint64_t entry = *src;
    *src = 0;
    invlpg(from + off);
    if (!(entry & (PTE_P | PTE_NONE)))
      continue;
    uint64_t *dst = entry_at(to + off, 1, true);
    VERIFY(dst);
    *dst = entry;
  }
}

} // namespace uk
