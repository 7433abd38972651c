// paging.h: x86-64 4-level page tables: the kernel's one address space.
#pragma once

#include "uk/base.h"

namespace uk {

// Page table entry bits.
constexpr uint64_t PTE_P = 1, PTE_W = 2, PTE_U = 4, PTE_PWT = 8, PTE_PCD = 16, PTE_A = 32,
                   PTE_D = 64, PTE_PS = 128, PTE_G = 256, PTE_NX = 1ull << 63;
constexpr uint64_t PTE_ADDR = 0x000ffffffffff000ull;
/// Software bit: a PROT_NONE page. Not present to the CPU, but it owns its frame.
constexpr uint64_t PTE_NONE = 1ull << 9;
/// Software bit: the frame is not the mapping's own (the vDSO's image pages, a file's
/// pages in a shared mapping): unmapping leaves it to its owner.
constexpr uint64_t PTE_BORROWED = 1ull << 10;

/// Where all guest-physical memory is mapped for the kernel (supervisor, RW, NX).
constexpr uint64_t DirectMapBase = 0xffff800000000000ull;

/// Protection of a mapping, independent of the page-table format.
enum Prot : unsigned { ProtRead = 1, ProtWrite = 2, ProtExec = 4, ProtUser = 8 };

uint64_t pte_flags(unsigned prot);

/// The kernel's view of physical memory: before the final page tables are live,
/// physical addresses are identity-mapped; after, they are at DirectMapBase.
extern uint64_t direct_map_base;
inline void *phys_to_virt(uint64_t phys) {
  return reinterpret_cast<void *>(phys + direct_map_base);
}

/// Builds the final page tables (image segments with their protections, the direct
/// map of RAM) and switches to them. Called once at boot, unless a monitor did it.
void paging_setup(uint64_t ram_top);

/// Uses the page tables a monitor prepared (their root is in CR3).
void paging_adopt(uint64_t ram_top);

/// Maps [Virt, Virt+Size) to freshly allocated zeroed memory. Uses 2 MiB pages where
/// Virt and Size allow. Returns false (mapping nothing) when memory runs out.
bool map_anonymous(uint64_t virt, uint64_t size, unsigned prot);

/// Unmaps [Virt, Virt+Size) and frees the memory behind it.
void unmap(uint64_t virt, uint64_t size);

/// Changes the protection of the mapped pages in [Virt, Virt+Size).
void protect(uint64_t virt, uint64_t size, unsigned prot);

/// Gives every page of [Virt, Virt+Size) protection Prot, mapping fresh zeroed memory
/// where none is yet (a PROT_NONE reservation made accessible). False if memory ran
/// out.
bool map_or_protect(uint64_t virt, uint64_t size, unsigned prot);

/// Moves the mappings of [From, From+Size) to To (no copying of data).
void move_mappings(uint64_t from, uint64_t to, uint64_t size);

/// Maps the device registers at physical Phys (one page, uncached, supervisor) and
/// returns their kernel address.
void *map_device(uint64_t phys);

/// Maps one 4 KiB page at Virt to the frame at Phys, which the mapping then owns.
bool map_page_to(uint64_t virt, uint64_t phys, unsigned prot);
/// Maps one 4 KiB page at Virt to the frame at Phys, which stays its owner's.
bool map_borrowed(uint64_t virt, uint64_t phys, unsigned prot);

/// Maps one 4 KiB page at Virt to a fresh zeroed frame; false if memory ran out.
bool map_page(uint64_t virt, unsigned prot);

} // namespace uk
