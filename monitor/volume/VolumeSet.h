// VolumeSet: the host folders a run gives its guest, opened before the sandbox, each
// with its 9P server; the UK_HC_VOLUME hypercalls address them by index.
#pragma once

#include "CrashPoint.h"
#include "VolumeServer.h"

#include <memory>
#include <string>
#include <vector>

namespace ukcxx {

/// One volume, as ukrun's --volume binds it.
struct VolumeSpec {
  std::string Host; // the host folder (the user's path, resolved as the user's)
  std::string Tag;  // what the guest knows it by: a manifest volume's name, or ukrun's
  bool ReadOnly = false;
};

class VolumeSet {
public:
  /// The longest tag, in bytes (uk_hc_volume_info's tag holds it and a NUL).
  static constexpr size_t MaxTag = 255;

  VolumeSet() = default;
  /// Opens every host folder and makes its server; CrashBefore is the crash-safety
  /// hook (0: none). Throws Error naming the folder or tag that is wrong.
  explicit VolumeSet(const std::vector<VolumeSpec> &Specs, uint64_t CrashBefore = 0,
                     volume::ServerOptions Options = {});

  size_t size() const { return Volumes.size(); }
  bool empty() const { return Volumes.empty(); }
  const VolumeSpec &spec(size_t I) const { return Volumes[I].Spec; }
  volume::VolumeServer &server(size_t I) const { return *Volumes[I].Server; }
  const volume::CrashPoint &crashPoint() const { return *Crash; }

private:
  struct Volume {
    VolumeSpec Spec;
    std::unique_ptr<volume::VolumeServer> Server;
  };
  std::unique_ptr<volume::CrashPoint> Crash = std::make_unique<volume::CrashPoint>();
  std::vector<Volume> Volumes;
};

} // namespace ukcxx
