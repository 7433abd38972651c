// process.cpp: the program's start, exactly as Linux starts a static executable
// (argc, argv, envp and the auxiliary vector on the stack), and its end.
#include "uk/process.h"

#include "uk/cpu.h"
#include "uk/manifest.h"
#include "uk/print.h"
#include "uk/time.h"
#include "uk/vm.h"

#include <elf.h>
#include <linux/auxvec.h>

extern "C" const Elf64_Ehdr __ehdr_start;
extern "C" const char uk_vdso_start[], uk_vdso_end[];
extern "C" [[noreturn]] void uk_enter_user(uint64_t rip, uint64_t rsp);

namespace uk {
namespace {

constexpr int MaxArgs = 256;
uint8_t ttys;

/// Builds the initial stack downward from Top.
class StackBuilder {
public:
  explicit StackBuilder(uint64_t top) : sp(top) {}

  uint64_t push_bytes(const void *data, size_t len) {
    sp -= len;
    memcpy(reinterpret_cast<void *>(sp), data, len);
    return sp;
  }
  uint64_t push_string(const char *s) { return push_bytes(s, strlen(s) + 1); }

  uint64_t sp;
};

/// Splits the boot command line into kernel options and program arguments. The form
/// ukrun writes is "[uk.OPTION=VALUE ...] -- ARG ..."; without "--", every word is a
/// program argument. Words may be quoted with '...' or escape characters with \.
int split_cmdline(char *line, char **words, int max) {
  int n = 0;
  char *out = line;
  for (char *p = line; *p;) {
    while (*p == ' ')
      ++p;
    if (!*p || n == max)
      break;
    words[n++] = out;
    bool quoted = false;
    for (; *p && (quoted || *p != ' '); ++p) {
      if (*p == '\'') {
        quoted = !quoted;
      } else if (*p == '\\' && p[1]) {
        *out++ = *++p;
      } else {
        *out++ = *p;
      }
    }
    if (*p)
      ++p; // past the separator, which the terminator below may overwrite
    *out++ = 0;
  }
  return n;
}

/// The number of words left once the hypervisor's are dropped from the end: QEMU
/// microvm appends "virtio_mmio.device=SIZE@ADDR:IRQ" for each virtio device (unless
/// auto-kernel-cmdline=off, which ukrun sets). They are never the program's: the kernel
/// finds its devices by probing.
int without_hypervisor_words(char **words, int first, int n) {
  static constexpr char Prefix[] = "virtio_mmio.device=";
  while (n > first && !memcmp(words[n - 1], Prefix, sizeof Prefix - 1))
    --n;
  return n;
}

uint64_t random_u64() {
  uint64_t v;
  if (cpu_features.rdrand) {
    for (int i = 0; i < 16; ++i) {
      unsigned char ok;
      asm volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
      if (ok)
        return v;
    }
  }
  // No hardware randomness: the TSC's low bits are the best we have.
  v = rdtsc();
  return v * 0x9e3779b97f4a7c15ull ^ (v >> 29);
}

char cmdline_copy[4096];

} // namespace

const char *program_name() { return manifest_string(manifest().name); }
uint8_t console_ttys() { return ttys; }

[[noreturn]] void start_program(const BootInfo &boot) {
  const uk_manifest &m = manifest();
  static const char *argv[MaxArgs], *envp[MaxArgs];
  static uint64_t arg_ptrs[MaxArgs], env_ptrs[MaxArgs];
  int argc = 0, envc = 0;
  argv[argc++] = program_name();
  for (uint32_t i = 0; i < m.argc && argc < MaxArgs - 1; ++i)
    argv[argc++] = manifest_string_at(m.argv, i);
  for (uint32_t i = 0; i < m.envc && envc < MaxArgs - 1; ++i)
    envp[envc++] = manifest_string_at(m.envp, i);

  if (boot.cmdline) {
    size_t len = strlen(boot.cmdline);
    if (len >= sizeof cmdline_copy)
      PANIC("the boot command line is longer than %zu bytes", sizeof cmdline_copy - 1);
    memcpy(cmdline_copy, boot.cmdline, len + 1);
    static char *words[MaxArgs];
    int n = split_cmdline(cmdline_copy, words, MaxArgs);
    int first_arg = 0; // words before "--" are kernel options (kernel/main.cpp)
    for (int i = 0; i < n; ++i)
      if (words[i][0] == '-' && words[i][1] == '-' && !words[i][2]) {
        first_arg = i + 1;
        break;
      }
    n = without_hypervisor_words(words, first_arg, n);
    for (int i = first_arg; i < n && argc < MaxArgs - 1; ++i)
      argv[argc++] = words[i];
  }
  ttys = boot.ttys;

  // Decides how thread switches and signal frames save the vector state. A monitor
  // set the CPU up knowing its hypervisor, and says so in the CPUID it gives.
  if (!boot.cpu_ready)
    probe_hypervisor();
  uint64_t vdso = vm_map_vdso(uk_vdso_start, uk_vdso_end - uk_vdso_start);
  uint64_t top = vm_stack_init();
  StackBuilder stack(top - 16);
  uint64_t execfn = stack.push_string(argv[0]);
  for (int i = envc - 1; i >= 0; --i)
    env_ptrs[i] = stack.push_string(envp[i]);
  for (int i = argc - 1; i >= 0; --i)
    arg_ptrs[i] = stack.push_string(argv[i]);
  uint64_t platform_string = stack.push_string("x86_64");
  uint64_t random[2] = {random_u64(), random_u64()};
  uint64_t at_random = stack.push_bytes(random, sizeof random);

  // argc, argv, NULL, envp, NULL, auxv: sized so that the final sp is 16-aligned, and
  // written in place (every kernel instruction counts where ring 0 is emulated).
  constexpr int AuxvEntries = 23;
  size_t words = 1 + argc + 1 + envc + 1 + 2 * AuxvEntries;
  stack.sp = align_down(stack.sp - words * 8, 16);
  auto *out = reinterpret_cast<uint64_t *>(stack.sp);
  *out++ = argc;
  for (int i = 0; i < argc; ++i)
    *out++ = arg_ptrs[i];
  *out++ = 0;
  for (int i = 0; i < envc; ++i)
    *out++ = env_ptrs[i];
  *out++ = 0;
  auto aux = [&](uint64_t type, uint64_t value) {
    *out++ = type;
    *out++ = value;
  };
  aux(AT_PHDR, reinterpret_cast<uint64_t>(&__ehdr_start) + __ehdr_start.e_phoff);
  aux(AT_PHENT, sizeof(Elf64_Phdr));
  aux(AT_PHNUM, __ehdr_start.e_phnum);
  aux(AT_PAGESZ, PageSize);
  aux(AT_BASE, 0);
  aux(AT_FLAGS, 0);
  aux(AT_ENTRY, __ehdr_start.e_entry);
  aux(AT_UID, 0);
  aux(AT_EUID, 0);
  aux(AT_GID, 0);
  aux(AT_EGID, 0);
  aux(AT_SECURE, 0);
  aux(AT_RANDOM, at_random);
  aux(AT_HWCAP, cpu_features.hwcap);
  aux(AT_HWCAP2, 0);
  aux(AT_CLKTCK, 100);
  aux(AT_PLATFORM, platform_string);
  aux(AT_EXECFN, execfn);
  aux(AT_SYSINFO_EHDR, vdso); // 0 (no vDSO) if it could not be mapped: glibc copes
  aux(UK_AT_BOOT_TSC, boot.tsc_at_entry);
  aux(UK_AT_TSC_HZ, tsc_hz());
  aux(AT_NULL, 0);
  aux(AT_NULL, 0); // padding to AuxvEntries

  uk_enter_user(__ehdr_start.e_entry, stack.sp);
}

[[noreturn]] void exit_program(ExitKind kind, int status) {
  platform->exit(kind, status);
  __builtin_unreachable();
}

} // namespace uk
