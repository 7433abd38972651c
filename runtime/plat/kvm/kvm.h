// kvm.h: the built-in KVM monitor platform's parts.
#pragma once

#include "uk/abi/kvm.h"
#include "uk/platform.h"

namespace uk {

extern const Platform kvm_platform;

/// Makes hypercall Nr with the argument struct at Args (kernel memory, identity-mapped,
/// so its address is guest-physical): one exit.
inline void hypercall(unsigned nr, const void *args) {
  asm volatile("outl %0, %w1" ::"a"(uint32_t(reinterpret_cast<uint64_t>(args))),
               "Nd"(uint16_t(UK_KVM_HYPERCALL_PORT + nr))
               : "memory");
}

void kvm_platform_init(const uk_kvm_boot_info &info);

/// Records how many host volumes the monitor serves (volume.cpp).
void kvm_volumes_init(uint32_t count);

} // namespace uk
