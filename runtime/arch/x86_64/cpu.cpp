// cpu.cpp: per-CPU set-up: GDT, TSS, IDT, system-call MSRs, FPU/XSAVE, SMEP.
#include "uk/cpu.h"
#include "uk/platform.h"

extern "C" char uk_trap_stubs[];
extern "C" char uk_boot_stack_top[];
extern "C" char uk_ist_stacks[];

namespace uk {

CpuFeatures cpu_features;

namespace {

struct [[gnu::packed]] Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

struct [[gnu::packed]] IdtEntry {
  uint16_t offset_low, selector;
  uint8_t ist, type;
  uint16_t offset_mid;
  uint32_t offset_high, reserved;
};

struct [[gnu::packed]] DescriptorPointer {
  uint16_t limit;
  uint64_t base;
};

} // namespace
} // namespace uk

// The CPU tables have C names: the kvm platform's image note gives their addresses to
// the monitor, which fills them before the first instruction.
extern "C" {
alignas(16) uint64_t uk_gdt[8] = {
    0,
    0x00af9a000000ffff, // 0x08 kernel code, 64-bit
    0x00cf92000000ffff, // 0x10 kernel data
    0x00cffa000000ffff, // 0x18 user code, 32-bit (unused; sysret's layout needs it)
    0x00cff2000000ffff, // 0x20 user data
    0x00affa000000ffff, // 0x28 user code, 64-bit
    0,
    0, // 0x30 TSS, filled in at run time
};
alignas(16) uk::Tss uk_tss;
alignas(16) uk::IdtEntry uk_idt[256];
uk::PerCpu uk_percpu;
}

namespace uk {
namespace {

auto &gdt = uk_gdt;
auto &tss = uk_tss;
auto &idt = uk_idt;
auto &boot_cpu = uk_percpu;

constexpr unsigned IST_DOUBLE_FAULT = 1, IST_NMI = 2;

/// Reads the CPUID leaves the kernel uses, unless the platform passed them (CPUID
/// is an exit to the hypervisor each time).
void detect_features(const BootInfo &boot) {
  uint32_t ecx1 = boot.cpuid_1_ecx, edx1 = boot.cpuid_1_edx, ebx7 = boot.cpuid_7_ebx,
           ext1 = boot.cpuid_ext1_edx, ext7 = boot.cpuid_ext7_edx;
  if (!boot.cpuid_given) {
    auto l1 = cpuid(1);
    ecx1 = l1.ecx;
    edx1 = l1.edx;
    ebx7 = cpuid(0).eax >= 7 ? cpuid(7).ebx : 0;
    uint32_t max_ext = cpuid(0x80000000).eax;
    ext1 = max_ext >= 0x80000001 ? cpuid(0x80000001).edx : 0;
    ext7 = max_ext >= 0x80000007 ? cpuid(0x80000007).edx : 0;
  }
  auto &f = cpu_features;
  f.hwcap = edx1;
  f.xsave = ecx1 & (1u << 26);
  f.avx = ecx1 & (1u << 28);
  f.x2apic = ecx1 & (1u << 21);
  f.tsc_deadline = ecx1 & (1u << 24);
  f.rdrand = ecx1 & (1u << 30);
  f.hypervisor = ecx1 & (1u << 31);
  f.fsgsbase = ebx7 & 1;
  f.smep = ebx7 & (1u << 7);
  f.rdseed = ebx7 & (1u << 18);
  f.smap = ebx7 & (1u << 20);
  f.pdpe1gb = ext1 & (1u << 26);
  f.invariant_tsc = ext7 & (1u << 8);
}

void set_idt_entry(unsigned v) {
  uint64_t handler = reinterpret_cast<uint64_t>(uk_trap_stubs) + 16 * v;
  IdtEntry &e = idt[v];
  e.offset_low = handler & 0xffff;
  e.selector = KERNEL_CS;
  e.ist = v == 8 ? IST_DOUBLE_FAULT : v == 2 ? IST_NMI : 0;
  e.type = 0x8e; // present, ring 0, interrupt gate
  e.offset_mid = (handler >> 16) & 0xffff;
  e.offset_high = handler >> 32;
}

void load_tables() {
  uint64_t base = reinterpret_cast<uint64_t>(&tss);
  uint64_t limit = sizeof(Tss) - 1;
  gdt[6] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
           ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
  gdt[7] = base >> 32;
  tss.iomap_base = sizeof(Tss); // no I/O bitmap: ring 3 has no port access
  tss.ist[IST_DOUBLE_FAULT - 1] = reinterpret_cast<uint64_t>(uk_ist_stacks) + 4096;
  tss.ist[IST_NMI - 1] = reinterpret_cast<uint64_t>(uk_ist_stacks) + 8192;

  // Exceptions now; interrupt vectors when a handler is registered for them.
  for (unsigned v = 0; v < 32; ++v)
    set_idt_entry(v);
  set_idt_entry(255); // spurious interrupts

  DescriptorPointer gdtr{sizeof(gdt) - 1, reinterpret_cast<uint64_t>(gdt)};
  DescriptorPointer idtr{sizeof(idt) - 1, reinterpret_cast<uint64_t>(idt)};
  asm volatile("lgdt %0\n\t"
               "lidt %1\n\t"
               "pushq %2\n\t"
               "leaq 1f(%%rip), %%rax\n\t"
               "pushq %%rax\n\t"
               "lretq\n"
               "1:\n\t"
               "movl %3, %%eax\n\t"
               "movl %%eax, %%ds\n\t"
               "movl %%eax, %%es\n\t"
               "movl %%eax, %%ss\n\t"
               "ltr %w4"
               :
               : "m"(gdtr), "m"(idtr), "i"(uint64_t(KERNEL_CS)), "i"(uint32_t(KERNEL_DS)),
                 "r"(TSS_SELECTOR)
               : "rax", "memory");
}

void enable_fpu() {
  uint64_t cr0, cr4;
  asm volatile("mov %%cr0, %0" : "=r"(cr0));
  cr0 = (cr0 & ~(1ull << 2)) | (1ull << 1) | (1ull << 5) | (1ull << 16); // !EM, MP, NE, WP
  asm volatile("mov %0, %%cr0" ::"r"(cr0));
  asm volatile("mov %%cr4, %0" : "=r"(cr4));
  cr4 |= (1ull << 9) | (1ull << 10); // OSFXSR, OSXMMEXCPT
  if (cpu_features.xsave)
    cr4 |= 1ull << 18; // OSXSAVE
  if (cpu_features.smep)
    cr4 |= 1ull << 20;
  cr4 |= 1ull << 7; // PGE
  asm volatile("mov %0, %%cr4" ::"r"(cr4));
  if (cpu_features.xsave) {
    // x87 and SSE always; AVX when present, so glibc picks its AVX routines.
    uint64_t supported = cpuid(0xd, 0).eax;
    uint64_t xcr0 = 3 | (cpu_features.avx ? 4 : 0);
    xcr0 &= supported | 3;
    asm volatile("xsetbv" ::"c"(0), "a"(uint32_t(xcr0)), "d"(uint32_t(xcr0 >> 32)));
  }
}

void setup_syscall_msrs() {
  wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1 | (1 << 11)); // SCE, NXE
  wrmsr(MSR_STAR, uint64_t(USER_CS32 & ~3) << 48 | uint64_t(KERNEL_CS) << 32);
  wrmsr(MSR_LSTAR, reinterpret_cast<uint64_t>(&uk_syscall_entry));
  // Clear IF, DF, TF and AC on entry, as Linux does.
  wrmsr(MSR_FMASK, (1 << 9) | (1 << 10) | (1 << 8) | (1 << 18));
}

} // namespace

void cpu_setup(const BootInfo &boot) {
  detect_features(boot);
  boot_cpu.self = &boot_cpu;
  if (!boot.cpu_ready) {
    load_tables();
    enable_fpu();
    setup_syscall_msrs();
    wrmsr(MSR_GS_BASE, reinterpret_cast<uint64_t>(&boot_cpu));
    wrmsr(MSR_KERNEL_GS_BASE, 0);
  }
  set_kernel_stack(reinterpret_cast<uint64_t>(uk_boot_stack_top));
}

void enable_vector(unsigned vector) { set_idt_entry(vector); }

void set_kernel_stack(uint64_t top) {
  tss.rsp[0] = top;
  boot_cpu.kernel_rsp = top;
}

} // namespace uk
