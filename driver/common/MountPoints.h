// MountPoints.h: what makes a guest path a mount point and a name a volume's, as the
// manifest and ukrun --volume both check them.
#pragma once

#include <string>
#include <string_view>

namespace ukcxx {

/// Why Path cannot be a mount point, or "" if it can: an absolute, normalized path
/// (no ".", "..", "//" or trailing "/"), not "/" and not under /dev or /proc, with no
/// spaces or ':' (the kernel's boot options carry it).
std::string mountPointProblem(std::string_view Path);

/// A volume's name: 1 to 31 letters, digits, '_', '-' or '.' (a virtio-9p tag).
bool isVolumeName(std::string_view Name);

} // namespace ukcxx
