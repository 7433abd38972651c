// KvmAbi: KVM structures with flexible arrays, laid out as the kernel expects.
//
// The Linux UAPI headers declare kvm_cpuid2 and kvm_msrs with __DECLARE_FLEX_ARRAY,
// which in C++ adds a one-byte empty struct: sizeof and the array's offset come out
// wrong (kvm_cpuid2 is 12 bytes instead of 8), and so do the ioctl numbers derived
// from them. These fixed-capacity versions and ioctl numbers are what the kernel reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <linux/kvm.h>

namespace ukcxx {

template <typename Entry, unsigned Capacity> struct KvmArray {
  uint32_t Count = 0;
  uint32_t Padding = 0;
  Entry Entries[Capacity];
};
using CpuidArray = KvmArray<kvm_cpuid_entry2, 256>;
template <unsigned N> using MsrArray = KvmArray<kvm_msr_entry, N>;
using IrqRoutingArray = KvmArray<kvm_irq_routing_entry, 24>; // one route per I/O APIC line
static_assert(offsetof(CpuidArray, Entries) == 8, "entries follow the 8-byte header");
static_assert(offsetof(MsrArray<1>, Entries) == 8, "entries follow the 8-byte header");
static_assert(offsetof(IrqRoutingArray, Entries) == 8, "entries follow the 8-byte header");

// The ioctl numbers, with the 8-byte header as the kernel declares their size.
constexpr unsigned long KvmGetSupportedCpuid = _IOWR(KVMIO, 0x05, uint64_t);
constexpr unsigned long KvmSetCpuid2 = _IOW(KVMIO, 0x90, uint64_t);
constexpr unsigned long KvmGetMsrs = _IOWR(KVMIO, 0x88, uint64_t);
constexpr unsigned long KvmSetMsrs = _IOW(KVMIO, 0x89, uint64_t);
constexpr unsigned long KvmSetGsiRouting = _IOW(KVMIO, 0x6a, uint64_t);

} // namespace ukcxx
