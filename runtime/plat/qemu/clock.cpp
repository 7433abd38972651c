// clock.cpp: TSC frequency and wall-clock time on QEMU: from CPUID where the CPU
// model tells, from kvmclock under KVM, else measured against the PIT or, without one,
// the local APIC timer; wall time from kvmclock or the CMOS real-time clock, else the
// epoch. Every wait on a device is bounded: a missing device is said, not waited for.
#include "qemu.h"

#include "uk/cpu.h"
#include "uk/print.h"
#include "uk/time.h"
#include "uk/timer.h"

namespace uk {
namespace {

constexpr uint32_t MSR_KVM_WALL_CLOCK_NEW = 0x4b564d00;
constexpr uint32_t MSR_KVM_SYSTEM_TIME_NEW = 0x4b564d01;
constexpr uint32_t KVM_FEATURE_CLOCKSOURCE2 = 1 << 3;

struct PvclockTime {
  uint32_t version, pad0;
  uint64_t tsc_timestamp, system_time;
  uint32_t tsc_to_system_mul;
  int8_t tsc_shift;
  uint8_t flags, pad[2];
};
struct PvclockWallClock {
  uint32_t version, sec, nsec;
};

alignas(64) volatile PvclockTime pvclock;
alignas(64) volatile PvclockWallClock pvwall;

bool has_kvmclock() {
  auto base = cpuid(0x40000000);
  bool kvm = base.ebx == 0x4b4d564b && base.ecx == 0x564b4d56 && base.edx == 0x4d;
  return kvm && base.eax >= 0x40000001 && (cpuid(0x40000001).eax & KVM_FEATURE_CLOCKSOURCE2);
}

uint64_t cpuid_tsc_hz() {
  if (cpuid(0).eax >= 0x15) {
    auto l = cpuid(0x15);
    if (l.eax && l.ebx && l.ecx)
      return uint64_t(l.ecx) * l.ebx / l.eax;
  }
  if (cpu_features.hypervisor && cpuid(0x40000000).eax >= 0x40000010)
    if (uint32_t khz = cpuid(0x40000010).eax)
      return uint64_t(khz) * 1000;
  return 0;
}

uint64_t kvmclock_tsc_hz() {
  // Physical address: the kernel image is identity-mapped.
  wrmsr(MSR_KVM_SYSTEM_TIME_NEW, reinterpret_cast<uint64_t>(&pvclock) | 1);
  uint64_t mul = pvclock.tsc_to_system_mul;
  if (!mul)
    return 0;
  uint64_t hz = (uint64_t(1000000000) << 32) / mul;
  int shift = pvclock.tsc_shift;
  return shift >= 0 ? hz >> shift : hz << -shift;
}

uint16_t pit_read() {
  outb(0x43, 0x00); // latch channel 0
  uint8_t lo = inb(0x40);
  return uint16_t(inb(0x40)) << 8 | lo;
}

/// Counts TSC ticks over 2 ms of the PIT's 1.193182 MHz clock; 0 if there is no PIT
/// (QEMU microvm with pit=off reads all ones, forever).
uint64_t pit_tsc_hz() {
  constexpr uint64_t PitHz = 1193182, Ticks = PitHz / 500;
  // The counter moves every 0.84 us, faster than one poll (three port accesses):
  // this many polls seeing one value mean it does not count.
  constexpr int MaxStill = 1000;
  outb(0x43, 0x34); // channel 0, lobyte/hibyte, rate generator
  outb(0x40, 0xff);
  outb(0x40, 0xff);
  uint16_t start = pit_read();
  uint64_t tsc0 = rdtsc();
  uint16_t now = start, last = start;
  for (int still = 0; uint16_t(start - now) < Ticks;) {
    now = pit_read();
    still = now == last ? still + 1 : 0;
    last = now;
    if (still == MaxStill)
      return 0;
  }
  uint64_t tsc1 = rdtsc();
  return (tsc1 - tsc0) * PitHz / uint16_t(start - now);
}

uint8_t cmos(uint8_t reg) {
  outb(0x70, reg);
  return inb(0x71);
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = unsigned(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

/// The CMOS real-time clock, or -1 where there is none (QEMU microvm with rtc=off,
/// Firecracker): its ports then read all ones.
int64_t rtc_ns() {
  if (cmos(0x0a) == 0xff)
    return -1;
  // An update in progress lasts about 2 ms; a bit stuck for longer is no clock.
  uint64_t give_up = rdtsc() + tsc_hz() / 100;
  while (cmos(0x0a) & 0x80)
    if (rdtsc() > give_up)
      return -1;
  uint8_t sec = cmos(0x00), min = cmos(0x02), hour = cmos(0x04), day = cmos(0x07),
          mon = cmos(0x08), year = cmos(0x09), status_b = cmos(0x0b);
  auto bin = [&](uint8_t v) { return status_b & 4 ? v : uint8_t((v >> 4) * 10 + (v & 15)); };
  bool pm = !(status_b & 2) && (hour & 0x80);
  unsigned h = bin(hour & 0x7f);
  if (!(status_b & 2))
    h = h % 12 + (pm ? 12 : 0);
  int64_t days = days_from_civil(2000 + bin(year), bin(mon), bin(day));
  return ((days * 24 + h) * 60 + bin(min)) * 60 * int64_t(1000000000) +
         int64_t(bin(sec)) * 1000000000;
}

} // namespace

uint64_t qemu_tsc_hz() {
  if (uint64_t hz = cpuid_tsc_hz())
    return hz;
  if (has_kvmclock())
    if (uint64_t hz = kvmclock_tsc_hz())
      return hz;
  if (uint64_t hz = pit_tsc_hz())
    return hz;
  print("ukc++: no PIT: the TSC frequency is measured against the local APIC timer\n");
  return lapic_tsc_hz();
}

int64_t qemu_wall_clock_ns() {
  if (has_kvmclock()) {
    wrmsr(MSR_KVM_WALL_CLOCK_NEW, reinterpret_cast<uint64_t>(&pvwall));
    wrmsr(MSR_KVM_SYSTEM_TIME_NEW, reinterpret_cast<uint64_t>(&pvclock) | 1);
    // The wall clock is the time at which kvmclock's system time was zero.
    uint64_t delta = rdtsc() - pvclock.tsc_timestamp;
    int shift = pvclock.tsc_shift;
    delta = shift >= 0 ? delta << shift : delta >> -shift;
    uint64_t ns = pvclock.system_time +
                  uint64_t((unsigned __int128)delta * pvclock.tsc_to_system_mul >> 32);
    return int64_t(pvwall.sec) * 1000000000 + pvwall.nsec + int64_t(ns);
  }
  int64_t ns = rtc_ns();
  if (ns >= 0)
    return ns;
  print("ukc++: no real-time clock (CMOS RTC or kvmclock): the wall clock starts at the "
        "epoch\n");
  return 0;
}

} // namespace uk
