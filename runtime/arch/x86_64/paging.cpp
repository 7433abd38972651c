// paging.cpp: the page tables of the one address space (program, kernel, direct map).
#include "uk/paging.h"

#include "uk/cpu.h"
#include "uk/memory.h"

#include <elf.h>

extern "C" const Elf64_Ehdr __ehdr_start;
extern "C" char __uk_kernel_start[], __uk_kernel_end[];

namespace uk {

uint64_t direct_map_base = 0; // 0 until the final page tables are live

namespace {

uint64_t *root; // PML4, through the kernel's view of memory

constexpr uint64_t TableFlags = PTE_P | PTE_W | PTE_U;

unsigned index_at(uint64_t virt, int level) { return (virt >> (12 + 9 * (level - 1))) & 511; }

uint64_t *table_of(uint64_t entry) {
  return static_cast<uint64_t *>(phys_to_virt(entry & PTE_ADDR));
}

/// Replaces a 2 MiB mapping by 512 4 KiB ones with the same flags.
bool split_large(uint64_t &entry) {
  if (!(entry & PTE_PS))
    return true;
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
    unsigned prot = ProtRead | (p.p_flags & PF_W ? ProtWrite : 0) |
                    (p.p_flags & PF_X ? ProtExec : 0) |
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

void *map_device(uint64_t phys) {
  // Devices live in their own kernel range, one page after another.
  static uint64_t next = 0xffffff0000000000ull;
  uint64_t *e = entry_at(next, 1, true);
  VERIFY(e);
  *e = phys | PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_NX;
  void *at = reinterpret_cast<void *>(next);
  next += PageSize;
  return at;
}

bool map_page_to(uint64_t virt, uint64_t phys, unsigned prot) {
  uint64_t *e = entry_at(virt, 1, true);
  if (!e)
    return false;
  *e = phys | pte_flags(prot);
  return true;
}

bool map_borrowed(uint64_t virt, uint64_t phys, unsigned prot) {
  uint64_t *e = entry_at(virt, 1, true);
  if (!e)
    return false;
  *e = phys | pte_flags(prot) | PTE_BORROWED;
  return true;
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

/// What maps Virt: the leaf entry (a 4 KiB or 2 MiB page) and the bytes it covers,
/// or null and the size of the unmapped table range around Virt, so that walks over
/// large reserved ranges skip them a table at a time.
uint64_t *lookup(uint64_t virt, uint64_t &span) {
  uint64_t *table = root;
  for (int level = 4;; --level) {
    span = 1ull << (12 + 9 * (level - 1));
    uint64_t &e = table[index_at(virt, level)];
    if (level == 1 || (level == 2 && (e & PTE_PS)))
      return &e;
    if (!(e & PTE_P))
      return nullptr;
    table = table_of(e);
  }
}

namespace {

/// Calls Page(entry, virt, span) for every present (or PROT_NONE) leaf in
/// [Virt, Virt+Size), splitting large pages that the range covers only in part.
template <typename F> void for_each_page(uint64_t virt, uint64_t size, F &&page) {
  uint64_t end = virt + size;
  for (uint64_t v = virt; v < end;) {
    uint64_t span;
    uint64_t *e = lookup(v, span);
    uint64_t next = align_down(v, span) + span;
    if (!e) { // no table here: nothing mapped in the whole span
      v = next;
      continue;
    }
    if (span == LargePageSize && (*e & PTE_PS)) {
      if (v != align_down(v, span) || next > end) {
        VERIFY(split_large(*e)); // only part of it changes
        continue;
      }
      page(*e, v, span);
      v = next;
      continue;
    }
    // A page table: its entries one after another, up to its end or the range's.
    uint64_t stop = align_down(v, LargePageSize) + LargePageSize;
    stop = stop < end ? stop : end;
    for (; v < stop; v += PageSize, ++e)
      if (*e & (PTE_P | PTE_NONE))
        page(*e, v, PageSize);
  }
}

} // namespace

void unmap(uint64_t virt, uint64_t size) {
  for_each_page(virt, size, [](uint64_t &e, uint64_t v, uint64_t span) {
    if (e & PTE_BORROWED)
      ; // its owner frees it
    else if (span == LargePageSize)
      chunk_free(e & PTE_ADDR);
    else
      frame_free(e & PTE_ADDR);
    e = 0;
    invlpg(v);
  });
}

void protect(uint64_t virt, uint64_t size, unsigned prot) {
  uint64_t flags = pte_flags(prot);
  for_each_page(virt, size, [&](uint64_t &e, uint64_t v, uint64_t span) {
    if (span == LargePageSize && !(flags & PTE_P)) {
      VERIFY(split_large(e)); // PROT_NONE has no large-page form
      protect(v, span, prot);
      return;
    }
    e = (e & (PTE_ADDR | PTE_BORROWED)) | flags | (span == LargePageSize ? PTE_PS : 0);
    invlpg(v);
  });
}

bool map_or_protect(uint64_t virt, uint64_t size, unsigned prot) {
  protect(virt, size, prot);
  // Then map what has no page yet, a run of missing pages at a time (so that large
  // runs get large pages).
  uint64_t end = virt + size;
  for (uint64_t v = virt; v < end;) {
    uint64_t span;
    uint64_t *e = lookup(v, span);
    if (e && (*e & (PTE_P | PTE_NONE))) {
      v = align_down(v, span) + span;
      continue;
    }
    uint64_t run = v;
    while (run < end) {
      uint64_t *r = lookup(run, span);
      if (r && (*r & (PTE_P | PTE_NONE)))
        break;
      run = r ? run + PageSize : align_down(run, span) + span;
    }
    if (run > end)
      run = end;
    if (!map_anonymous(v, run - v, prot))
      return false;
    v = run;
  }
  return true;
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
