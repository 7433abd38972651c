// ukrun: boots a ukc++ image on the best hypervisor available, streams its console
// and exits with the program's exit status.
#include "Error.h"
#include "Run.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace ukcxx {

int failure(const std::string &Message) {
  fprintf(stderr, "ukrun: error: %s\n", Message.c_str());
  return StatusFailure;
}

namespace {

uint64_t parseMemory(const std::string &Text) {
  size_t Digits = 0;
  while (Digits < Text.size() && isdigit(static_cast<unsigned char>(Text[Digits])))
    ++Digits;
  std::string Unit = Text.substr(Digits);
  unsigned Shift = Unit == "Ki" ? 10 : Unit == "Mi" || Unit == "" ? 20 : Unit == "Gi" ? 30 : 99;
  if (!Digits || Digits > 9 || Shift == 99)
    throw Error("malformed --memory '" + Text + "' (write a size like 64Mi or 1Gi)");
  uint64_t Bytes = std::stoull(Text.substr(0, Digits)) << Shift;
  if (Bytes < (4ull << 20) || Bytes > (64ull << 30) || Bytes % (1 << 20))
    throw Error("--memory " + Text + " must be whole MiB from 4Mi to 64Gi");
  return Bytes;
}

} // namespace
} // namespace ukcxx

int main(int Argc, char **Argv) {
  using namespace ukcxx;
  // A closed standard descriptor would be taken by the first pipe ukrun opens. Fill
  // it with one on which read and write still fail with EBADF, as on a closed one, so
  // that the program sees what it would see natively.
  for (int Fd = 0; Fd < 3; ++Fd)
    if (fcntl(Fd, F_GETFD) < 0)
      open("/dev/null", O_PATH);
  CLI::App App{"ukrun: boots a ukc++ image and exits with its program's status"};
  std::string ImagePath, Hypervisor = "auto", Accel = "auto", Memory, Net;
  std::string Workdir;
  std::vector<std::string> Args, Publish, Volumes;
  double Timeout = 0;
  bool Verbose = false, Stats = false;
  App.add_option("image", ImagePath, "the image to boot")->required();
  App.add_option("args", Args, "arguments for the program (after --)");
  App.add_option("--hypervisor", Hypervisor,
                 "auto, kvm (the built-in monitor), qemu, or process (--target=linux images)")
      ->check(CLI::IsMember({"auto", "qemu", "kvm", "process"}));
  App.add_option("--accel", Accel, "QEMU accelerator: auto, kvm or tcg")
      ->check(CLI::IsMember({"auto", "kvm", "tcg"}));
  App.add_option("--memory", Memory, "guest memory, overriding the manifest (like 256Mi)");
  App.add_option("--timeout", Timeout, "stop the guest after this many seconds")
      ->check(CLI::PositiveNumber);
  App.add_option(
      "--net", Net,
      "network backend: user (a user network (libslirp), reaching nothing but the -p "
      "forwards; the default for images with the net feature), user:outbound "
      "(the guest may also connect out and resolve names through the host), "
      "tap:NAME (an existing tap device) or none");
  App.add_option("-p,--publish", Publish,
                 "[ADDRESS:]HOST:GUEST[/udp]: host port (on 127.0.0.1 unless ADDRESS) to "
                 "guest port; repeatable")
      ->allow_extra_args(false);
  App.add_option("--volume", Volumes,
                 "HOST:GUEST[:ro]: host folder HOST mounted at guest path GUEST; "
                 "NAME=HOST[:ro]: the folder for volume NAME of the manifest; repeatable")
      ->allow_extra_args(false);
  App.add_option("--workdir", Workdir, "the program's first working folder (a guest path)");
  uint64_t CrashBefore = 0;
  bool SyncLog = false;
  App.add_option("--crash-before-host-op", CrashBefore,
                 "for crash tests: stop the guest, as a power loss would, just before its "
                 "N-th change to a volume's files (writes, creations, syncs...)")
      ->check(CLI::PositiveNumber);
  App.add_flag("--sync-log", SyncLog,
               "for crash tests: the guest logs each fsync of a volume's file "
               "('ukc++: synced inode I size S' on standard error)");
  App.add_flag("-v,--verbose", Verbose, "print the hypervisor command");
  App.add_flag("--stats", Stats,
               "print set-up and guest time, exits and system calls "
               "(built-in monitor)");
  App.set_version_flag("--version", "ukrun version " UKCXX_VERSION);
  // Everything after "--" belongs to the program, whatever it looks like.
  int Split = Argc;
  for (int I = 1; I < Argc; ++I)
    if (std::string(Argv[I]) == "--") {
      Split = I;
      break;
    }
  try {
    App.parse(Split, Argv);
  } catch (const CLI::ParseError &E) {
    int Status = App.exit(E);
    return Status ? StatusFailure : 0;
  }

  try {
    auto Image = ImageFile::open(ImagePath);
    if (Image.manifestNote().empty())
      return failure("'" + ImagePath + "' was not built by ukc++ (it has no manifest note)");
    RunRequest R;
    R.Image = &Image;
    R.Manifest = ManifestView::decode(Image.manifestNote());
    R.Args = Args;
    R.Args.insert(R.Args.end(), Argv + std::min(Split + 1, Argc), Argv + Argc);
    R.Memory = Memory.empty() ? R.Manifest.Memory : parseMemory(Memory);
    R.Timeout = Timeout;
    R.Accel = Accel;
    R.Verbose = Verbose;
    R.Stats = Stats;
    bool Linux = R.Manifest.Target == UK_TARGET_LINUX;
    for (const auto &P : Publish)
      R.Forwards.push_back(parsePortForward(P));
    bool ImageNet = R.Manifest.Features & UK_FEATURE_NET;
    if (Net.empty())
      Net = (ImageNet || !R.Forwards.empty()) && !Linux ? "user" : "none";
    R.Net = parseNetwork(Net);
    bool HasNet = R.Net.Backend != NetworkChoice::None;
    if (!HasNet && !R.Forwards.empty())
      return failure("-p forwards ports to the guest's network, but --net none gives it none");
    if (HasNet && Linux)
      return failure("'" + ImagePath +
                     "' runs as a process on the host's network; --net and "
                     "-p do not apply to --target=linux images");
    if (HasNet && !ImageNet)
      return failure("'" + ImagePath +
                     "' was built without the 'net' feature: it cannot use "
                     "a network (build it with 'net' in unikernel.yaml, or drop --net/-p)");
    if (R.Net.Backend == NetworkChoice::Tap) {
      if (!R.Forwards.empty())
        return failure("-p forwards ports through the user network; on --net " + Net +
                       " the guest's own address is reachable from the host");
      // On a tap the guest's address comes from the manifest, or from a DHCP server on
      // the tap's network; ukrun does not know that network.
      if (R.Manifest.Nets.empty())
        return failure("--net " + Net +
                       " needs the guest's address in the image's manifest, like "
                       "net: [ { name: eth0, ipv4: 10.0.0.2/24 } ], or ipv4: dhcp with a "
                       "DHCP server on the tap's network");
      checkTapDevice(R.Net.TapName);
    }
    if (Linux && (!Volumes.empty() || !Workdir.empty()))
      return failure("'" + ImagePath +
                     "' runs as a process on the host's files; --volume and --workdir "
                     "do not apply to --target=linux images");
    if (!Linux) {
      R.Volumes = bindVolumes(Volumes, R.Manifest);
      R.Workdir = Workdir;
      volumeOptions(R.Volumes, R.Workdir); // checks --workdir
      if (CrashBefore)
        R.TestOptions.push_back("uk.crash_before=" + std::to_string(CrashBefore));
      if (SyncLog)
        R.TestOptions.push_back("uk.sync_log=1");
    }
    // The built-in monitor where /dev/kvm works and the image has its entry, else QEMU.
    if (Hypervisor == "auto")
      Hypervisor = Linux                                          ? "process"
                   : !Image.kvmImageNote().empty() && kvmUsable() ? "kvm"
                                                                  : "qemu";
    if (Hypervisor == "process") {
      if (!Linux)
        return failure("'" + ImagePath +
                       "' is a unikernel image; only --target=linux "
                       "images run as a process");
      return runAsProcess(R);
    }
    if (Linux)
      return failure("'" + ImagePath +
                     "' was built with --target=linux: it runs as a "
                     "process (--hypervisor=process), not on " +
                     Hypervisor);
    if (Hypervisor == "kvm") {
      if (!kvmUsable())
        return failure("--hypervisor=kvm: /dev/kvm cannot be opened (" +
                       std::string(strerror(errno)) + ")");
      return runOnMonitor(R);
    }
    return runOnQemu(R);
  } catch (const Error &E) {
    return failure(E.what());
  }
}
