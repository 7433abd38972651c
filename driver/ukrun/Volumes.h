// Volumes: ukrun's --volume and --workdir options: host folders bound to the guest's
// paths, and what they become for QEMU (virtio-9p devices) and for the guest's kernel.
#pragma once

#include "ManifestView.h"

#include <string>
#include <vector>

namespace ukcxx {

/// A host folder the guest mounts at Guest; Tag names it to the guest's kernel.
struct VolumeBinding {
  std::string Tag, Host, Guest;
  bool ReadOnly = false;
};

/// Binds the --volume values (NAME=HOST[:ro] for a volume the manifest names,
/// HOST:GUEST[:ro] for any other) and checks that every volume of the manifest is
/// bound; throws Error saying what is wrong.
std::vector<VolumeBinding> bindVolumes(const std::vector<std::string> &Specs,
                                       const ManifestView &M);

/// The kernel options that mount them (uk.mount=TAG:GUEST[:ro]) and start the program
/// in Workdir (uk.workdir=, if not empty; checked like a mount point).
std::vector<std::string> volumeOptions(const std::vector<VolumeBinding> &Volumes,
                                       const std::string &Workdir);

/// QEMU's arguments for them: a virtio-9p device per volume (modern virtio-mmio, which
/// the caller asks for once for all devices).
std::vector<std::string> qemuVolumes(const std::vector<VolumeBinding> &Volumes);

} // namespace ukcxx
