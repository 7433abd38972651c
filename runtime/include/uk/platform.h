// platform.h: what the hypervisor platform gives the kernel (chosen at the entry point).
#pragma once

#include "uk/base.h"

namespace uk {

/// A range of guest-physical RAM.
struct MemoryRange {
  uint64_t base, size;
};

/// What the boot entry learnt about the machine; filled before kernel_main().
struct BootInfo {
  static constexpr int MaxRanges = 16;
  MemoryRange ram[MaxRanges];
  int ram_count = 0;
  const char *cmdline = nullptr; // the hypervisor's command line (kernel memory), or null
  uint64_t tsc_hz = 0;           // 0: the kernel calibrates
  int64_t wall_ns = 0;           // realtime (ns since the epoch) at tsc_at_wall
  uint64_t tsc_at_wall = 0;
  bool cpu_ready = false;        // page tables, GDT, IDT, TSS, MSRs already set
  uint8_t ttys = 0;              // bit N: the host's fd N is a terminal
  uint64_t tsc_at_entry = 0;     // TSC at the guest's first instruction
  MemoryRange reserved = {0, 0}; // RAM the platform uses (a monitor's page tables)
  // CPUID leaves the platform already knows (1 ECX/EDX, 7 EBX, 0x80000001 EDX,
  // 0x80000007 EDX); when set, the kernel does not execute CPUID for them.
  bool cpuid_given = false;
  uint32_t cpuid_1_ecx = 0, cpuid_1_edx = 0, cpuid_7_ebx = 0, cpuid_ext1_edx = 0,
           cpuid_ext7_edx = 0;
};

/// How the run ended, as the platform reports it to the host (ukrun).
enum class ExitKind : uint8_t {
  Exit = 0,   // the program exited; status is its exit status
  Signal = 1, // the program was killed (fault, abort); status is 128 + signal
  Panic = 2,  // the kernel failed
};

/// Console streams: what the program writes to fd 1 and to fd 2. Kernel messages go
/// to Err, so that the program's standard output stays exactly its own.
enum class Stream : int { Out = 1, Err = 2 };

/// A hypervisor platform. One image may contain several (the x86_64 target has the
/// built-in monitor's and QEMU's); the entry point that ran picks one.
struct Platform {
  const char *name;
  /// Writes a whole buffer to a console stream, in as few exits as the platform allows.
  void (*console_write)(Stream stream, const char *data, size_t len);
  /// Reads console input; returns bytes read, 0 at end of input.
  long (*console_read)(char *data, size_t len);
  /// Ends the guest, telling the host how.
  void (*exit)(ExitKind kind, int status); // does not return
  /// Calibrates the TSC when the boot entry could not tell its frequency.
  uint64_t (*tsc_hz)();
  /// Reads the wall clock: nanoseconds since the epoch, or -1.
  int64_t (*wall_clock_ns)();
  /// The host volumes' transport (uk/volume.h): this hypervisor's, so that a kernel
  /// booted by one never looks for the other's devices (probing QEMU's slots costs
  /// the monitor an exit each). Null where the image has no such transport.
  bool (*volume_tag)(unsigned index, char *tag, size_t cap);
  long (*volume_transact)(unsigned index, const void *request, size_t len, void *reply,
                          size_t cap);
  /// Whether the virtio-mmio devices' interrupts arrive as messages (the monitor's
  /// irqfd and MSI route): nothing to acknowledge, where QEMU's level-triggered line
  /// needs the InterruptStatus read and InterruptACK write, two exits an interrupt.
  bool device_interrupts_are_messages;
  /// Whether the guest's memory fences order its ring accesses against the device's
  /// thread, as virtio's event indexes (EVENT_IDX) need: each side publishes its index,
  /// fences, then reads the other's. True on the monitor (the guest runs on the CPU,
  /// its device on a host thread). False on QEMU: with one vCPU, QEMU 7.2's TCG emits
  /// no host fence for the guest's, so both sides could miss each other and a kick or
  /// an interrupt be lost for good (1 in 5 echoes of 32 MiB stalled). The rings' flags
  /// are used there, with KVM too (the guest cannot tell): the receive queue then never
  /// suppresses interrupts, and a send-queue flag stays set for the next check to see
  /// (none of 35 such echoes stalled).
  bool device_sees_guest_fences;
};

extern const Platform *platform;

[[noreturn]] void kernel_main(BootInfo &boot);

} // namespace uk
