// cpu.h: x86-64 CPU primitives, segment layout and the trap frame.
// (x86-64 is the only architecture yet; aarch64 gets its own cpu.h chosen by the build.)
#pragma once

#include "uk/base.h"

namespace uk {

// GDT layout. STAR makes sysretq load USER_CS = base + 16 and USER_DS = base + 8.
constexpr uint16_t KERNEL_CS = 0x08, KERNEL_DS = 0x10;
constexpr uint16_t USER_CS32 = 0x18 | 3, USER_DS = 0x20 | 3, USER_CS = 0x28 | 3;
constexpr uint16_t TSS_SELECTOR = 0x30;

// Model-specific registers.
constexpr uint32_t MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082,
                   MSR_FMASK = 0xc0000084, MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101,
                   MSR_KERNEL_GS_BASE = 0xc0000102, MSR_TSC_DEADLINE = 0x6e0,
                   MSR_APIC_BASE = 0x1b, MSR_PAT = 0x277;

/// Registers saved on every kernel entry (interrupt, exception, system call), in the
/// order the entry stubs push them; the last five are the hardware's iret frame.
struct TrapFrame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error;
  uint64_t rip, cs, rflags, rsp, ss;

  bool from_user() const { return (cs & 3) == 3; }
};
static_assert(sizeof(TrapFrame) == 22 * 8, "entry.S depends on this layout");

constexpr uint64_t SyscallVector = 0x100; // TrapFrame::vector of a system call

struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};

inline CpuidResult cpuid(uint32_t leaf, uint32_t subleaf = 0) {
  CpuidResult r;
  asm volatile("cpuid"
               : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
               : "a"(leaf), "c"(subleaf));
  return r;
}

inline uint64_t rdtsc() {
  uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return uint64_t(hi) << 32 | lo;
}

inline uint64_t rdmsr(uint32_t msr) {
  uint32_t lo, hi;
  asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return uint64_t(hi) << 32 | lo;
}

inline void wrmsr(uint32_t msr, uint64_t value) {
  asm volatile("wrmsr" ::"c"(msr), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)) : "memory");
}

inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
inline void outl(uint16_t port, uint32_t v) {
  asm volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
inline uint8_t inb(uint16_t port) {
  uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

/// Writes Len bytes to Port with one string instruction: under KVM the whole
/// buffer (up to a page) crosses to the hypervisor in one exit.
inline void outsb(uint16_t port, const void *data, size_t len) {
  asm volatile("rep outsb" : "+S"(data), "+c"(len) : "d"(port) : "memory");
}

/// Reads Len bytes from Port with one string instruction (one exit under KVM).
inline void insb(uint16_t port, void *data, size_t len) {
  asm volatile("rep insb" : "+D"(data), "+c"(len) : "d"(port) : "memory");
}

inline uint64_t read_cr2() {
  uint64_t v;
  asm volatile("mov %%cr2, %0" : "=r"(v));
  return v;
}
inline uint64_t read_cr3() {
  uint64_t v;
  asm volatile("mov %%cr3, %0" : "=r"(v));
  return v;
}
inline void write_cr3(uint64_t v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
inline void invlpg(uint64_t addr) { asm volatile("invlpg (%0)" ::"r"(addr) : "memory"); }
inline void halt() { asm volatile("hlt" ::: "memory"); }
inline void cpu_relax() { asm volatile("pause"); }

/// The state of this CPU that entry code reaches through %gs.
struct PerCpu {
  PerCpu *self;
  uint64_t kernel_rsp; // top of the kernel stack for entries from ring 3
  uint64_t user_rsp;   // scratch for the syscall entry
  uint64_t syscall_nr; // of the system call in progress (for restarts after a signal)
};
static_assert(__builtin_offsetof(PerCpu, kernel_rsp) == 8, "entry.S depends on this");
static_assert(__builtin_offsetof(PerCpu, user_rsp) == 16, "entry.S depends on this");
static_assert(__builtin_offsetof(PerCpu, syscall_nr) == 24, "entry.S depends on this");

} // namespace uk
extern "C" uk::PerCpu uk_percpu; // the one CPU's (cpu.cpp)
namespace uk {

/// CPU features the kernel and the program's auxv care about.
struct CpuFeatures {
  bool xsave, avx, smep, smap, fsgsbase, tsc_deadline, x2apic, rdrand, rdseed, invariant_tsc,
      hypervisor, pdpe1gb;
  uint32_t hwcap; // CPUID.1:EDX, what Linux reports as AT_HWCAP
};
extern CpuFeatures cpu_features;

struct BootInfo;

/// Sets up this CPU (GDT, TSS, IDT, system-call MSRs, FPU/XSAVE, SMEP), skipping
/// what a monitor already did (boot.cpu_ready).
void cpu_setup(const BootInfo &boot);

/// Makes interrupt Vector reach uk_trap (the IDT has only exceptions at boot).
void enable_vector(unsigned vector);

/// Sets the kernel stack used on entries from ring 3.
void set_kernel_stack(uint64_t top);

/// Runs one system call from ring 3 to learn whether ring 0 is emulated (software
/// KVM); if so, turns off XSAVE for the program (probe.cpp says why).
void probe_hypervisor();
bool software_virtualized();
/// The probe's system call (511); false if no probe runs.
bool probe_syscall();

/// Enters the program in ring 3 at Rip with stack Rsp; never returns.
[[noreturn]] void enter_user(uint64_t rip, uint64_t rsp);

/// Halts the CPU until the next interrupt, taking interrupts only while halted.
inline void halt_until_interrupt() { asm volatile("sti; hlt; cli" ::: "memory"); }

/// The size of the FPU/SSE/AVX state (XSAVE area, or 512 bytes for FXSAVE).
size_t fpu_state_size();
/// Saves and restores the program's vector state (the kernel never touches it).
void fpu_save(uint8_t *area);
void fpu_restore(const uint8_t *area);

} // namespace uk

extern "C" void uk_syscall_entry();
extern "C" void uk_switch_context(uint64_t *save, uint64_t next);
extern "C" void uk_thread_start();
