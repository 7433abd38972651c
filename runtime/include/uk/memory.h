// memory.h: guest-physical memory, handed out in 4 KiB frames and 2 MiB chunks.
#pragma once

#include "uk/platform.h"

namespace uk {

/// Takes the RAM ranges the platform reported, minus the image and low memory.
void frames_init(const BootInfo &boot, uint64_t image_start, uint64_t image_end);

/// A zeroed 4 KiB frame's physical address, or 0 when memory is exhausted.
uint64_t frame_alloc();
/// A zeroed, 2 MiB-aligned 2 MiB chunk, or 0.
uint64_t chunk_alloc();
void frame_free(uint64_t phys);
void chunk_free(uint64_t phys);

struct MemoryStats {
  uint64_t total, free;
};
MemoryStats memory_stats();

} // namespace uk
