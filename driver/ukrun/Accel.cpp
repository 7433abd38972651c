// Accel: choosing between QEMU's TCG and a software KVM by measuring, on this machine,
// the runtime's probe image (runtime/probe/probe.cpp) under both.
#include "Child.h"
#include "Error.h"
#include "Run.h"

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

namespace ukcxx {
namespace {

double now() {
  timespec T;
  clock_gettime(CLOCK_MONOTONIC, &T);
  return T.tv_sec + T.tv_nsec / 1e9;
}

std::string probeImage() {
  char Self[4096];
  ssize_t N = readlink("/proc/self/exe", Self, sizeof Self - 1);
  if (N <= 0)
    return "";
  std::string Bin(Self, N);
  return Bin.substr(0, Bin.rfind('/')) + "/../lib/ukc++/probe.img";
}

double median(std::vector<double> V) {
  std::sort(V.begin(), V.end());
  return V[V.size() / 2];
}

} // namespace

double timeQemuRun(const std::string &Image, const std::string &Accel) {
  std::vector<std::string> Cmd = {"qemu-system-x86_64"};
  for (auto &A : qemuMachine(Accel))
    Cmd.push_back(A);
  for (const char *A :
       {"-m", "64M", "-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-kernel",
        Image.c_str(), "-device", "isa-debug-exit,iobase=0xf4,iosize=4"})
    Cmd.push_back(A);
  int Null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  double Start = now();
  try {
    int Pid = spawn(Cmd, {{1, Null}, {2, Null}});
    ChildResult R = waitFor(Pid, 30);
    close(Null);
    // isa-debug-exit makes QEMU exit with 1 when the guest ends.
    return !R.TimedOut && !R.Signaled && R.Status == 1 ? now() - Start : -1;
  } catch (const Error &) {
    close(Null);
    return -1;
  }
}

std::string measuredAccel(bool Verbose) {
  std::string Boot;
  std::getline(std::ifstream("/proc/sys/kernel/random/boot_id"), Boot);
  std::string Cache = cacheDir() + "/accel-" + (Boot.empty() ? "unknown" : Boot);
  std::string Cached;
  std::getline(std::ifstream(Cache), Cached);
  if (Cached == "kvm" || Cached == "tcg")
    return Cached;

  std::string Probe = probeImage();
  struct stat St;
  if (Probe.empty() || stat(Probe.c_str(), &St) != 0)
    return "kvm"; // no probe installed: trust KVM
  std::vector<double> Tcg, Kvm;
  // One run each when the difference is plain, three when it is close.
  for (int Round = 0; Round < 3; ++Round) {
    Tcg.push_back(timeQemuRun(Probe, "tcg"));
    Kvm.push_back(timeQemuRun(Probe, "kvm"));
    double T = median(Tcg), K = median(Kvm);
    if (Round == 0 && (T > 1.3 * K || K > 1.3 * T))
      break;
  }
  double T = median(Tcg), K = median(Kvm);
  std::string Choice = K < 0 ? "tcg" : T < 0 || K <= T ? "kvm" : "tcg";
  if (Verbose)
    fprintf(stderr, "ukrun: measured the probe image: tcg %.0f ms, kvm %.0f ms; using %s\n",
            T * 1000, K * 1000, Choice.c_str());
  if (!Boot.empty() && makeDirs(cacheDir())) {
    std::ofstream(Cache + ".tmp") << Choice << "\n";
    rename((Cache + ".tmp").c_str(), Cache.c_str());
  }
  return Choice;
}

} // namespace ukcxx
