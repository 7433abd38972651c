// Volumes: parsing and checking --volume, and QEMU's virtio-9p devices for it. QEMU's
// 9P server (security_model=none: files keep the host user's ownership) confines the
// guest to each folder; the guest only ever names files one component at a time.
#include "Volumes.h"

#include "Error.h"
#include "MountPoints.h"

#include <climits>
#include <cstdlib>
#include <sys/stat.h>

namespace ukcxx {
namespace {

/// The absolute path of host folder Host, which must exist.
std::string hostFolder(const std::string &Host, const std::string &Spec) {
  struct stat St;
  if (Host.empty())
    throw Error("--volume " + Spec + ": the host folder is missing");
  if (stat(Host.c_str(), &St) != 0)
    throw Error("--volume " + Spec + ": host folder '" + Host + "' does not exist");
  if (!S_ISDIR(St.st_mode))
    throw Error("--volume " + Spec + ": '" + Host + "' is not a folder");
  char Full[PATH_MAX];
  if (!realpath(Host.c_str(), Full))
    throw Error("--volume " + Spec + ": cannot resolve '" + Host + "'");
  return Full;
}

/// Escapes a value for QEMU's option syntax (a comma is written twice).
std::string qemuValue(const std::string &Text) {
  std::string Out;
  for (char C : Text) {
    Out += C;
    if (C == ',')
      Out += ',';
  }
  return Out;
}

} // namespace

std::vector<VolumeBinding> bindVolumes(const std::vector<std::string> &Specs,
                                       const ManifestView &M) {
  std::vector<VolumeBinding> Bound;
  unsigned Unnamed = 0;
  for (const auto &Spec : Specs) {
    std::string Text = Spec;
    bool ReadOnly = Text.size() > 3 && Text.compare(Text.size() - 3, 3, ":ro") == 0;
    if (ReadOnly)
      Text.resize(Text.size() - 3);
    VolumeBinding B;
    size_t Eq = Text.find('=');
    if (Eq != std::string::npos && isVolumeName(std::string_view(Text).substr(0, Eq))) {
      B.Tag = Text.substr(0, Eq);
      const ManifestView::Volume *Named = nullptr;
      for (const auto &V : M.Volumes)
        if (V.Name == B.Tag)
          Named = &V;
      if (!Named) {
        std::string Names;
        for (const auto &V : M.Volumes)
          Names += (Names.empty() ? "" : ", ") + V.Name;
        throw Error("--volume " + Spec + ": the image's manifest names no volume '" + B.Tag +
                    "'" + (Names.empty() ? "" : " (it names: " + Names + ")") +
                    "; bind a host folder to a guest path with --volume HOST:GUEST");
      }
      B.Host = hostFolder(Text.substr(Eq + 1), Spec);
      B.Guest = Named->Path;
      B.ReadOnly = ReadOnly || Named->ReadOnly;
    } else {
      size_t Colon = Text.rfind(":/");
      if (Colon == std::string::npos)
        throw Error("--volume " + Spec +
                    ": write HOST:GUEST[:ro] (GUEST an absolute guest path) or "
                    "NAME=HOST[:ro] for a volume the manifest names");
      B.Guest = Text.substr(Colon + 1);
      if (std::string Why = mountPointProblem(B.Guest); !Why.empty())
        throw Error("--volume " + Spec + ": cannot mount '" + B.Guest + "': " + Why);
      B.Host = hostFolder(Text.substr(0, Colon), Spec);
      B.ReadOnly = ReadOnly;
      do // a tag no manifest volume has
        B.Tag = "ukrun-" + std::to_string(Unnamed++);
      while ([&] {
        for (const auto &V : M.Volumes)
          if (V.Name == B.Tag)
            return true;
        return false;
      }());
    }
    for (const auto &Other : Bound) {
      if (Other.Guest == B.Guest)
        throw Error("--volume " + Spec + ": '" + B.Guest + "' is bound twice");
      if (Other.Tag == B.Tag)
        throw Error("--volume " + Spec + ": volume '" + B.Tag + "' is bound twice");
    }
    Bound.push_back(B);
  }
  for (const auto &V : M.Volumes) {
    bool Found = false;
    for (const auto &B : Bound)
      Found |= B.Tag == V.Name;
    if (!Found)
      throw Error("the image mounts volume '" + V.Name + "' at " + V.Path +
                  ": bind a host folder to it with --volume " + V.Name + "=HOST_FOLDER");
  }
  if (Bound.size() > 8)
    throw Error("at most 8 volumes can be bound (" + std::to_string(Bound.size()) + " were)");
  return Bound;
}

std::vector<std::string> volumeOptions(const std::vector<VolumeBinding> &Volumes,
                                       const std::string &Workdir) {
  std::vector<std::string> Options;
  for (const auto &V : Volumes)
    Options.push_back("uk.mount=" + V.Tag + ":" + V.Guest + (V.ReadOnly ? ":ro" : ""));
  if (!Workdir.empty()) {
    if (Workdir != "/")
      if (std::string Why = mountPointProblem(Workdir); !Why.empty())
        throw Error("--workdir " + Workdir + ": " + Why);
    Options.push_back("uk.workdir=" + Workdir);
  }
  return Options;
}

std::vector<std::string> qemuVolumes(const std::vector<VolumeBinding> &Volumes) {
  std::vector<std::string> Args;
  for (size_t I = 0; I < Volumes.size(); ++I) {
    const auto &V = Volumes[I];
    std::string Id = "vol" + std::to_string(I);
    Args.insert(Args.end(),
                {"-fsdev",
                 "local,id=" + Id + ",path=" + qemuValue(V.Host) + ",security_model=none" +
                     (V.ReadOnly ? ",readonly=on" : ""),
                 "-device", "virtio-9p-device,fsdev=" + Id + ",mount_tag=" + V.Tag});
  }
  return Args;
}

} // namespace ukcxx
