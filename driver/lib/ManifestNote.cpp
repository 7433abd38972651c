// ManifestNote: binary manifest encoding and the tiny ELF object that carries it.
#include "ManifestNote.h"

#include "Diagnostic.h"
#include "SectionObject.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <elf.h>

namespace ukcxx {
namespace {

/// Appends header, arrays and strings, handing out offsets from the header's start.
class Encoder {
public:
  explicit Encoder(size_t Reserve) : Bytes(Reserve) {}

  uint32_t string(const std::string &S) {
    uint32_t At = Bytes.size();
    Bytes.insert(Bytes.end(), S.begin(), S.end());
    Bytes.push_back(0);
    return At;
  }

  template <typename T> uint32_t array(const std::vector<T> &Items) {
    align(8);
    uint32_t At = Bytes.size();
    Bytes.resize(Bytes.size() + Items.size() * sizeof(T));
    if (!Items.empty())
      std::memcpy(Bytes.data() + At, Items.data(), Items.size() * sizeof(T));
    return At;
  }

  /// Strings then an array of their offsets.
  uint32_t strings(const std::vector<std::string> &List) {
    std::vector<uint32_t> Offsets;
    for (const auto &S : List)
      Offsets.push_back(string(S));
    return array(Offsets);
  }

  void align(size_t To) { Bytes.resize((Bytes.size() + To - 1) / To * To); }

  std::vector<uint8_t> Bytes;
};

uint32_t bigEndian(uint32_t V) { return __builtin_bswap32(V); }

} // namespace

std::vector<uint8_t> encodeManifest(const Manifest &M, const TargetInfo &T, const Catalog &Cat,
                                    const std::vector<std::string> &Components) {
  uk_manifest H{};
  H.magic = UK_MANIFEST_MAGIC;
  H.version = UK_MANIFEST_VERSION;
  H.header_size = sizeof H;
  H.target = T.Id;
  H.memory = M.Memory;
  for (const auto &[Name, Where] : M.Features)
    if (const FeatureInfo *F = Cat.feature(Name))
      H.features |= F->Bit;
  H.threads_max = M.ThreadsMax;
  H.thread_stack = M.ThreadStack;

  Encoder E(sizeof H);
  H.name = E.string(M.Name);
  H.argc = M.Args.size();
  H.argv = E.strings(M.Args);
  std::vector<std::string> Env;
  for (const auto &[K, V] : M.Env)
    Env.push_back(K + "=" + V);
  H.envc = Env.size();
  H.envp = E.strings(Env);
  std::vector<uk_manifest_net> Nets;
  for (const auto &N : M.Nets) {
    uk_manifest_net Entry{};
    Entry.name = E.string(N.Name);
    Entry.ipv4 = bigEndian(N.IPv4);
    Entry.gateway = bigEndian(N.Gateway);
    Entry.prefix = N.Prefix;
    Entry.dhcp = N.DHCP;
    for (size_t I = 0; I < N.DNS.size() && I < UK_MANIFEST_NET_DNS; ++I)
      Entry.dns[I] = bigEndian(N.DNS[I]);
    Entry.mtu = N.MTU;
    std::memcpy(Entry.mac, N.MAC.data(), 6);
    Nets.push_back(Entry);
  }
  H.net_count = Nets.size();
  H.net = E.array(Nets);
  std::vector<uk_manifest_block> Blocks;
  for (const auto &B : M.Blocks)
    Blocks.push_back({E.string(B), 0});
  H.block_count = Blocks.size();
  H.block = E.array(Blocks);
  H.fs_root = M.FSRoot.empty() ? 0 : E.string(M.FSRoot);
  H.fs_workdir = M.FSWorkdir.empty() ? 0 : E.string(M.FSWorkdir);
  H.fs_tmp_size = M.FSTmpSize;
  std::vector<uk_manifest_volume> Volumes;
  for (const auto &V : M.Volumes)
    Volumes.push_back({E.string(V.Name), E.string(V.Path), V.ReadOnly, 0});
  H.volume_count = Volumes.size();
  H.volumes = E.array(Volumes);
  H.component_count = Components.size();
  H.components = E.strings(Components);
  E.align(8);
  H.total_size = E.Bytes.size();
  std::memcpy(E.Bytes.data(), &H, sizeof H);
  return E.Bytes;
}

Manifest manifestFromView(const ManifestView &View) {
  Manifest M;
  M.Name = View.Name;
  M.Target = std::string(targetName(View.Target));
  M.Memory = View.Memory;
  M.Args = View.Args;
  for (const auto &KV : View.Env) {
    auto Eq = KV.find('=');
    M.Env.emplace_back(KV.substr(0, Eq), Eq == std::string::npos ? "" : KV.substr(Eq + 1));
  }
  for (uint64_t Bit = 1; Bit; Bit <<= 1)
    if ((View.Features & Bit) && !featureName(Bit).empty())
      M.Features[std::string(featureName(Bit))] = {};
  M.ThreadsMax = View.ThreadsMax;
  M.ThreadStack = View.ThreadStack;
  for (const auto &N : View.Nets) {
    NetDevice D;
    D.Name = N.Name, D.DHCP = N.DHCP, D.IPv4 = bigEndian(N.IPv4), D.Prefix = N.Prefix;
    D.Gateway = bigEndian(N.Gateway);
    for (uint32_t A : N.DNS)
      D.DNS.push_back(bigEndian(A));
    D.MTU = N.MTU;
    D.MAC = N.MAC;
    M.Nets.push_back(D);
  }
  M.Blocks = View.Blocks;
  M.FSRoot = View.FSRoot;
  M.FSWorkdir = View.FSWorkdir;
  M.FSTmpSize = View.FSTmpSize;
  for (const auto &V : View.Volumes)
    M.Volumes.push_back({V.Path, V.Name, V.ReadOnly});
  return M;
}

llvm::Error writeNoteObject(const std::string &Path, const std::vector<uint8_t> &Desc) {
  static const char NoteName[] = UK_NOTE_NAME;
  std::vector<uint8_t> Note;
  auto Append = [&](const void *Data, size_t Size) {
    auto *Bytes = static_cast<const uint8_t *>(Data);
    Note.insert(Note.end(), Bytes, Bytes + Size);
    Note.resize((Note.size() + 3) & ~size_t(3));
  };
  Elf64_Nhdr N{sizeof NoteName, uint32_t(Desc.size()), UK_NOTE_MANIFEST};
  Append(&N, sizeof N);
  Append(NoteName, sizeof NoteName);
  Append(Desc.data(), Desc.size());
  return writeSectionObject(Path, ".note.ukcpp", SHT_NOTE, 4, Note);
}

} // namespace ukcxx
