// VolumeSet: checking the specs and opening the host folders.
#include "VolumeSet.h"

#include "Error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ukcxx {

VolumeSet::VolumeSet(const std::vector<VolumeSpec> &Specs, uint64_t CrashBefore,
                     volume::ServerOptions Options)
    : Crash(std::make_unique<volume::CrashPoint>(CrashBefore)) {
  for (const VolumeSpec &S : Specs) {
    if (S.Tag.empty() || S.Tag.size() > MaxTag || S.Tag.find('\0') != std::string::npos)
      throw Error("volume tag '" + S.Tag + "' must be 1 to " + std::to_string(MaxTag) +
                  " bytes");
    for (const Volume &V : Volumes)
      if (V.Spec.Tag == S.Tag)
        throw Error("two volumes for '" + S.Tag + "'");
    // The user's own path, resolved as any path the user types; from here on only
    // this handle is used, and nothing resolves above it.
    int Fd = open(S.Host.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (Fd < 0)
      throw Error("cannot use '" + S.Host + "' as a volume: " + strerror(errno));
    volume::ServerOptions O = Options;
    O.ReadOnly = S.ReadOnly;
    O.Crash = Crash.get();
    Volumes.push_back({S, std::make_unique<volume::VolumeServer>(Fd, O)});
  }
}

} // namespace ukcxx
