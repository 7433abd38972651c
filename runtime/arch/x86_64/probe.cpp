// probe.cpp: finds out, once, whether the hypervisor runs ring 0 in software.
//
// One system call from ring 3 tells: on a software KVM (kvm_pvm, DESIGN.md) it
// arrives as a page fault on the entry page instead of through MSR_LSTAR. Such a
// hypervisor emulates ring-0 instructions one by one and cannot emulate XSAVE, so
// thread switches save the vector state with FXSAVE, and the program must not use
// the AVX state FXSAVE would lose: the kernel turns CR4.OSXSAVE off before the
// program starts, which the program's CPUID then reports, and glibc picks its SSE
// routines. The built-in monitor needs no probe: it knows its KVM and hides XSAVE in
// the CPUID it gives the kernel (monitor/Cpuid.cpp).
#include "uk/cpu.h"
#include "uk/memory.h"
#include "uk/paging.h"

extern "C" {
void uk_run_probe(uint64_t rip, uint64_t *save);
[[noreturn]] void uk_probe_return(uint64_t *save);
extern uint8_t uk_syscall_via_fault;
}

namespace uk {
namespace {

constexpr uint64_t ProbePage = 0x3ff000; // just below the program image
uint64_t probe_save;
alignas(16) char probe_stack[4096];
bool probing;

} // namespace

bool software_virtualized() { return uk_syscall_via_fault; }

void probe_hypervisor() {
  uint64_t frame = frame_alloc();
  if (!frame || !map_page_to(ProbePage, frame, ProtRead | ProtExec | ProtUser))
    return;
  static const uint8_t code[] = {0x0f, 0x05, 0x0f, 0x0b}; // syscall; ud2
  memcpy(phys_to_virt(frame), code, sizeof code);
  set_kernel_stack(reinterpret_cast<uint64_t>(probe_stack + sizeof probe_stack));
  probing = true;
  uk_run_probe(ProbePage, &probe_save);
  probing = false;
  unmap(ProbePage, PageSize);
  if (software_virtualized() && cpu_features.xsave) {
    uint64_t cr4;
    asm volatile("mov %%cr4, %0" : "=r"(cr4));
    asm volatile("mov %0, %%cr4" ::"r"(cr4 & ~(1ull << 18))); // OSXSAVE off
    cpu_features.xsave = false;
    cpu_features.avx = false;
  }
}

/// Called for system call 511, which no Linux program makes: the probe's.
bool probe_syscall() {
  if (!probing)
    return false;
  uk_probe_return(&probe_save);
}

} // namespace uk
