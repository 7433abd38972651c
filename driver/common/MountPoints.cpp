// MountPoints.cpp: the checks of mount points and volume names.
#include "MountPoints.h"

#include <cctype>

namespace ukcxx {

std::string mountPointProblem(std::string_view Path) {
  if (Path.empty() || Path[0] != '/')
    return "a mount point is an absolute guest path, like /data";
  if (Path == "/")
    return "the root cannot be mounted over (fs: { root: } fills it)";
  for (std::string_view Rest = Path.substr(1);;) {
    size_t Slash = Rest.find('/');
    std::string_view Name = Rest.substr(0, Slash);
    if (Name.empty() || Name == "." || Name == "..")
      return "write the path without '.', '..', '//' or a trailing '/'";
    if (Slash == std::string_view::npos)
      break;
    Rest = Rest.substr(Slash + 1);
  }
  if (Path.find_first_of(" :\t\n") != std::string_view::npos)
    return "a mount point cannot hold spaces or ':'";
  for (std::string_view Kernel : {"/dev", "/proc"})
    if (Path == Kernel || Path.starts_with(std::string(Kernel) + "/"))
      return std::string(Kernel) + " is the kernel's";
  return "";
}

bool isVolumeName(std::string_view Name) {
  if (Name.empty() || Name.size() > 31)
    return false;
  for (char C : Name)
    if (!(isalnum(static_cast<unsigned char>(C)) || C == '_' || C == '-' || C == '.'))
      return false;
  return true;
}

} // namespace ukcxx
