// platform.cpp: console, exit and time on the built-in KVM monitor, by hypercalls.
#include "kvm.h"

#include "uk/cpu.h"
#include "uk/syscall.h"
#include "uk/volume.h"

namespace uk {
namespace {

uk_hc_console console_call;
uk_hc_exit exit_call;
uint64_t tsc_frequency;

void kvm_console_write(Stream stream, const char *data, size_t len) {
  // The monitor translates the buffer's virtual address through CR3 itself, so that
  // a buffer of any size is one exit and the kernel copies nothing.
  console_call.data = reinterpret_cast<uint64_t>(data);
  console_call.len = len;
  console_call.stream = uint32_t(stream);
  hypercall(UK_HC_CONSOLE_WRITE, &console_call);
}

long kvm_console_read(char *data, size_t len) {
  console_call.data = reinterpret_cast<uint64_t>(data);
  console_call.len = len;
  console_call.stream = 0;
  hypercall(UK_HC_CONSOLE_READ, &console_call);
  return console_call.result;
}

void kvm_exit(ExitKind kind, int status) {
  exit_call.kind = uint32_t(kind);
  exit_call.status = uint32_t(status);
  exit_call.syscalls = uk_syscall_count;
  hypercall(UK_HC_EXIT, &exit_call);
  for (;;) // the monitor does not resume a guest that exited
    halt();
}

uk_hc_clock clock_call;

uint64_t kvm_tsc_hz() { return tsc_frequency; }

int64_t kvm_wall_clock_ns() {
  hypercall(UK_HC_CLOCK, &clock_call);
  return clock_call.realtime_ns;
}

} // namespace

void kvm_platform_init(const uk_kvm_boot_info &info) {
  console_call.cr3 = read_cr3();
  tsc_frequency = info.tsc_hz;
}

const Platform kvm_platform = {
    .name = "kvm",
    .console_write = kvm_console_write,
    .console_read = kvm_console_read,
    .exit = kvm_exit,
    .tsc_hz = kvm_tsc_hz,
    .wall_clock_ns = kvm_wall_clock_ns,
    .volume_tag = kvm_volume_tag,
    .volume_transact = kvm_volume_transact,
    .device_interrupts_are_messages = true,
    .device_sees_guest_fences = true,
};

} // namespace uk
