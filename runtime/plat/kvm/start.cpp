// start.cpp: the monitor's boot info to BootInfo, then the kernel.
#include "kvm.h"

#include "uk/paging.h"

namespace uk {
namespace {

BootInfo boot;
char cmdline[4096];

} // namespace

extern "C" [[noreturn]] void uk_kvm_main(uint64_t info_phys) {
  // The monitor's page tables map all RAM at DirectMapBase, as the kernel's do.
  const auto &info = *reinterpret_cast<const uk_kvm_boot_info *>(DirectMapBase + info_phys);
  platform = &kvm_platform;
  kvm_platform_init(info);
  if (info.magic != UK_KVM_BOOT_MAGIC || info.abi_version != UK_KVM_ABI_VERSION ||
      info.size != sizeof info)
    PANIC("the monitor's boot info is of another ABI version");
  kvm_volumes_init(info.volumes);
  boot.ram[0] = {0, info.memory_size};
  boot.ram_count = 1;
  boot.reserved = {info.reserved_start, info.reserved_end - info.reserved_start};
  if (info.cmdline) {
    auto *line = reinterpret_cast<const char *>(DirectMapBase + info.cmdline);
    size_t len = strlen(line);
    if (len >= sizeof cmdline)
      PANIC("the boot command line is longer than %zu bytes", sizeof cmdline - 1);
    memcpy(cmdline, line, len + 1);
    boot.cmdline = cmdline;
  }
  boot.tsc_hz = info.tsc_hz;
  boot.wall_ns = info.wall_ns;
  boot.tsc_at_wall = info.tsc_at_wall;
  boot.tsc_at_entry = info.tsc_at_entry;
  boot.cpuid_given = true;
  boot.cpuid_1_ecx = info.cpuid_1_ecx;
  boot.cpuid_1_edx = info.cpuid_1_edx;
  boot.cpuid_7_ebx = info.cpuid_7_ebx;
  boot.cpuid_ext1_edx = info.cpuid_ext1_edx;
  boot.cpuid_ext7_edx = info.cpuid_ext7_edx;
  boot.cpu_ready = true;
  kernel_main(boot);
}

} // namespace uk
