// lapic.cpp: the local APIC's timer, one-shot: TSC-deadline mode where the CPU has it
// (an MSR write arms it), else one-shot count mode calibrated against the TSC. x2APIC
// (MSRs) where available, else the xAPIC page. Set up on first use, so that programs
// that never sleep or switch threads pay nothing for it.
#include "uk/cpu.h"
#include "uk/irq.h"
#include "uk/paging.h"
#include "uk/sched.h"
#include "uk/time.h"
#include "uk/timer.h"
#include "uk/trap.h"

namespace uk {
namespace {

enum Reg : unsigned {
  ID = 0x20,
  EOI = 0xb0,
  SVR = 0xf0,
  LVT_TIMER = 0x320,
  INITIAL_COUNT = 0x380,
  CURRENT_COUNT = 0x390,
  DIVIDE = 0x3e0
};

bool ready, x2apic, deadline_mode;
volatile uint32_t *mmio;
uint64_t apic_ticks_per_tsc_32; // one-shot mode: APIC ticks per TSC tick, times 2^32

void write_reg(unsigned reg, uint32_t value) {
  if (x2apic)
    wrmsr(0x800 + (reg >> 4), value);
  else
    mmio[reg / 4] = value;
}

uint32_t read_reg(unsigned reg) {
  return x2apic ? uint32_t(rdmsr(0x800 + (reg >> 4))) : mmio[reg / 4];
}

void on_timer(TrapFrame &f) {
  timer_eoi();
  timer_tick(f.from_user());
}

/// Enables the local APIC (x2APIC mode where the CPU has it).
void enable() {
  if (x2apic || mmio)
    return;
  uint64_t base = rdmsr(MSR_APIC_BASE);
  x2apic = cpu_features.x2apic;
  if (x2apic) {
    wrmsr(MSR_APIC_BASE, base | (1 << 11) | (1 << 10));
  } else {
    wrmsr(MSR_APIC_BASE, base | (1 << 11));
    mmio = static_cast<volatile uint32_t *>(map_device(base & PTE_ADDR));
  }
  write_reg(SVR, 0x100 | 0xff); // enabled, spurious interrupts at 255
}

void init() {
  enable();
  deadline_mode = cpu_features.tsc_deadline;
  if (deadline_mode) {
    write_reg(LVT_TIMER, TimerVector | (2u << 17));
  } else {
    // Count APIC timer ticks over 1 ms of TSC (masked meanwhile).
    write_reg(DIVIDE, 0xb); // divide by 1
    write_reg(LVT_TIMER, TimerVector | (1u << 16));
    uint64_t hz = tsc_hz();
    write_reg(INITIAL_COUNT, ~0u);
    uint64_t start = rdtsc();
    while (rdtsc() - start < hz / 1000)
      cpu_relax();
    uint64_t ticks = ~0u - read_reg(CURRENT_COUNT);
    uint64_t elapsed = rdtsc() - start;
    write_reg(INITIAL_COUNT, 0);
    apic_ticks_per_tsc_32 = muldiv(ticks, 1ull << 32, elapsed);
    write_reg(LVT_TIMER, TimerVector);
  }
  set_irq_handler(TimerVector, on_timer);
  ready = true;
}

} // namespace

void timer_arm(uint64_t deadline) {
  if (!ready && !deadline)
    return; // nothing to disarm
  if (!ready)
    init();
  if (deadline_mode) {
    wrmsr(MSR_TSC_DEADLINE, deadline);
    return;
  }
  if (!deadline) {
    write_reg(INITIAL_COUNT, 0);
    return;
  }
  uint64_t now = rdtsc();
  uint64_t ticks =
      deadline > now ? muldiv(deadline - now, apic_ticks_per_tsc_32, 1ull << 32) : 1;
  write_reg(INITIAL_COUNT, uint32_t(ticks == 0 ? 1 : ticks > ~0u ? ~0u : ticks));
}

uint64_t lapic_tsc_hz() {
  constexpr uint64_t TimerHz = 1000000000, Ticks = TimerHz / 500; // 2 ms
  // Bounds the wait where the timer does not count (not a hypervisor we know).
  constexpr uint64_t MaxPolls = 1000000;
  enable();
  write_reg(DIVIDE, 0xb); // divide by 1
  write_reg(LVT_TIMER, TimerVector | (1u << 16)); // masked
  write_reg(INITIAL_COUNT, ~0u);
  uint64_t start = rdtsc(), polls = 0;
  uint32_t count = read_reg(CURRENT_COUNT);
  while (~0u - count < Ticks && ++polls < MaxPolls)
    count = read_reg(CURRENT_COUNT);
  uint64_t elapsed = rdtsc() - start;
  write_reg(INITIAL_COUNT, 0);
  uint64_t ticks = ~0u - count;
  return ticks < Ticks ? 0 : muldiv(elapsed, TimerHz, ticks);
}

void timer_eoi() {
  if (ready)
    write_reg(EOI, 0);
}

void lapic_enable() { enable(); }

uint32_t lapic_id() {
  enable();
  return x2apic ? read_reg(ID) : read_reg(ID) >> 24;
}

void irq_done() { write_reg(EOI, 0); }

} // namespace uk
