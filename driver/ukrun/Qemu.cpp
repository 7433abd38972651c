// Qemu: booting an image on QEMU's microvm machine (PVH), with KVM or TCG.
//
// The guest's standard output is the serial port, its standard error (and kernel
// messages) a debugcon port, its standard input a second serial port on a socket
// (InputRelay), and its exit status a second debugcon port read through a pipe;
// isa-debug-exit ends QEMU. (append=on: QEMU would truncate the descriptors,
// which fails on pipes.) ukrun's own descriptors are handed to QEMU with
// -add-fd, so QEMU writes straight to them and never touches the terminal.
#include "Child.h"
#include "Error.h"
#include "InputRelay.h"
#include "Run.h"
#include "Symbolizer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ukcxx {
namespace {

constexpr int StatusFd = 3, OutFd = 4, ErrFd = 5, InFd = 6; // descriptors as QEMU sees them

std::string chooseAccel(const RunRequest &R) {
  if (R.Accel != "auto")
    return R.Accel;
  if (!kvmUsable())
    return "tcg";
  // With the CPU's virtualization extensions KVM is faster for everything; with a
  // software KVM it depends, so it is measured once per host boot (Accel.cpp).
  return kvmHardwareAssisted() ? "kvm" : measuredAccel(R.Verbose);
}

std::vector<std::string> qemuCommand(const RunRequest &R, const std::string &Accel) {
  std::vector<std::string> KernelOptions;
  if (int Ttys = consoleTtys())
    KernelOptions.push_back("uk.tty=" + std::to_string(Ttys));
  // Under TCG the guest's TSC is the host's: telling its rate spares the guest a
  // calibration against the PIT (KVM guests read it from kvmclock).
  if (Accel == "tcg")
    if (uint64_t Hz = hostTscHz())
      KernelOptions.push_back("uk.tsc_khz=" + std::to_string(Hz / 1000));
  // On the user network ukrun knows the guest's address, unless the guest asks DHCP;
  // on a tap the manifest says.
  if (R.Net.Backend == NetworkChoice::User && !guestAsksDHCP(R.Manifest))
    KernelOptions.push_back(
        guestAddressOption(userNetworkAddress(R.Manifest, R.Net, R.Forwards)));
  for (auto &Option : volumeOptions(R.Volumes, R.Workdir))
    KernelOptions.push_back(Option);
  for (auto &Option : R.TestOptions)
    KernelOptions.push_back(Option);
  std::vector<std::string> Cmd = {"qemu-system-x86_64"};
  for (auto &A : qemuMachine(Accel))
    Cmd.push_back(A);
  Cmd.insert(Cmd.end(), {
                            "-m",          std::to_string(R.Memory >> 20) + "M",
                            "-nodefaults", "-no-user-config",
                            "-nographic",  "-no-reboot",
                            "-kernel",     R.Image->path(),
                            "-append",     bootCommandLine(KernelOptions, R.Args),
                            "-add-fd",     "fd=" + std::to_string(OutFd) + ",set=1",
                            "-add-fd",     "fd=" + std::to_string(ErrFd) + ",set=2",
                            "-add-fd",     "fd=" + std::to_string(StatusFd) + ",set=3",
                            "-chardev",    "file,id=out,path=/dev/fdset/1,append=on",
                            "-chardev",    "file,id=err,path=/dev/fdset/2,append=on",
                            "-chardev",    "file,id=status,path=/dev/fdset/3,append=on",
                            "-chardev",    "socket,id=in,fd=" + std::to_string(InFd),
                            "-serial",     "chardev:out",
                            "-device",     "isa-serial,chardev=in,index=1",
                            "-device",     "isa-debugcon,iobase=0xe9,chardev=err",
                            "-device",     "isa-debugcon,iobase=0x402,chardev=status",
                            "-device",     "isa-debug-exit,iobase=0xf4,iosize=4",
                        });
  if (R.Net.Backend != NetworkChoice::None)
    for (auto &A : qemuNetwork(R.Net, R.Manifest, guestAddress(R.Manifest), R.Forwards))
      Cmd.push_back(A);
  for (auto &A : qemuVolumes(R.Volumes))
    Cmd.push_back(A);
  // Modern virtio (version 2) for every device: the guest's drivers do not speak the
  // legacy one.
  if (R.Net.Backend != NetworkChoice::None || !R.Volumes.empty())
    Cmd.insert(Cmd.end(), {"-global", "virtio-mmio.force-legacy=false"});
  return Cmd;
}

/// Copies the guest's standard error to ours, naming the functions in fault reports.
class ErrorRelay : public Relay {
public:
  ErrorRelay(int Fd, const ImageFile &Image) : Fd(Fd), Symbols(Image) {}
  int fd() const override { return Fd; }

  bool pump() override {
    char Buf[4096];
    ssize_t N = read(Fd, Buf, sizeof Buf);
    if (N <= 0) {
      flush(true);
      return false;
    }
    Pending.append(Buf, N);
    flush(false);
    return true;
  }

private:
  int Fd;
  Symbolizer Symbols;
  std::string Pending;

  /// Writes whole lines; a partial line waits only if it may be a kernel report.
  void flush(bool All) {
    size_t Start = 0;
    for (size_t NL; (NL = Pending.find('\n', Start)) != std::string::npos; Start = NL + 1)
      write(Symbols.annotate(Pending.substr(Start, NL + 1 - Start)));
    std::string Rest = Pending.substr(Start);
    if (All || Rest.compare(0, 6, std::string("ukc++:").substr(0, Rest.size())) != 0) {
      write(Rest);
      Rest.clear();
    }
    Pending = Rest;
  }

  static void write(const std::string &S) {
    for (size_t Done = 0; Done < S.size();) {
      ssize_t N = ::write(2, S.data() + Done, S.size() - Done);
      if (N <= 0 && errno != EINTR)
        return;
      if (N > 0)
        Done += N;
    }
  }
};

/// A write-only descriptor of what Fd is: QEMU's -add-fd hands a descriptor only to an
/// open of the same access mode, and a terminal is usually open for reading and
/// writing. The caller closes the result if it is not Fd.
int writeOnly(int Fd) {
  int Flags = fcntl(Fd, F_GETFL);
  if (Flags < 0 || (Flags & O_ACCMODE) == O_WRONLY)
    return Fd;
  int Again = open(("/proc/self/fd/" + std::to_string(Fd)).c_str(), O_WRONLY | O_CLOEXEC);
  return Again < 0 ? Fd : Again; // (a socket cannot be reopened: QEMU will say so)
}

std::string quote(const std::string &Arg) {
  bool Plain = !Arg.empty() && Arg.find_first_of(" '\"\\$`\t\n") == std::string::npos;
  return Plain ? Arg : "'" + Arg + "'";
}

} // namespace

std::vector<std::string> qemuMachine(const std::string &Accel) {
  return {"-M",
          // Without ACPI, microvm would append a virtio_mmio.device=... word per virtio
          // device to the command line, that is to the program's arguments; the guest
          // finds its devices by probing the slots.
          "microvm,x-option-roms=off,acpi=off,rtc=on,auto-kernel-cmdline=off", "-accel", Accel,
          // Nested KVM cannot set MSR 0x10a for -cpu host, so that feature is left out.
          "-cpu", Accel == "kvm" ? "host,-arch-capabilities" : "max"};
}

int runOnQemu(const RunRequest &R) {
  if (!R.Image->pvhEntry())
    return failure("'" + R.Image->path() +
                   "' cannot boot on QEMU: it has no PVH entry (built for "
                   "--target=kvm?)");
  if (findInPath("qemu-system-x86_64").empty())
    return failure("QEMU is not installed (qemu-system-x86_64 is not in PATH); "
                   "install Debian's qemu-system-x86 package");
  std::string Accel = chooseAccel(R);
  if (Accel != "kvm" && Accel != "tcg")
    return failure("unknown accelerator '" + Accel + "' (valid: auto, kvm, tcg)");
  if (Accel == "kvm" && !kvmUsable())
    return failure("--accel=kvm: /dev/kvm cannot be opened (" + std::string(strerror(errno)) +
                   ")");

  int Status[2], Err[2], In[2];
  if (pipe2(Status, O_CLOEXEC) || pipe2(Err, O_CLOEXEC) ||
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, In))
    return failure(std::string("pipe: ") + strerror(errno));
  auto Cmd = qemuCommand(R, Accel);
  if (R.Verbose) {
    std::string Line;
    for (const auto &A : Cmd)
      Line += (Line.empty() ? "" : " ") + quote(A);
    fprintf(stderr, "ukrun: %s\n", Line.c_str());
  }
  fflush(stdout);
  int Pid, Out = writeOnly(1);
  try {
    Pid = spawn(Cmd, {{StatusFd, Status[1]}, {OutFd, Out}, {ErrFd, Err[1]}, {InFd, In[1]}});
  } catch (const Error &E) {
    return failure(E.what());
  }
  if (Out != 1)
    close(Out);
  close(Status[1]);
  close(Err[1]);
  close(In[1]);
  ErrorRelay Errors(Err[0], *R.Image);
  InputRelay Input(In[0]);
  ChildResult C = waitFor(Pid, R.Timeout, {&Errors, &Input});
  close(Err[0]);
  close(In[0]);
  unsigned char Record[2];
  ssize_t N = read(Status[0], Record, sizeof Record);
  close(Status[0]);

  if (C.TimedOut) {
    fprintf(stderr, "ukrun: timed out after %g s; the guest was stopped\n", R.Timeout);
    return StatusTimeout;
  }
  if (N == 2) {
    switch (Record[0]) {
    case 0: // the program exited
    case 1: // the program was killed; the guest reported why
      return Record[1];
    case 2:
      fprintf(stderr, "ukrun: the guest kernel failed (see its message above)\n");
      return StatusFailure;
    }
  }
  if (C.Signaled)
    return failure("QEMU was killed by signal " + std::to_string(C.Status));
  if (C.Status == 0)
    return failure("the guest reset the machine without reporting an exit status "
                   "(a triple fault?)");
  return failure("QEMU failed (exit status " + std::to_string(C.Status) +
                 ") before the guest reported an exit status");
}

int consoleTtys() {
  int Mask = 0;
  for (int Fd = 0; Fd < 3; ++Fd)
    Mask |= isatty(Fd) ? 1 << Fd : 0;
  return Mask;
}

std::string bootCommandLine(const std::vector<std::string> &KernelOptions,
                            const std::vector<std::string> &Args) {
  std::string Line;
  for (const auto &Option : KernelOptions)
    Line += Option + " ";
  Line += "--";
  for (const auto &Arg : Args) {
    Line += " ";
    if (Arg.empty())
      Line += "''";
    for (char C : Arg) {
      if (C == ' ' || C == '\'' || C == '\\')
        Line += '\\';
      Line += C;
    }
  }
  return Line;
}

} // namespace ukcxx
