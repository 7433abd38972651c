// Cpuid: KVM_GET_SUPPORTED_CPUID, filtered.
#include "Cpuid.h"

#include "Error.h"

#include <cerrno>
#include <cpuid.h>
#include <cstring>
#include <sys/ioctl.h>

namespace ukcxx {

const kvm_cpuid_entry2 *CpuidTable::find(uint32_t Function, uint32_t Index) const {
  for (uint32_t I = 0; I < Table->Count; ++I)
    if (Table->Entries[I].function == Function && Table->Entries[I].index == Index)
      return &Table->Entries[I];
  return nullptr;
}

CpuidTable guestCpuid(int KvmFd) {
  CpuidTable C;
  C.Table->Count = 256;
  if (ioctl(KvmFd, KvmGetSupportedCpuid, C.Table.get()) != 0)
    throw Error(std::string("KVM_GET_SUPPORTED_CPUID: ") + strerror(errno));
  // A software KVM (kvm_pvm) runs ring 3 natively, CPUID included, yet reports a
  // sparse supported set (no SSE3, which every x86-64 CPU since 2005 has). Where
  // that happens the guest's feature leaves are the host's own, which is what the
  // program sees anyway, but without XSAVE and AVX: such a KVM emulates ring 0 and
  // cannot emulate XSAVE, so the kernel saves vector state (thread switches, signal
  // frames) with FXSAVE, leaves CR4.OSXSAVE off, and glibc picks its SSE routines.
  const kvm_cpuid_entry2 *L1 = C.find(1);
  unsigned HostMax, Unused, HostEcx1, HostEdx1;
  __cpuid(0, HostMax, Unused, Unused, Unused);
  __cpuid(1, Unused, Unused, HostEcx1, HostEdx1);
  bool Underreported = L1 && !(L1->ecx & 1) && (HostEcx1 & 1);
  uint32_t Kept = 0;
  for (uint32_t I = 0; I < C.Table->Count; ++I) {
    kvm_cpuid_entry2 E = C.Table->Entries[I];
    if (Underreported && (E.function == 1 || (E.function == 7 && HostMax >= 7))) {
      unsigned A, B, Cx, D;
      __cpuid_count(E.function, E.index, A, B, Cx, D);
      if (E.function == 1) {
        // XSAVE, OSXSAVE (the guest's CR4, not the host's), AVX, FMA, F16C.
        E.ecx = Cx & ~((1u << 26) | (1u << 27) | (1u << 28) | (1u << 12) | (1u << 29));
        E.edx = D;
      } else {
        E.ebx = B & ~((1u << 5) | (1u << 16)); // AVX2, AVX-512F
        E.ecx = Cx;
        E.edx = D;
      }
    }
    bool HypervisorLeaf = E.function >= 0x40000000 && E.function < 0x40000100;
    if (HypervisorLeaf || E.function == 0x5 || E.function == 0x6 || E.function == 0xa)
      continue; // kvmclock & co, monitor/mwait, thermal, performance monitoring
    if (E.function == 1) {
      E.ecx &= ~((1u << 3) | (1u << 5) | (1u << 6) | (1u << 15)); // MONITOR VMX SMX PDCM
      E.ecx |= 1u << 31;                                          // a hypervisor is here
    }
    C.Table->Entries[Kept++] = E;
  }
  C.Table->Count = Kept;
  return C;
}

} // namespace ukcxx
