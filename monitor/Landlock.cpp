// Landlock: one ruleset, a path-beneath rule per volume folder, applied to this thread.
#include "Landlock.h"

#include "VolumeSet.h"

#include <cerrno>
#include <cstring>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ukcxx {
namespace {

// File access rights by Landlock ABI version (Debian 12's headers stop at 2).
constexpr uint64_t WriteFile = 1ull << 1, ReadFile = 1ull << 2, ReadDir = 1ull << 3,
                   RemoveDir = 1ull << 4, RemoveFile = 1ull << 5, MakeDir = 1ull << 7,
                   MakeReg = 1ull << 8, MakeSym = 1ull << 12, Refer = 1ull << 13,
                   Truncate = 1ull << 14;

/// Every right the kernel's ABI knows: all of them are handled, so all are denied
/// but what a rule allows (executing, making devices, FIFOs and sockets never are).
uint64_t handledRights(long Abi) {
  unsigned Bits = Abi >= 5 ? 16 : Abi >= 3 ? 15 : 14;
  return (1ull << Bits) - 1;
}

} // namespace

std::string confineToVolumes(const VolumeSet &Volumes) {
  long Abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (Abi < 0)
    return std::string("no Landlock in this kernel (") + strerror(errno) +
           "): the volumes are confined by openat2's resolve flags and seccomp alone";
  // ABI 1 forbids every rename and link between folders once it handles anything.
  if (Abi < 2)
    return "Landlock ABI 1 would forbid renames between folders: the volumes are "
           "confined by openat2's resolve flags and seccomp alone";
  landlock_ruleset_attr Ruleset = {};
  Ruleset.handled_access_fs = handledRights(Abi);
  int Fd = int(syscall(SYS_landlock_create_ruleset, &Ruleset, sizeof Ruleset, 0));
  if (Fd < 0)
    return std::string("cannot create a Landlock ruleset: ") + strerror(errno);
  uint64_t ReadOnly = ReadFile | ReadDir;
  uint64_t ReadWrite = ReadOnly | WriteFile | RemoveDir | RemoveFile | MakeDir | MakeReg |
                       MakeSym | Refer | (Abi >= 3 ? Truncate : 0);
  std::string Why;
  for (size_t I = 0; I < Volumes.size() && Why.empty(); ++I) {
    landlock_path_beneath_attr Rule = {};
    Rule.allowed_access = Volumes.spec(I).ReadOnly ? ReadOnly : ReadWrite;
    Rule.parent_fd = Volumes.server(I).rootFd();
    if (syscall(SYS_landlock_add_rule, Fd, LANDLOCK_RULE_PATH_BENEATH, &Rule, 0) < 0)
      Why = std::string("cannot add a Landlock rule for '") + Volumes.spec(I).Host +
            "': " + strerror(errno);
  }
  if (Why.empty() && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    Why = std::string("cannot set no_new_privs: ") + strerror(errno);
  if (Why.empty() && syscall(SYS_landlock_restrict_self, Fd, 0) < 0)
    Why = std::string("cannot apply Landlock: ") + strerror(errno);
  close(Fd);
  if (!Why.empty())
    return Why + "; the volumes are confined by openat2's resolve flags and seccomp alone";
  return "Landlock (ABI " + std::to_string(Abi) + ") confines the monitor to the " +
         std::to_string(Volumes.size()) + " volume folder(s)";
}

} // namespace ukcxx
