// Run: what ukrun was asked to do, and the pieces every hypervisor back end shares.
#pragma once

#include "Host.h"
#include "ImageFile.h"
#include "ManifestView.h"
#include "Network.h"
#include "Volumes.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ukcxx {

/// ukrun's own exit statuses, beside the program's 0..255 (as coreutils' timeout).
constexpr int StatusTimeout = 124;
constexpr int StatusFailure = 125;

struct RunRequest {
  const ImageFile *Image = nullptr;
  ManifestView Manifest;
  std::vector<std::string> Args; // appended to the manifest's args
  uint64_t Memory = 0;           // bytes; the manifest's unless --memory
  double Timeout = 0;            // seconds; 0: none
  std::string Accel = "auto";    // kvm, tcg or auto (QEMU only)
  bool Verbose = false;
  bool Stats = false;                // print what the run cost (built-in monitor)
  NetworkChoice Net;                 // --net: a virtio-net device on it, unless none
  std::vector<PortForward> Forwards; // -p
  std::vector<VolumeBinding> Volumes; // --volume
  std::string Workdir;                // --workdir: the program's first working folder
  std::vector<std::string> TestOptions; // kernel options for crash tests
};

/// Runs the image on the built-in KVM monitor; returns ukrun's exit status.
int runOnMonitor(const RunRequest &R);

/// Runs the image on QEMU; returns ukrun's exit status.
int runOnQemu(const RunRequest &R);

/// The QEMU accelerator that runs an ordinary program faster on this machine:
/// the runtime's probe image timed under TCG and KVM, once per host boot (cached).
std::string measuredAccel(bool Verbose);

/// The QEMU arguments that choose the machine, the accelerator and the CPU model.
std::vector<std::string> qemuMachine(const std::string &Accel);

/// Boots Image on QEMU with Accel, output discarded; returns seconds, or -1.
double timeQemuRun(const std::string &Image, const std::string &Accel);

/// Runs a --target=linux image as an ordinary process.
int runAsProcess(const RunRequest &R);

/// Which of ukrun's descriptors 0, 1 and 2 are terminals, as a bit mask (bit N for
/// fd N): the guest's isatty() answers the same (kernel option uk.tty).
int consoleTtys();

/// The boot command line: kernel options, "--", then the arguments, each quoted so
/// that the guest splits them back exactly.
std::string bootCommandLine(const std::vector<std::string> &KernelOptions,
                            const std::vector<std::string> &Args);

/// Prints "ukrun: error: MESSAGE" and returns StatusFailure.
int failure(const std::string &Message);

} // namespace ukcxx
