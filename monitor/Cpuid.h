// Cpuid: the CPUID the guest sees, filtered from what KVM supports.
#pragma once

#include "KvmAbi.h"

#include <memory>

namespace ukcxx {

/// The CPUID entries given to KVM_SET_CPUID2.
struct CpuidTable {
  std::unique_ptr<CpuidArray> Table = std::make_unique<CpuidArray>();

  const kvm_cpuid_entry2 *find(uint32_t Function, uint32_t Index = 0) const;
};

/// KVM's supported CPUID, trimmed to what the runtime and the program need: the
/// instruction-set features (what glibc chooses its routines by) stay; the hypervisor
/// leaves, virtualization, monitor/mwait, performance monitoring and thermal leaves go.
CpuidTable guestCpuid(int KvmFd);

} // namespace ukcxx
