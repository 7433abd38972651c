// frames.cpp: the physical memory allocator: bump allocation from the RAM ranges,
// with free lists of 4 KiB frames and 2 MiB chunks given back by munmap.
#include "uk/memory.h"
#include "uk/paging.h"

namespace uk {
namespace {

struct Range {
  uint64_t next, end; // bump pointer; memory above it has never been used (is zero)
};

// RAM ranges, plus the gaps left below 2 MiB-aligned chunks (used for single frames).
constexpr int MaxRanges = BootInfo::MaxRanges + 32;
Range ranges[MaxRanges];
int range_count;
uint64_t free_frames, free_chunks; // singly linked through the first word
uint64_t total_bytes, used_bytes;

uint64_t pop(uint64_t &list, uint64_t size) {
  uint64_t phys = list;
  if (!phys)
    return 0;
  auto *p = static_cast<uint64_t *>(phys_to_virt(phys));
  list = *p;
  memset(p, 0, size); // freed memory is dirty; fresh memory from bump() is zero
  return phys;
}

void push(uint64_t &list, uint64_t phys) {
  *static_cast<uint64_t *>(phys_to_virt(phys)) = list;
  list = phys;
}

uint64_t bump(uint64_t size) {
  for (int i = 0; i < range_count; ++i) {
    Range &r = ranges[i];
    uint64_t at = align_up(r.next, size);
    if (at + size > r.end || at < r.next)
      continue;
    // Memory skipped to align a chunk stays usable: as a range of its own when there
    // is room for one (a loop pushing each frame would cost hundreds of instructions).
    if (at > r.next) {
      if (range_count < MaxRanges)
        ranges[range_count++] = {r.next, at};
      else
        for (uint64_t f = r.next; f < at; f += PageSize)
          push(free_frames, f);
    }
    r.next = at + size;
    return at;
  }
  return 0;
}

void add_range(uint64_t base, uint64_t end) {
  base = align_up(base, PageSize);
  end = align_down(end, PageSize);
  if (end <= base || range_count == MaxRanges)
    return;
  ranges[range_count++] = {base, end};
  total_bytes += end - base;
}

/// Adds [Base, End) minus two holes.
void add_excluding(uint64_t base, uint64_t end, MemoryRange a, MemoryRange b) {
  if (b.base < a.base) {
    MemoryRange t = a;
    a = b;
    b = t;
  }
  const MemoryRange holes[2] = {a, b};
  for (const MemoryRange &hole : holes) {
    uint64_t hole_end = hole.base + hole.size;
    if (!hole.size || hole_end <= base || hole.base >= end)
      continue;
    if (hole.base > base)
      add_range(base, hole.base);
    base = hole_end;
  }
  if (base < end)
    add_range(base, end);
}

} // namespace

void frames_init(const BootInfo &boot, uint64_t image_start, uint64_t image_end) {
  // Low memory holds firmware and boot data (PVH start info, command line).
  constexpr uint64_t LowMemoryEnd = 1 * MiB;
  MemoryRange image = {image_start, image_end - image_start};
  for (int i = 0; i < boot.ram_count; ++i) {
    uint64_t base = boot.ram[i].base, end = base + boot.ram[i].size;
    if (base < LowMemoryEnd)
      base = LowMemoryEnd;
    if (base < end)
      add_excluding(base, end, image, boot.reserved);
  }
}

uint64_t frame_alloc() {
  uint64_t phys = pop(free_frames, PageSize);
  if (!phys)
    phys = bump(PageSize);
  if (phys)
    used_bytes += PageSize;
  return phys;
}

uint64_t chunk_alloc() {
  uint64_t phys = pop(free_chunks, LargePageSize);
  if (!phys)
    phys = bump(LargePageSize);
  if (phys)
    used_bytes += LargePageSize;
  return phys;
}

void frame_free(uint64_t phys) {
  push(free_frames, phys);
  used_bytes -= PageSize;
}

void chunk_free(uint64_t phys) {
  push(free_chunks, phys);
  used_bytes -= LargePageSize;
}

MemoryStats memory_stats() { return {total_bytes, total_bytes - used_bytes}; }

} // namespace uk
