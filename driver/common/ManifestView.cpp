// ManifestView: decoding of the binary manifest with bounds checks on every field.
#include "ManifestView.h"

#include "Error.h"

#include <cstring>

namespace ukcxx {
namespace {

class Reader {
public:
  explicit Reader(std::span<const uint8_t> Bytes) : Bytes(Bytes) {}

  template <typename T> T read(uint64_t Offset, const char *What) const {
    if (Offset > Bytes.size() || Bytes.size() - Offset < sizeof(T))
      throw Error(std::string("manifest ") + What + " lies outside the note");
    T Value;
    std::memcpy(&Value, Bytes.data() + Offset, sizeof(T));
    return Value;
  }

  std::string string(uint32_t Offset, const char *What) const {
    if (Offset >= Bytes.size())
      throw Error(std::string("manifest ") + What + " lies outside the note");
    const void *End = std::memchr(Bytes.data() + Offset, 0, Bytes.size() - Offset);
    if (!End)
      throw Error(std::string("manifest ") + What + " is not NUL-terminated");
    return std::string(reinterpret_cast<const char *>(Bytes.data() + Offset));
  }

  std::vector<std::string> strings(uint32_t Offset, uint32_t Count, const char *What) const {
    if (Count > Bytes.size() / sizeof(uint32_t))
      throw Error(std::string("manifest ") + What + " count is too large");
    std::vector<std::string> Out;
    for (uint32_t I = 0; I < Count; ++I)
      Out.push_back(string(read<uint32_t>(Offset + uint64_t(I) * 4, What), What));
    return Out;
  }

private:
  std::span<const uint8_t> Bytes;
};

} // namespace

ManifestView ManifestView::decode(std::span<const uint8_t> Bytes) {
  Reader R(Bytes);
  auto H = R.read<uk_manifest>(0, "header");
  if (H.magic != UK_MANIFEST_MAGIC)
    throw Error("manifest note has a bad magic number");
  if (H.version != UK_MANIFEST_VERSION)
    throw Error("manifest version " + std::to_string(H.version) +
                " is not supported (this tool reads version " +
                std::to_string(UK_MANIFEST_VERSION) + ")");
  if (H.header_size != sizeof(uk_manifest) || H.total_size > Bytes.size())
    throw Error("manifest note is truncated");
  Reader Body(Bytes.first(H.total_size));

  ManifestView M;
  M.Target = H.target;
  if (targetName(M.Target).empty())
    throw Error("manifest names unknown target " + std::to_string(H.target));
  M.Memory = H.memory;
  M.Features = H.features;
  M.ThreadsMax = H.threads_max;
  M.ThreadStack = H.thread_stack;
  M.Name = Body.string(H.name, "name");
  M.Args = Body.strings(H.argv, H.argc, "args");
  M.Env = Body.strings(H.envp, H.envc, "env");
  M.Components = Body.strings(H.components, H.component_count, "components");
  if (H.net_count > H.total_size / sizeof(uk_manifest_net))
    throw Error("manifest net count is too large");
  for (uint32_t I = 0; I < H.net_count; ++I) {
    auto N =
        Body.read<uk_manifest_net>(H.net + uint64_t(I) * sizeof(uk_manifest_net), "net entry");
    Net Entry;
    Entry.Name = Body.string(N.name, "net name");
    Entry.IPv4 = N.ipv4, Entry.Gateway = N.gateway, Entry.Prefix = N.prefix;
    Entry.DHCP = N.dhcp != 0;
    for (uint32_t Server : N.dns)
      if (Server)
        Entry.DNS.push_back(Server);
    Entry.MTU = N.mtu;
    std::memcpy(Entry.MAC.data(), N.mac, 6);
    M.Nets.push_back(std::move(Entry));
  }
  if (H.block_count > H.total_size / sizeof(uk_manifest_block))
    throw Error("manifest block count is too large");
  for (uint32_t I = 0; I < H.block_count; ++I) {
    auto B = Body.read<uk_manifest_block>(H.block + uint64_t(I) * sizeof(uk_manifest_block),
                                          "block entry");
    M.Blocks.push_back(Body.string(B.name, "block name"));
  }
  if (H.fs_root)
    M.FSRoot = Body.string(H.fs_root, "fs root");
  if (H.fs_workdir)
    M.FSWorkdir = Body.string(H.fs_workdir, "fs workdir");
  M.FSTmpSize = H.fs_tmp_size;
  if (H.volume_count > H.total_size / sizeof(uk_manifest_volume))
    throw Error("manifest volume count is too large");
  for (uint32_t I = 0; I < H.volume_count; ++I) {
    auto V = Body.read<uk_manifest_volume>(H.volumes + uint64_t(I) * sizeof(uk_manifest_volume),
                                           "volume entry");
    M.Volumes.push_back(
        {Body.string(V.name, "volume name"), Body.string(V.path, "volume path"), V.readonly != 0});
  }
  return M;
}

std::string_view targetName(uint32_t Target) {
  switch (Target) {
  case UK_TARGET_X86_64:
    return "x86_64";
  case UK_TARGET_KVM:
    return "kvm";
  case UK_TARGET_QEMU:
    return "qemu";
  case UK_TARGET_LINUX:
    return "linux";
  }
  return {};
}

std::string_view featureName(uint64_t Bit) {
  switch (Bit) {
  case UK_FEATURE_CONSOLE:
    return "console";
  case UK_FEATURE_CLOCK:
    return "clock";
  case UK_FEATURE_RANDOM:
    return "random";
  case UK_FEATURE_THREADS:
    return "threads";
  case UK_FEATURE_NET:
    return "net";
  case UK_FEATURE_BLOCK:
    return "block";
  case UK_FEATURE_FS:
    return "fs";
  }
  return {};
}

} // namespace ukcxx
