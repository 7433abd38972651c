// Monitor: /dev/kvm, one VM, one vCPU started in 64-bit mode with all CPU state set
// through KVM ioctls, and the run loop serving hypercalls.
#include "Monitor.h"

#include "Cpuid.h"
#include "Error.h"
#include "Loader.h"
#include "Sandbox.h"

#include "uk/abi/kvm.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <linux/kvm.h>
#include <memory>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>
#include <vector>

namespace ukcxx {
namespace {

constexpr uint32_t MSR_TSC = 0x10, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082,
                   MSR_FMASK = 0xc0000084, MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101,
                   MSR_KERNEL_GS_BASE = 0xc0000102;
constexpr uint16_t KernelCS = 0x08, KernelDS = 0x10, UserCS32 = 0x18, TssSelector = 0x30;

/// A file descriptor closed when it goes out of scope.
struct Fd {
  int Value = -1;
  explicit Fd(int V) : Value(V) {}
  Fd(const Fd &) = delete;
  ~Fd() {
    if (Value >= 0)
      close(Value);
  }
};

int check(int Result, const char *What) {
  if (Result < 0)
    throw Error(std::string(What) + ": " + strerror(errno));
  return Result;
}

/// The vCPU's kvm_run, for the timeout's signal handler.
kvm_run *volatile RunForSignal;
volatile sig_atomic_t TimeoutExpired;

void onTimeout(int) {
  TimeoutExpired = 1;
  if (RunForSignal)
    RunForSignal->immediate_exit = 1;
}

double now() {
  timespec T;
  clock_gettime(CLOCK_MONOTONIC, &T);
  return T.tv_sec + T.tv_nsec / 1e9;
}

kvm_segment segment(uint16_t Selector, uint8_t Type, bool Code) {
  kvm_segment S{};
  S.base = 0;
  S.limit = 0xffffffff;
  S.selector = Selector;
  S.type = Type;
  S.present = 1;
  S.dpl = 0;
  S.db = Code ? 0 : 1;
  S.s = 1;
  S.l = Code ? 1 : 0;
  S.g = 1;
  return S;
}

void setSregs(int Vcpu, const BootLayout &L, const CpuidTable &Cpuid) {
  kvm_sregs S;
  check(ioctl(Vcpu, KVM_GET_SREGS, &S), "KVM_GET_SREGS");
  S.cs = segment(KernelCS, 0xb, true);
  S.ds = S.es = S.ss = segment(KernelDS, 0x3, false);
  S.fs = S.gs = segment(0, 0x3, false);
  S.tr = {};
  S.tr.base = L.Image.tss;
  S.tr.limit = 103;
  S.tr.selector = TssSelector;
  S.tr.type = 0xb; // busy 64-bit TSS
  S.tr.present = 1;
  S.ldt = {};
  S.ldt.unusable = 1;
  S.gdt.base = L.Image.gdt;
  S.gdt.limit = 8 * 8 - 1;
  S.idt.base = L.Image.idt;
  S.idt.limit = 256 * 16 - 1;
  S.cr0 = 0x80050033; // PG WP NE ET MP PE
  S.cr3 = L.Cr3;
  const kvm_cpuid_entry2 *L1 = Cpuid.find(1), *L7 = Cpuid.find(7);
  S.cr4 = (1u << 5) | (1u << 7) | (1u << 9) | (1u << 10); // PAE PGE OSFXSR OSXMMEXCPT
  if (L1 && (L1->ecx & (1u << 26)))
    S.cr4 |= 1u << 18; // OSXSAVE
  if (L7 && (L7->ebx & (1u << 7)))
    S.cr4 |= 1u << 20;                           // SMEP
  S.efer = 1 | (1 << 8) | (1 << 10) | (1 << 11); // SCE LME LMA NXE
  check(ioctl(Vcpu, KVM_SET_SREGS, &S), "KVM_SET_SREGS");
}

void setMsrs(int Vcpu, const BootLayout &L) {
  MsrArray<6> M;
  const std::pair<uint32_t, uint64_t> Values[] = {
      {MSR_STAR, uint64_t(UserCS32 & ~3) << 48 | uint64_t(KernelCS) << 32},
      {MSR_LSTAR, L.Image.syscall_entry},
      {MSR_FMASK, (1 << 9) | (1 << 10) | (1 << 8) | (1 << 18)}, // IF DF TF AC
      {MSR_GS_BASE, L.Image.percpu},
      {MSR_KERNEL_GS_BASE, 0},
      {MSR_FS_BASE, 0},
  };
  M.Count = 6;
  for (int I = 0; I < 6; ++I)
    M.Entries[I] = {Values[I].first, 0, Values[I].second};
  if (ioctl(Vcpu, KvmSetMsrs, &M) != 6)
    throw Error("KVM_SET_MSRS could not set the system call MSRs");
}

void setXcr0(int Vcpu, const CpuidTable &Cpuid) {
  const kvm_cpuid_entry2 *L1 = Cpuid.find(1), *D = Cpuid.find(0xd, 0);
  if (!L1 || !(L1->ecx & (1u << 26)) || !D)
    return;
  uint64_t Xcr0 = 3 | ((L1->ecx & (1u << 28)) ? 4 : 0); // x87 SSE [AVX]
  Xcr0 &= (uint64_t(D->edx) << 32 | D->eax) | 3;
  kvm_xcrs X{};
  X.nr_xcrs = 1;
  X.xcrs[0].xcr = 0;
  X.xcrs[0].value = Xcr0;
  check(ioctl(Vcpu, KVM_SET_XCRS, &X), "KVM_SET_XCRS");
}

uint64_t guestTsc(int Vcpu) {
  MsrArray<1> M;
  M.Count = 1;
  M.Entries[0] = {MSR_TSC, 0, 0};
  if (ioctl(Vcpu, KvmGetMsrs, &M) != 1)
    throw Error("KVM_GET_MSRS could not read the guest TSC");
  return M.Entries[0].data;
}

std::string describeExit(const kvm_run &Run) {
  switch (Run.exit_reason) {
  case KVM_EXIT_SHUTDOWN:
    return "the guest kernel crashed (triple fault)";
  case KVM_EXIT_HLT:
    return "the guest halted with nothing to wake it";
  case KVM_EXIT_MMIO: {
    char Buf[96];
    snprintf(Buf, sizeof Buf,
             "the guest accessed guest-physical address %#llx, which is not memory",
             static_cast<unsigned long long>(Run.mmio.phys_addr));
    return Buf;
  }
  case KVM_EXIT_INTERNAL_ERROR:
    return "KVM could not run the guest (internal error " +
           std::to_string(Run.internal.suberror) + ")";
  case KVM_EXIT_FAIL_ENTRY:
    return "KVM refused the guest's state (hardware entry failure " +
           std::to_string(Run.fail_entry.hardware_entry_failure_reason) + ")";
  default:
    return "the guest stopped for an unexpected reason (KVM exit " +
           std::to_string(Run.exit_reason) + ")";
  }
}

/// Where the vCPU stopped, for the report of a run that did not end by itself.
void recordStop(int VcpuFd, MonitorResult &R) {
  kvm_regs Regs;
  kvm_sregs Sregs;
  if (ioctl(VcpuFd, KVM_GET_REGS, &Regs) == 0 && ioctl(VcpuFd, KVM_GET_SREGS, &Sregs) == 0) {
    // The guest never leaves protected mode: without it, this is a reset vCPU.
    if (!(Sregs.cr0 & 1)) {
      R.StoppedAfterReset = true;
      return;
    }
    R.StoppedRip = Regs.rip;
    R.StoppedInProgram = (Sregs.cs.selector & 3) == 3;
  }
}

} // namespace

MonitorResult runMonitor(const MonitorOptions &O, Console &Out) {
  double Start = now();
  // The volumes' folders are opened first, so that a wrong one is reported before
  // anything else is set up; their servers hold a descriptor per file the guest
  // reaches, so the soft descriptor limit goes up to the hard one.
  VolumeSet Volumes(O.Volumes, O.CrashBeforeMutation);
  if (!Volumes.empty()) {
    rlimit Files;
    if (getrlimit(RLIMIT_NOFILE, &Files) == 0 && Files.rlim_cur < Files.rlim_max) {
      Files.rlim_cur = Files.rlim_max;
      setrlimit(RLIMIT_NOFILE, &Files);
    }
  }
  Fd Kvm(open("/dev/kvm", O_RDWR | O_CLOEXEC));
  if (Kvm.Value < 0)
    throw Error(std::string("cannot open /dev/kvm: ") + strerror(errno));
  if (ioctl(Kvm.Value, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
    throw Error("/dev/kvm speaks another KVM API version");
  Fd Vm(check(ioctl(Kvm.Value, KVM_CREATE_VM, 0), "KVM_CREATE_VM"));

  void *Ram = mmap(nullptr, O.Memory, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (Ram == MAP_FAILED)
    throw Error("cannot reserve " + std::to_string(O.Memory >> 20) + " MiB of guest memory");
  struct Unmap {
    void *P;
    uint64_t N;
    ~Unmap() { munmap(P, N); }
  } UnmapRam{Ram, O.Memory};
  kvm_userspace_memory_region Region{};
  Region.memory_size = O.Memory;
  Region.userspace_addr = reinterpret_cast<uint64_t>(Ram);
  check(ioctl(Vm.Value, KVM_SET_USER_MEMORY_REGION, &Region), "KVM_SET_USER_MEMORY_REGION");

  GuestMemory Memory(static_cast<uint8_t *>(Ram), O.Memory);
  CpuidTable Cpuid = guestCpuid(Kvm.Value);
  const kvm_cpuid_entry2 *Ext1 = Cpuid.find(0x80000001);
  LoadOptions Load;
  Load.Cmdline = O.Cmdline;
  Load.GigabytePages = Ext1 && (Ext1->edx & (1u << 26));
  BootLayout Layout = loadImage(*O.Image, Memory, Load);

  // The local APIC in KVM: its timer interrupts and HLT are handled without exits to
  // the monitor. Only the local APIC ("split" irqchip): no PIC, and the I/O APIC only
  // as the network device's registers in the monitor (net/Ioapic.h), which make MSI
  // routes; without them the VM is also torn down much faster.
  kvm_enable_cap Split{};
  Split.cap = KVM_CAP_SPLIT_IRQCHIP;
  Split.args[0] = 0; // no IOAPIC routes
  check(ioctl(Vm.Value, KVM_ENABLE_CAP, &Split), "KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP)");
  // The network device: registers and I/O APIC on MMIO exits, kicks by ioeventfd,
  // its interrupt by irqfd through an MSI route (net/NetworkAttachment.h). Its ports
  // are bound here, so that one in use is reported before the guest boots.
  std::unique_ptr<NetworkAttachment> Network;
  if (O.Network)
    Network = std::make_unique<NetworkAttachment>(Vm.Value, Memory, *O.Network);
  Fd Vcpu(check(ioctl(Vm.Value, KVM_CREATE_VCPU, 0), "KVM_CREATE_VCPU"));
  int RunSize = check(ioctl(Kvm.Value, KVM_GET_VCPU_MMAP_SIZE, 0), "KVM_GET_VCPU_MMAP_SIZE");
  auto *Run = static_cast<kvm_run *>(
      mmap(nullptr, RunSize, PROT_READ | PROT_WRITE, MAP_SHARED, Vcpu.Value, 0));
  if (Run == MAP_FAILED)
    throw Error("cannot map the vCPU's run structure");
  check(ioctl(Vcpu.Value, KvmSetCpuid2, Cpuid.Table.get()), "KVM_SET_CPUID2");
  setSregs(Vcpu.Value, Layout, Cpuid);
  setMsrs(Vcpu.Value, Layout);
  setXcr0(Vcpu.Value, Cpuid);
  kvm_regs Regs{};
  Regs.rip = Layout.Image.entry;
  Regs.rsp = Layout.Image.kernel_stack_top;
  Regs.rdi = Layout.BootInfo;
  Regs.rflags = 2;
  check(ioctl(Vcpu.Value, KVM_SET_REGS, &Regs), "KVM_SET_REGS");

  // Time and CPUID for the boot info, read last so that the TSC is close to entry.
  uk_kvm_boot_info Info{};
  int Khz = ioctl(Vcpu.Value, KVM_GET_TSC_KHZ, 0);
  if (Khz <= 0)
    throw Error("KVM does not tell the guest's TSC frequency");
  Info.tsc_hz = uint64_t(Khz) * 1000;
  if (const auto *L1 = Cpuid.find(1)) {
    Info.cpuid_1_ecx = L1->ecx;
    Info.cpuid_1_edx = L1->edx;
  }
  if (const auto *L7 = Cpuid.find(7))
    Info.cpuid_7_ebx = L7->ebx;
  if (Ext1)
    Info.cpuid_ext1_edx = Ext1->edx;
  if (const auto *Ext7 = Cpuid.find(0x80000007))
    Info.cpuid_ext7_edx = Ext7->edx;
  timespec Wall;
  clock_gettime(CLOCK_REALTIME, &Wall);
  Info.tsc_at_wall = guestTsc(Vcpu.Value);
  Info.wall_ns = int64_t(Wall.tv_sec) * 1000000000 + Wall.tv_nsec;
  Info.tsc_at_entry = Info.tsc_at_wall;
  Info.volumes = uint32_t(Volumes.size());
  writeBootInfo(Layout, Memory, Info);

  if (O.Timeout > 0) {
    RunForSignal = Run;
    struct sigaction Action = {};
    Action.sa_handler = onTimeout;
    sigaction(SIGALRM, &Action, nullptr);
    itimerval Timer = {};
    Timer.it_value.tv_sec = time_t(O.Timeout);
    Timer.it_value.tv_usec = suseconds_t((O.Timeout - double(time_t(O.Timeout))) * 1e6);
    setitimer(ITIMER_REAL, &Timer, nullptr);
  }
  // The network thread starts before the run loop's filter, and installs its own.
  if (Network)
    Network->start(O.Sandbox);
  if (O.Sandbox) {
    std::string Note = confineToRunLoop(Vcpu.Value, &Volumes, Network ? Vm.Value : -1);
    if (O.Verbose && !Note.empty())
      fprintf(stderr, "ukrun: %s\n", Note.c_str());
  }

  MonitorResult R;
  // Peak memory beyond the guest's, and the network device's counts, measured when
  // the run loop returns.
  struct Measure {
    MonitorResult &R;
    void *Ram;
    uint64_t Size;
    const NetworkAttachment *Network;
    ~Measure() {
      if (Network)
        R.Network = Network->counters();
      rusage Usage;
      getrusage(RUSAGE_SELF, &Usage);
      std::vector<unsigned char> Resident((Size + 4095) / 4096);
      uint64_t GuestKiB = 0;
      if (mincore(Ram, Size, Resident.data()) == 0)
        for (unsigned char Page : Resident)
          GuestKiB += (Page & 1) * 4;
      R.MonitorKiB = uint64_t(Usage.ru_maxrss) > GuestKiB ? Usage.ru_maxrss - GuestKiB : 0;
    }
  } MeasureAtEnd{R, Ram, O.Memory, Network.get()};
  R.SetupSeconds = now() - Start;
  double GuestStart = now();
  // Every return from KVM_RUN is an exit to the monitor.
  for (;; ++R.Exits, R.GuestSeconds = now() - GuestStart) {
    if (ioctl(Vcpu.Value, KVM_RUN, 0) < 0) {
      if (errno == EINTR && TimeoutExpired) {
        R.Kind = MonitorResult::TimedOut;
        recordStop(Vcpu.Value, R);
        return R;
      }
      if (errno == EINTR || errno == EAGAIN)
        continue;
      R.Error = std::string("KVM_RUN: ") + strerror(errno);
      return R;
    }
    if (Run->exit_reason == KVM_EXIT_IO && Run->io.direction == KVM_EXIT_IO_OUT &&
        Run->io.size == 4 && Run->io.count == 1) {
      uint32_t Value;
      std::memcpy(&Value, reinterpret_cast<uint8_t *>(Run) + Run->io.data_offset, 4);
      HypercallOutcome H = handleHypercall(Run->io.port, Value, Memory, Out, &Volumes);
      if (H.Kind == HypercallOutcome::Continue)
        continue;
      if (H.Kind == HypercallOutcome::Exit) {
        R.Kind = MonitorResult::Exited;
        R.ExitKind = H.ExitKind;
        R.Status = H.Status;
        R.Syscalls = H.Syscalls;
        ++R.Exits;
        R.GuestSeconds = now() - GuestStart;
      } else {
        R.Error = "bad hypercall: " + H.Error;
      }
      return R;
    }
    if (Run->exit_reason == KVM_EXIT_MMIO) {
      auto Served = Network                 ? Network->handle(*Run, R.Error)
                    : handleEmptySlot(*Run) ? NetworkAttachment::Mmio::Handled
                                            : NetworkAttachment::Mmio::NotMine;
      if (Served == NetworkAttachment::Mmio::Handled)
        continue;
      if (Served == NetworkAttachment::Mmio::Failed)
        return R;
    }
    if (Run->exit_reason == KVM_EXIT_IO) {
      R.Error = "the guest did I/O to port " + std::to_string(Run->io.port) +
                ", which is not a hypercall";
      return R;
    }
    R.Error = describeExit(*Run);
    recordStop(Vcpu.Value, R);
    return R;
  }
}

} // namespace ukcxx
