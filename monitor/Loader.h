// Loader: puts an image into guest memory the way the kernel would have set itself
// up: segments, page tables, CPU tables, boot info.
#pragma once

#include "GuestMemory.h"
#include "ImageFile.h"

#include "uk/abi/kvm.h"

#include <string>

namespace ukcxx {

/// Where the loader put things, for the vCPU set-up and the boot info.
struct BootLayout {
  uk_kvm_image Image;    // the image's validated note
  uint64_t Cr3 = 0;      // root of the page tables
  uint64_t BootInfo = 0; // guest-physical address of struct uk_kvm_boot_info
  uint64_t ReservedStart = 0, ReservedEnd = 0;
};

struct LoadOptions {
  std::string Cmdline;
  bool GigabytePages = false; // the guest CPU has PDPE1GB: map RAM with 1 GiB pages
};

/// Validates the image's monitor note, copies its segments, builds page tables
/// matching the kernel's layout (program segments for ring 3, kernel segments
/// supervisor-only, W^X, all RAM at 0xffff800000000000), fills the kernel's IDT, TSS
/// and TSS descriptor, and places the command line and the boot info (whose
/// time and CPUID fields writeBootInfo completes). Throws Error with what is wrong.
BootLayout loadImage(const ImageFile &Image, const GuestMemory &Memory,
                     const LoadOptions &Options);

/// Fills the boot info's time and CPUID fields.
void writeBootInfo(const BootLayout &Layout, const GuestMemory &Memory, uk_kvm_boot_info Info);

} // namespace ukcxx
