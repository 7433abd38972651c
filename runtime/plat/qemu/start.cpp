// start.cpp: the QEMU platform's boot: PVH start info to BootInfo, then the kernel.
#include "qemu.h"

#include "uk/cpu.h"
#include "uk/print.h"

namespace uk {
namespace {

// The PVH start info (Xen's public/arch-x86/hvm/start_info.h, an ABI).
struct HvmStartInfo {
  uint32_t magic, version, flags, nr_modules;
  uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
  uint64_t memmap_paddr; // version 1 and later
  uint32_t memmap_entries, reserved;
};
struct HvmMemmapEntry {
  uint64_t addr, size;
  uint32_t type, reserved;
};
constexpr uint32_t HvmStartMagic = 0x336ec578;
constexpr uint32_t HvmMemmapRam = 1;

BootInfo boot;
char cmdline[4096];
extern "C" uint64_t uk_boot_tsc;

} // namespace

extern "C" [[noreturn]] void uk_pvh_main(const HvmStartInfo *info) {
  platform = &qemu_platform;
  boot.tsc_at_entry = uk_boot_tsc;
  qemu_console_init();
  // Interrupts come through the local APIC: keep the legacy PIC silent.
  outb(0x21, 0xff);
  outb(0xa1, 0xff);
  if (info->magic != HvmStartMagic)
    PANIC("PVH start info has a bad magic number %#x", info->magic);
  // The boot page tables identity-map the first GiB, where QEMU puts these.
  if (info->version >= 1 && info->memmap_entries) {
    auto *map = reinterpret_cast<const HvmMemmapEntry *>(info->memmap_paddr);
    for (uint32_t i = 0; i < info->memmap_entries && boot.ram_count < BootInfo::MaxRanges; ++i)
      if (map[i].type == HvmMemmapRam)
        boot.ram[boot.ram_count++] = {map[i].addr, map[i].size};
  }
  if (!boot.ram_count)
    PANIC("the hypervisor reported no RAM");
  // Copied now: low memory is not mapped once the kernel's page tables are live.
  if (info->cmdline_paddr) {
    auto *line = reinterpret_cast<const char *>(info->cmdline_paddr);
    size_t len = strlen(line);
    if (len >= sizeof cmdline)
      PANIC("the boot command line is longer than %zu bytes", sizeof cmdline - 1);
    memcpy(cmdline, line, len + 1);
    boot.cmdline = cmdline;
  }
  kernel_main(boot);
}

} // namespace uk
