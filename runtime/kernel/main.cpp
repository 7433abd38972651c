// main.cpp: the boot sequence shared by every platform, from BootInfo to the program.
#include "uk/cpu.h"
#include "uk/manifest.h"
#include "uk/memory.h"
#include "uk/net.h"
#include "uk/paging.h"
#include "uk/platform.h"
#include "uk/process.h"
#include "uk/sched.h"
#include "uk/time.h"
#include "uk/vm.h"

#include <elf.h>

extern "C" const Elf64_Ehdr __ehdr_start;
extern "C" char __uk_kernel_end[];

namespace uk {

const Platform *platform;

namespace {

// The values of the options other components read (boot_option), copied: the
// command line's memory is the platform's.
struct BootOption {
  const char *key, *value;
};
BootOption boot_options[16];
int boot_option_count;
char boot_option_text[2048];
size_t boot_option_used;

/// Keeps "uk.KEY=VALUE" (P points after "uk.") for boot_option().
void keep_option(const char *p) {
  const char *end = p;
  while (*end && *end != ' ')
    ++end;
  size_t len = size_t(end - p);
  const char *equals = p;
  while (equals < end && *equals != '=')
    ++equals;
  if (equals == end || boot_option_count == 16 ||
      boot_option_used + len + 1 > sizeof boot_option_text)
    PANIC("too many or too long kernel options on the command line");
  char *copy = boot_option_text + boot_option_used;
  memcpy(copy, p, len);
  copy[len] = 0;
  copy[equals - p] = 0;
  boot_option_used += len + 1;
  boot_options[boot_option_count++] = {copy, copy + (equals - p) + 1};
}

/// Reads the kernel options ("uk.NAME=VALUE", before "--") of the boot command line.
void read_kernel_options(BootInfo &boot) {
  for (const char *p = boot.cmdline; p && *p;) {
    while (*p == ' ')
      ++p;
    if (p[0] == '-' && p[1] == '-' && (p[2] == ' ' || !p[2]))
      break;
    uint64_t value = 0;
    auto number = [&](const char *at) {
      for (; *at >= '0' && *at <= '9'; ++at)
        value = value * 10 + uint64_t(*at - '0');
      return value;
    };
    if (!memcmp(p, "uk.tty=", 7))
      boot.ttys = uint8_t(number(p + 7));
    else if (!memcmp(p, "uk.tsc_khz=", 11) && !boot.tsc_hz)
      boot.tsc_hz = number(p + 11) * 1000;
    else if (!memcmp(p, "uk.net=", 7) && net_boot_option)
      net_boot_option(p + 7);
    else if (!memcmp(p, "uk.", 3))
      keep_option(p + 3);
    while (*p && *p != ' ')
      ++p;
  }
}

} // namespace

const char *boot_option(const char *key, int nth) {
  for (int i = 0; i < boot_option_count; ++i)
    if (strlen(boot_options[i].key) == strlen(key) &&
        !memcmp(boot_options[i].key, key, strlen(key)) && !nth--)
      return boot_options[i].value;
  return nullptr;
}

[[noreturn]] void kernel_main(BootInfo &boot) {
  read_kernel_options(boot);
  cpu_setup(boot);
  uint64_t image_start = align_down(reinterpret_cast<uint64_t>(&__ehdr_start), PageSize);
  uint64_t image_end = reinterpret_cast<uint64_t>(__uk_kernel_end);
  uint64_t ram_top = 0;
  for (int i = 0; i < boot.ram_count; ++i)
    if (boot.ram[i].base + boot.ram[i].size > ram_top)
      ram_top = boot.ram[i].base + boot.ram[i].size;
  frames_init(boot, image_start, image_end);
  if (boot.cpu_ready)
    paging_adopt(ram_top);
  else
    paging_setup(ram_top);
  manifest_init();
  time_init(boot);
  sched_init();
  vm_init(image_end);
  if (files_init)
    files_init();
  start_program(boot);
}

} // namespace uk
