// Host: KVM detection, the host TSC frequency, and ukrun's cache folder.
#include "Host.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ukcxx {

bool kvmUsable() {
  int Fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (Fd < 0)
    return false;
  close(Fd);
  return true;
}

bool kvmHardwareAssisted() {
  struct stat St;
  return stat("/sys/module/kvm_intel", &St) == 0 || stat("/sys/module/kvm_amd", &St) == 0;
}

namespace {

/// The kernel's own TSC parameters, when its perf clock is the TSC.
uint64_t perfTscHz() {
  perf_event_attr Attr{};
  Attr.type = PERF_TYPE_SOFTWARE;
  Attr.size = sizeof Attr;
  Attr.config = PERF_COUNT_SW_DUMMY;
  Attr.exclude_kernel = 1;
  int Fd = int(syscall(SYS_perf_event_open, &Attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
  if (Fd < 0)
    return 0;
  long Page = sysconf(_SC_PAGESIZE);
  void *Map = mmap(nullptr, Page, PROT_READ, MAP_SHARED, Fd, 0);
  close(Fd);
  if (Map == MAP_FAILED)
    return 0;
  auto *Info = static_cast<const perf_event_mmap_page *>(Map);
  uint64_t Hz = 0;
  // ns = cycles * time_mult >> time_shift, so Hz = 1e9 * 2^shift / mult.
  if (Info->cap_user_time && Info->time_mult)
    Hz = uint64_t((unsigned __int128)1000000000 << Info->time_shift) / Info->time_mult;
  munmap(Map, Page);
  return Hz;
}

/// Counts TSC ticks over 20 ms of CLOCK_MONOTONIC_RAW (an error of about 1e-6).
uint64_t measureTscHz() {
  auto Sample = [](uint64_t &Ns) {
    timespec T;
    clock_gettime(CLOCK_MONOTONIC_RAW, &T);
    Ns = uint64_t(T.tv_sec) * 1000000000 + uint64_t(T.tv_nsec);
    return __builtin_ia32_rdtsc();
  };
  uint64_t Ns0, Ns1;
  uint64_t Tsc0 = Sample(Ns0);
  usleep(20000);
  uint64_t Tsc1 = Sample(Ns1);
  return Ns1 > Ns0 ? uint64_t((unsigned __int128)(Tsc1 - Tsc0) * 1000000000 / (Ns1 - Ns0)) : 0;
}

std::string readLine(const std::string &Path) {
  std::ifstream In(Path);
  std::string Line;
  std::getline(In, Line);
  return Line;
}

} // namespace

uint64_t hostTscHz() {
  if (uint64_t Hz = perfTscHz())
    return Hz;
  // Measured once per host boot and kept in the cache.
  std::string Boot = readLine("/proc/sys/kernel/random/boot_id");
  std::string Cache = cacheDir() + "/tsc-" + (Boot.empty() ? "unknown" : Boot);
  if (uint64_t Hz = strtoull(readLine(Cache).c_str(), nullptr, 10))
    return Hz;
  uint64_t Hz = measureTscHz();
  if (Hz && !Boot.empty() && makeDirs(cacheDir())) {
    std::ofstream Out(Cache + ".tmp");
    Out << Hz << "\n";
    Out.close();
    if (Out)
      rename((Cache + ".tmp").c_str(), Cache.c_str());
  }
  return Hz;
}

bool makeDirs(const std::string &Path) {
  for (size_t Slash = 1; Slash != std::string::npos;) {
    Slash = Path.find('/', Slash + 1);
    std::string Prefix = Path.substr(0, Slash);
    if (mkdir(Prefix.c_str(), 0755) != 0 && errno != EEXIST)
      return false;
  }
  return true;
}

std::string cacheDir() {
  if (const char *Xdg = getenv("XDG_CACHE_HOME"); Xdg && *Xdg)
    return std::string(Xdg) + "/ukc++";
  if (const char *Home = getenv("HOME"); Home && *Home)
    return std::string(Home) + "/.cache/ukc++";
  return "/tmp/ukc++-cache-" + std::to_string(getuid());
}

} // namespace ukcxx
