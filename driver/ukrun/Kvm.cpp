// Kvm: booting an image on the built-in monitor, with its console on ukrun's own
// descriptors and fault reports annotated with function names.
#include "Error.h"
#include "Monitor.h"
#include "Run.h"
#include "Symbolizer.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace ukcxx {
namespace {

class HostConsole : public Console {
public:
  explicit HostConsole(const ImageFile &Image) : Symbols(Image) {}

  ssize_t write(int Stream, const iovec *Buffers, int Count) override {
    // A kernel report is one whole write of whole lines: name its addresses.
    if (Stream == 2 && Count == 1 && Buffers[0].iov_len >= 6 &&
        !memcmp(Buffers[0].iov_base, "ukc++:", 6)) {
      std::string Text(static_cast<const char *>(Buffers[0].iov_base), Buffers[0].iov_len);
      std::string Out;
      for (size_t Start = 0, NL; Start < Text.size(); Start = NL + 1) {
        NL = Text.find('\n', Start);
        if (NL == std::string::npos)
          NL = Text.size() - 1;
        Out += Symbols.annotate(Text.substr(Start, NL + 1 - Start));
      }
      return writeAll(2, Out.data(), Out.size()) ? ssize_t(Buffers[0].iov_len) : -EIO;
    }
    ssize_t N = ::writev(Stream, Buffers, Count);
    return N < 0 ? -errno : N;
  }

  ssize_t read(const iovec *Buffers, int Count) override {
    ssize_t N = ::readv(0, Buffers, Count);
    return N < 0 ? -errno : N;
  }

private:
  Symbolizer Symbols;

  static bool writeAll(int Fd, const char *Data, size_t Len) {
    while (Len) {
      ssize_t N = ::write(Fd, Data, Len);
      if (N < 0 && errno == EINTR)
        continue;
      if (N <= 0)
        return false;
      Data += N;
      Len -= size_t(N);
    }
    return true;
  }
};

/// The user network QEMU would get (Network.cpp's qemuNetwork): the guest's address,
/// the gateway (the manifest's, else the network's .2), restricted unless the guest may
/// go out, the forwards, and the manifest's MAC if it names one.
MonitorNetwork monitorNetwork(const RunRequest &R) {
  MonitorNetwork N;
  GuestAddress A = guestAddress(R.Manifest);
  uint32_t Mask = htonl(A.Prefix ? ~0u << (32 - A.Prefix) : 0);
  N.User.Guest = A.Address;
  N.User.Prefix = A.Prefix;
  N.User.Gateway = A.Gateway ? A.Gateway : htonl(ntohl(A.Address & Mask) + 2);
  N.User.Restricted = !userNetworkOpen(R.Net, R.Forwards);
  for (const PortForward &F : R.Forwards) {
    UserForward U;
    inet_pton(AF_INET, F.Address.c_str(), &U.HostAddress); // checked by parsePortForward
    U.HostPort = F.Host;
    U.GuestPort = F.Guest;
    U.Udp = F.Udp;
    N.User.Forwards.push_back(U);
  }
  if (!R.Manifest.Nets.empty() && R.Manifest.Nets[0].MAC != std::array<uint8_t, 6>{})
    N.Mac = R.Manifest.Nets[0].MAC;
  return N;
}

/// "in the kernel at rip 0x... <function+0x..>".
std::string stopPlace(const MonitorResult &M, const ImageFile &Image) {
  char Rip[32];
  snprintf(Rip, sizeof Rip, "%#llx", static_cast<unsigned long long>(M.StoppedRip));
  std::string Function = Symbolizer(Image).describe(M.StoppedRip);
  return std::string("in the ") + (M.StoppedInProgram ? "program" : "kernel") + " at rip " +
         Rip + (Function.empty() ? "" : " <" + Function + ">");
}

} // namespace

int runOnMonitor(const RunRequest &R) {
  if (R.Image->kvmImageNote().empty())
    return failure("'" + R.Image->path() +
                   "' cannot boot on the built-in monitor: it has "
                   "no monitor entry (built for --target=qemu?)");
  if (!R.Manifest.Blocks.empty())
    return failure("'" + R.Image->path() +
                   "' needs block devices, which the built-in monitor cannot attach yet");
  MonitorOptions O;
  O.Image = R.Image;
  O.Memory = R.Memory;
  O.Timeout = R.Timeout;
  O.Verbose = R.Verbose;
  // The volumes by their tags, as on QEMU; the guest mounts them by the same kernel
  // options (uk.mount=TAG:GUEST), and the test options (uk.crash_before...) apply as
  // they do there.
  for (const VolumeBinding &V : R.Volumes)
    O.Volumes.push_back({V.Host, V.Tag, V.ReadOnly});
  std::vector<std::string> KernelOptions;
  if (int Ttys = consoleTtys())
    KernelOptions.push_back("uk.tty=" + std::to_string(Ttys));
  for (auto &Option : volumeOptions(R.Volumes, R.Workdir))
    KernelOptions.push_back(Option);
  for (auto &Option : R.TestOptions)
    KernelOptions.push_back(Option);
  if (R.Net.Backend == NetworkChoice::User) {
    O.Network = monitorNetwork(R);
    // The guest's address as on QEMU (unless it asks the user network's DHCP server).
    if (!guestAsksDHCP(R.Manifest))
      KernelOptions.push_back(
          guestAddressOption(userNetworkAddress(R.Manifest, R.Net, R.Forwards)));
  } else if (R.Net.Backend == NetworkChoice::Tap) {
    // On a tap the manifest gives the guest its address, as on QEMU.
    O.Network = monitorNetwork(R);
    O.Network->Tap = R.Net.TapName;
  }
  O.Cmdline = bootCommandLine(KernelOptions, R.Args);
  if (R.Verbose) {
    fprintf(stderr, "ukrun: booting %s on the built-in KVM monitor (%llu MiB)\n",
            R.Image->path().c_str(), static_cast<unsigned long long>(R.Memory >> 20));
    for (const VolumeBinding &V : R.Volumes)
      fprintf(stderr,
              "ukrun: volume %s: %s at %s%s, served by the monitor (9P2000.L by hypercall)\n",
              V.Tag.c_str(), V.Host.c_str(), V.Guest.c_str(), V.ReadOnly ? " (read-only)" : "");
    if (O.Network && !O.Network->Tap.empty())
      fprintf(stderr, "ukrun: network: virtio-net in the monitor on tap device %s\n",
              O.Network->Tap.c_str());
    else if (O.Network)
      fprintf(stderr,
              "ukrun: network: virtio-net in the monitor on the user network (libslirp%s), "
              "%zu port forward(s)\n",
              O.Network->User.Restricted ? ", restricted" : "",
              O.Network->User.Forwards.size());
  }
  fflush(stdout);
  HostConsole Console(*R.Image);
  MonitorResult M;
  try {
    M = runMonitor(O, Console);
  } catch (const Error &E) {
    return failure(E.what());
  }
  if (R.Stats)
    fprintf(stderr,
            "ukrun: stats: set-up %.2f ms, guest %.2f ms, %llu exits, %llu system calls, "
            "monitor memory %llu KiB beyond the guest's\n",
            M.SetupSeconds * 1e3, M.GuestSeconds * 1e3,
            static_cast<unsigned long long>(M.Exits),
            static_cast<unsigned long long>(M.Syscalls),
            static_cast<unsigned long long>(M.MonitorKiB));
  if (R.Stats && M.Network)
    fprintf(stderr,
            "ukrun: stats: network: %llu frames sent (%llu summed by the device), %llu "
            "received (%llu checked by the device), %llu dropped, %llu kicks, %llu "
            "interrupts\n",
            static_cast<unsigned long long>(M.Network->Sent),
            static_cast<unsigned long long>(M.Network->Summed),
            static_cast<unsigned long long>(M.Network->Received),
            static_cast<unsigned long long>(M.Network->Checked),
            static_cast<unsigned long long>(M.Network->Dropped),
            static_cast<unsigned long long>(M.Network->Kicks),
            static_cast<unsigned long long>(M.Network->Interrupts));
  switch (M.Kind) {
  case MonitorResult::TimedOut:
    fprintf(stderr, "ukrun: timed out after %g s; the guest was stopped %s\n", R.Timeout,
            stopPlace(M, *R.Image).c_str());
    return StatusTimeout;
  case MonitorResult::Failed:
    if (M.StoppedAfterReset)
      return failure(M.Error + "; where is not known: KVM reset the vCPU, as it does on AMD "
                               "after a triple fault");
    return failure(M.Error + (M.StoppedRip ? ", " + stopPlace(M, *R.Image) : ""));
  case MonitorResult::Exited:
    if (M.ExitKind == 2) {
      fprintf(stderr, "ukrun: the guest kernel failed (see its message above)\n");
      return StatusFailure;
    }
    return int(M.Status);
  }
  return StatusFailure;
}

} // namespace ukcxx
