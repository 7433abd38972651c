// Manifest: validation of unikernel.yaml v1, treating the file as untrusted input.
#include "Manifest.h"

#include "MountPoints.h"
#include "YAMLUtil.h"

#include "uk/abi/manifest.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <set>

namespace ukcxx {
namespace {

std::string formatSize(uint64_t Bytes) {
  if (Bytes % (1ull << 30) == 0)
    return std::to_string(Bytes >> 30) + "Gi";
  if (Bytes % (1ull << 20) == 0)
    return std::to_string(Bytes >> 20) + "Mi";
  if (Bytes % (1ull << 10) == 0)
    return std::to_string(Bytes >> 10) + "Ki";
  return std::to_string(Bytes);
}

bool isName(llvm::StringRef S) {
  return !S.empty() && S.size() <= 64 && llvm::all_of(S, [](char C) {
    return llvm::isAlnum(C) || C == '_' || C == '-' || C == '.';
  });
}

/// Parses "a.b.c.d" into host byte order.
bool parseIPv4(llvm::StringRef S, uint32_t &Out) {
  llvm::SmallVector<llvm::StringRef, 4> Parts;
  S.split(Parts, '.');
  if (Parts.size() != 4)
    return false;
  Out = 0;
  for (auto Part : Parts) {
    unsigned V;
    if (Part.empty() || Part.size() > 3 || Part.getAsInteger(10, V) || V > 255)
      return false;
    Out = Out << 8 | V;
  }
  return true;
}

class ManifestParser {
public:
  ManifestParser(const std::string &Path, const Catalog &Cat) : R(Path), Cat(Cat) {}

  llvm::Expected<Manifest> parse(const std::string &Text) {
    auto Root = R.parse(Text);
    if (!Root)
      return Root.takeError();
    M.Path = R.file();
    if (Root->IsNull())
      return M; // An empty file asks for every default.
    if (auto E =
            R.checkKeys(*Root, "the manifest",
                        {"version", "name", "target", "memory", "args", "env", "features"}))
      return std::move(E);
    for (const auto &Entry : *Root)
      if (auto E = field(Entry.first.Scalar(), Entry.second))
        return std::move(E);
    return M;
  }

private:
  YAMLReader R;
  const Catalog &Cat;
  Manifest M;

  llvm::Error field(const std::string &Key, const YAML::Node &V) {
    if (Key == "version") {
      std::string S;
      TRY_ASSIGN(S, R.scalar(V, "'version'"));
      if (S != "1")
        return R.error(V,
                       "unsupported manifest version '" + S + "'; this ukc++ reads version 1");
    } else if (Key == "name") {
      TRY_ASSIGN(M.Name, R.scalar(V, "'name'"));
      if (!isName(M.Name))
        return R.error(V, "'name' must be 1 to 64 letters, digits, '.', '-' or '_'");
    } else if (Key == "target") {
      TRY_ASSIGN(M.Target, R.scalar(V, "'target'"));
      M.TargetLocation = R.at(V);
      if (!Cat.target(M.Target))
        return R.error(V, "unknown target '" + M.Target + "'" +
                              suggest(M.Target, Cat.targetNames()));
    } else if (Key == "memory") {
      return memory(V);
    } else if (Key == "args") {
      TRY_ASSIGN(M.Args, R.scalars(V, "'args'"));
    } else if (Key == "env") {
      return env(V);
    } else if (Key == "features") {
      return features(V);
    }
    return llvm::Error::success();
  }

  llvm::Expected<uint64_t> size(const YAML::Node &V, llvm::StringRef What, uint64_t Min,
                                uint64_t Max) {
    std::string S;
    TRY_ASSIGN(S, R.scalar(V, What));
    auto Bytes = parseSize(S);
    if (!Bytes) {
      llvm::consumeError(Bytes.takeError());
      llvm::StringRef Digits = llvm::StringRef(S).take_while(llvm::isDigit);
      llvm::StringRef Unit = llvm::StringRef(S).drop_front(Digits.size()).trim();
      std::string Hint;
      for (auto [Wrong, Right] : {std::pair{"K", "Ki"},
                                  {"M", "Mi"},
                                  {"G", "Gi"},
                                  {"KB", "Ki"},
                                  {"MB", "Mi"},
                                  {"GB", "Gi"},
                                  {"k", "Ki"},
                                  {"m", "Mi"},
                                  {"g", "Gi"}})
        if (!Digits.empty() && Unit == Wrong)
          Hint = "; did you mean '" + Digits.str() + Right + "'?";
      if (Hint.empty())
        Hint = " (write a number with a binary suffix, like 512Ki, 64Mi or 1Gi)";
      return R.error(V, "malformed size '" + S + "' for " + What + Hint);
    }
    if (*Bytes < Min || *Bytes > Max)
      return R.error(V, What + " " + S + " is out of range (" + formatSize(Min) + " to " +
                            formatSize(Max) + ")");
    if (*Bytes % 4096)
      return R.error(V, What + " " + S + " is not a whole number of 4Ki pages");
    return *Bytes;
  }

  llvm::Expected<unsigned> integer(const YAML::Node &V, llvm::StringRef What, unsigned Min,
                                   unsigned Max) {
    std::string S;
    TRY_ASSIGN(S, R.scalar(V, What));
    unsigned Value;
    if (llvm::StringRef(S).getAsInteger(10, Value) || Value < Min || Value > Max)
      return R.error(V, What + " must be a whole number from " + std::to_string(Min) + " to " +
                            std::to_string(Max) + ", not '" + S + "'");
    return Value;
  }

  llvm::Error memory(const YAML::Node &V) {
    TRY_ASSIGN(M.Memory, size(V, "'memory'", Manifest::MinMemory, Manifest::MaxMemory));
    return llvm::Error::success();
  }

  llvm::Error env(const YAML::Node &V) {
    if (!V.IsMap())
      return R.error(V, "'env' must map variable names to values");
    std::set<std::string> Seen;
    for (const auto &Entry : V) {
      std::string Key, Value;
      TRY_ASSIGN(Key, R.scalar(Entry.first, "an 'env' name"));
      TRY_ASSIGN(Value, R.scalar(Entry.second, "the value of '" + Key + "' in 'env'"));
      if (Key.empty() || Key.find('=') != std::string::npos ||
          Key.find('\0') != std::string::npos)
        return R.error(Entry.first, "'" + Key + "' is not a valid environment variable name");
      if (!Seen.insert(Key).second)
        return R.error(Entry.first, "duplicate variable '" + Key + "' in 'env'");
      M.Env.emplace_back(Key, Value);
    }
    return llvm::Error::success();
  }

  llvm::Error features(const YAML::Node &V) {
    if (V.IsNull())
      return llvm::Error::success();
    if (!V.IsMap())
      return R.error(V, "'features' must map feature names to their settings, "
                        "like 'threads: {}'");
    std::set<std::string> Seen;
    for (const auto &Entry : V) {
      std::string Name;
      TRY_ASSIGN(Name, R.scalar(Entry.first, "a feature name"));
      if (!Cat.feature(Name))
        return R.error(Entry.first,
                       "unknown feature '" + Name + "'" + suggest(Name, Cat.featureNames()));
      if (!Seen.insert(Name).second)
        return R.error(Entry.first, "duplicate feature '" + Name + "'");
      M.Features[Name] = R.at(Entry.first);
      if (auto E = feature(Name, Entry.second))
        return E;
    }
    return llvm::Error::success();
  }

  llvm::Error feature(const std::string &Name, const YAML::Node &V) {
    std::string What = "the settings of feature '" + Name + "'";
    if (Name == "threads") {
      if (V.IsNull())
        return llvm::Error::success();
      if (auto E = R.checkKeys(V, What, {"max", "stack"}))
        return E;
      if (V["max"])
        TRY_ASSIGN(M.ThreadsMax, integer(V["max"], "'threads.max'", 1, Manifest::MaxThreads));
      if (V["stack"])
        TRY_ASSIGN(M.ThreadStack, size(V["stack"], "'threads.stack'", 16ull << 10, 1ull << 30));
      return llvm::Error::success();
    }
    if (Name == "net")
      return devices(V, Name, [&](const YAML::Node &D) { return net(D); });
    if (Name == "block")
      return devices(V, Name, [&](const YAML::Node &D) -> llvm::Error {
        if (auto E = R.checkKeys(D, "a block device", {"name"}))
          return E;
        std::string DevName;
        TRY_ASSIGN(DevName, deviceName(D, "block"));
        M.Blocks.push_back(DevName);
        return llvm::Error::success();
      });
    if (Name == "fs")
      return fs(V);
    // Features without settings (console, clock, random) take {} or nothing.
    if (V.IsNull())
      return llvm::Error::success();
    if (auto E = R.checkKeys(V, What, {}))
      return E;
    return llvm::Error::success();
  }

  /// A list of devices with unique names.
  template <typename F>
  llvm::Error devices(const YAML::Node &V, const std::string &Feature, F &&Each) {
    if (!V.IsSequence() || V.size() == 0)
      return R.error(V, "feature '" + Feature +
                            "' takes a list of devices, like "
                            "[ { name: " +
                            (Feature == "net" ? "eth0" : "data") + " } ]");
    std::set<std::string> Names;
    for (const auto &D : V) {
      if (auto E = Each(D))
        return E;
      const std::string &Last = Feature == "net" ? M.Nets.back().Name : M.Blocks.back();
      if (!Names.insert(Last).second)
        return R.error(D["name"], "duplicate " + Feature + " device name '" + Last + "'");
    }
    return llvm::Error::success();
  }

  llvm::Expected<std::string> deviceName(const YAML::Node &D, llvm::StringRef Kind) {
    if (!D["name"])
      return R.error(D, "every " + Kind + " device needs a 'name'");
    std::string Name;
    TRY_ASSIGN(Name, R.scalar(D["name"], "a device 'name'"));
    if (!isName(Name) || Name.size() > 15)
      return R.error(D["name"], "device name '" + Name +
                                    "' must be 1 to 15 letters, digits, '.', '-' or '_'");
    return Name;
  }

  llvm::Error net(const YAML::Node &D) {
    if (auto E =
            R.checkKeys(D, "a net device", {"name", "ipv4", "gateway", "dns", "mtu", "mac"}))
      return E;
    NetDevice N;
    TRY_ASSIGN(N.Name, deviceName(D, "net"));
    if (!D["ipv4"])
      return R.error(D, "net device '" + N.Name +
                            "' needs 'ipv4': an address with prefix like "
                            "10.0.2.15/24, or dhcp");
    std::string Addr;
    TRY_ASSIGN(Addr, R.scalar(D["ipv4"], "'ipv4'"));
    if (Addr == "dhcp") {
      N.DHCP = true;
    } else {
      auto [Host, Prefix] = llvm::StringRef(Addr).split('/');
      unsigned Bits;
      if (!parseIPv4(Host, N.IPv4) || Prefix.getAsInteger(10, Bits) || Bits > 32)
        return R.error(D["ipv4"], "malformed 'ipv4' '" + Addr +
                                      "'; write an address with prefix like "
                                      "10.0.2.15/24, or dhcp");
      N.Prefix = Bits;
    }
    if (D["gateway"]) {
      std::string Gateway;
      TRY_ASSIGN(Gateway, R.scalar(D["gateway"], "'gateway'"));
      if (N.DHCP)
        return R.error(D["gateway"], "'gateway' comes from DHCP when 'ipv4' is dhcp");
      if (!parseIPv4(Gateway, N.Gateway))
        return R.error(D["gateway"],
                       "malformed 'gateway' '" + Gateway + "'; write an address like 10.0.2.2");
    }
    if (D["dns"])
      if (auto E = netDNS(D["dns"], N))
        return E;
    if (D["mtu"])
      TRY_ASSIGN(N.MTU, integer(D["mtu"], "'mtu'", MinMTU, MaxMTU));
    if (D["mac"])
      if (auto E = netMAC(D["mac"], N))
        return E;
    M.Nets.push_back(N);
    return llvm::Error::success();
  }

  // The device's frames hold at most 1500 bytes of payload (no jumbo frames); below
  // 576 IPv4 no longer works.
  static constexpr unsigned MinMTU = 576, MaxMTU = 1500;

  /// dns: an address or a list of up to three (glibc asks no more).
  llvm::Error netDNS(const YAML::Node &V, NetDevice &N) {
    std::vector<std::pair<std::string, YAML::Node>> Items;
    if (V.IsSequence()) {
      if (V.size() == 0 || V.size() > UK_MANIFEST_NET_DNS)
        return R.error(V, "'dns' takes 1 to " + std::to_string(UK_MANIFEST_NET_DNS) +
                              " name server addresses, not " + std::to_string(V.size()));
      for (const auto &Item : V) {
        std::string S;
        TRY_ASSIGN(S, R.scalar(Item, "a 'dns' address"));
        Items.emplace_back(S, Item);
      }
    } else {
      std::string S;
      TRY_ASSIGN(S, R.scalar(V, "'dns'"));
      Items.emplace_back(S, V);
    }
    for (const auto &[Text, Node] : Items) {
      uint32_t Address;
      if (!parseIPv4(Text, Address) || !Address)
        return R.error(Node, "malformed 'dns' address '" + Text +
                                 "'; write an address like 10.0.2.3, or a list of up to " +
                                 std::to_string(UK_MANIFEST_NET_DNS));
      N.DNS.push_back(Address);
    }
    return llvm::Error::success();
  }

  /// mac: six hexadecimal bytes separated by ':', unicast and not all zero.
  llvm::Error netMAC(const YAML::Node &V, NetDevice &N) {
    std::string Text;
    TRY_ASSIGN(Text, R.scalar(V, "'mac'"));
    llvm::SmallVector<llvm::StringRef, 6> Parts;
    llvm::StringRef(Text).split(Parts, ':');
    bool Ok = Parts.size() == 6;
    for (size_t I = 0; Ok && I < 6; ++I) {
      unsigned Byte;
      Ok = Parts[I].size() == 2 && !Parts[I].getAsInteger(16, Byte);
      if (Ok)
        N.MAC[I] = uint8_t(Byte);
    }
    if (!Ok)
      return R.error(V, "malformed 'mac' '" + Text +
                            "'; write six hexadecimal bytes like 52:54:00:12:34:56");
    if (N.MAC[0] & 1)
      return R.error(V, "'mac' " + Text +
                            " is a multicast address; an interface needs a unicast one "
                            "(an even first byte, like 52:54:00:12:34:56)");
    if (N.MAC == std::array<uint8_t, 6>{})
      return R.error(V, "'mac' cannot be all zeros");
    return llvm::Error::success();
  }

  llvm::Error fs(const YAML::Node &V) {
    if (V.IsNull())
      return llvm::Error::success(); // `fs:` alone: /tmp, under an empty root
    if (auto E = R.checkKeys(V, "the settings of feature 'fs'", {"root", "workdir", "mounts"}))
      return E;
    if (V["root"])
      if (auto E = fsRoot(V["root"]))
        return E;
    if (V["mounts"])
      if (auto E = fsMounts(V["mounts"]))
        return E;
    if (V["workdir"])
      return fsWorkdir(V["workdir"]);
    return llvm::Error::success();
  }

  llvm::Error fsRoot(const YAML::Node &V) {
    std::string Root;
    TRY_ASSIGN(Root, R.scalar(V, "'root'"));
    llvm::SmallString<256> Full(llvm::sys::path::parent_path(R.file()));
    llvm::sys::path::append(Full, Root);
    if (llvm::sys::path::is_absolute(Root))
      Full = Root;
    if (!llvm::sys::fs::is_directory(Full))
      return R.error(V, "'root' folder '" + Root + "' does not exist");
    llvm::sys::fs::make_absolute(Full);
    llvm::sys::path::remove_dots(Full, /*remove_dot_dot=*/true);
    M.FSRoot = std::string(Full);
    M.FSRootLocation = R.at(V);
    return llvm::Error::success();
  }

  /// The folder the program starts in: an absolute path in the image's tree.
  llvm::Error fsWorkdir(const YAML::Node &V) {
    std::string Dir;
    TRY_ASSIGN(Dir, R.scalar(V, "'workdir'"));
    if (!llvm::StringRef(Dir).starts_with("/"))
      return R.error(V, "'workdir' must be an absolute path in the image, like /srv/app");
    for (const auto &Volume : M.Volumes) // a volume's folders are the host's
      if (Dir == Volume.Path || llvm::StringRef(Dir).starts_with(Volume.Path + "/")) {
        M.FSWorkdir = Dir;
        return llvm::Error::success();
      }
    if (!M.FSRoot.empty()) { // Without a root, only the kernel's folders exist.
      llvm::SmallString<256> Host(M.FSRoot);
      llvm::sys::path::append(Host, Dir);
      if (!llvm::sys::fs::is_directory(Host))
        return R.error(V, "'workdir' '" + Dir + "' is not a folder of 'root'");
    } else if (Dir != "/" && Dir != "/tmp") {
      return R.error(V, "'workdir' '" + Dir +
                            "' does not exist without a 'root' (only / and "
                            "/tmp do)");
    }
    M.FSWorkdir = Dir;
    return llvm::Error::success();
  }

  /// mounts: { /tmp: { tmpfs: SIZE }, /data: { volume: NAME, readonly: BOOL } }.
  llvm::Error fsMounts(const YAML::Node &V) {
    if (!V.IsMap())
      return R.error(V,
                     "'mounts' takes a map of guest paths, like { /data: { volume: data } }");
    for (const auto &Entry : V) {
      std::string Path;
      TRY_ASSIGN(Path, R.scalar(Entry.first, "a mount point"));
      if (std::string Why = mountPointProblem(Path); !Why.empty())
        return R.error(Entry.first, "cannot mount '" + Path + "': " + Why);
      const YAML::Node &Settings = Entry.second;
      std::string What = "the settings of mount '" + Path + "'";
      if (auto E = R.checkKeys(Settings, What, {"tmpfs", "volume", "readonly"}))
        return E;
      if (Settings["tmpfs"] && Path == "/tmp" && !Settings["volume"] && !Settings["readonly"]) {
        TRY_ASSIGN(M.FSTmpSize, size(Settings["tmpfs"], "'tmpfs'", 4096, Manifest::MaxMemory));
        continue;
      }
      if (Settings["tmpfs"])
        return R.error(Settings, Path == "/tmp"
                                     ? "mount '/tmp' is either 'tmpfs: SIZE' or a volume"
                                     : "only /tmp can be a tmpfs");
      if (!Settings["volume"])
        return R.error(Settings, "mount '" + Path +
                                     "' needs 'volume: NAME' (or, for /tmp, "
                                     "'tmpfs: SIZE')");
      Manifest::Volume Volume{Path, ""};
      TRY_ASSIGN(Volume.Name, R.scalar(Settings["volume"], "'volume'"));
      if (!isVolumeName(Volume.Name))
        return R.error(Settings["volume"], "volume name '" + Volume.Name +
                                               "' must be 1 to 31 letters, digits, '_', '-' "
                                               "or '.'");
      for (const auto &Other : M.Volumes)
        if (Other.Name == Volume.Name)
          return R.error(Settings["volume"], "volume '" + Volume.Name +
                                                 "' is already mounted at '" + Other.Path +
                                                 "'");
      if (Settings["readonly"]) {
        std::string Flag;
        TRY_ASSIGN(Flag, R.scalar(Settings["readonly"], "'readonly'"));
        if (Flag != "true" && Flag != "false")
          return R.error(Settings["readonly"], "'readonly' is true or false");
        Volume.ReadOnly = Flag == "true";
      }
      M.Volumes.push_back(Volume);
    }
    return llvm::Error::success();
  }
};

} // namespace

llvm::Expected<uint64_t> parseSize(llvm::StringRef Text) {
  llvm::StringRef Digits = Text.take_while(llvm::isDigit);
  llvm::StringRef Unit = Text.drop_front(Digits.size());
  uint64_t Value;
  if (Digits.empty() || Digits.size() > 12 || Digits.getAsInteger(10, Value))
    return makeError("malformed size '" + Text + "'");
  unsigned Shift = llvm::StringSwitch<unsigned>(Unit)
                       .Case("", 0)
                       .Case("Ki", 10)
                       .Case("Mi", 20)
                       .Case("Gi", 30)
                       .Default(~0u);
  if (Shift == ~0u)
    return makeError("malformed size '" + Text + "'");
  return Value << Shift;
}

llvm::Expected<Manifest> parseManifest(const std::string &Text, const std::string &Path,
                                       const Catalog &Cat) {
  // yaml-cpp reports some misuse by throwing; no input may crash the driver.
  try {
    return ManifestParser(Path, Cat).parse(Text);
  } catch (const YAML::Exception &E) {
    return makeError(
        SourceLocation{Path, unsigned(E.mark.line + 1), unsigned(E.mark.column + 1)},
        "invalid manifest: " + E.msg);
  }
}

llvm::json::Value toJSON(const Manifest &M, const std::vector<std::string> &Components) {
  llvm::json::Object Features;
  for (const auto &[Name, Where] : M.Features) {
    llvm::json::Object Settings;
    if (Name == "threads") {
      Settings["max"] = M.ThreadsMax;
      Settings["stack"] = M.ThreadStack;
    } else if (Name == "fs") {
      if (!M.FSRoot.empty())
        Settings["root"] = M.FSRoot;
      if (!M.FSWorkdir.empty())
        Settings["workdir"] = M.FSWorkdir;
      llvm::json::Object Mounts;
      if (M.FSTmpSize)
        Mounts["/tmp"] = llvm::json::Object{{"tmpfs", int64_t(M.FSTmpSize)}};
      for (const auto &V : M.Volumes)
        Mounts[V.Path] = llvm::json::Object{{"volume", V.Name}, {"readonly", V.ReadOnly}};
      if (!Mounts.empty())
        Settings["mounts"] = std::move(Mounts);
    }
    if (Name == "net" || Name == "block") {
      llvm::json::Array Devices;
      for (const auto &N : M.Nets) {
        if (Name != "net")
          break;
        auto Dotted = [](uint32_t A) {
          return std::to_string(A >> 24) + "." + std::to_string(A >> 16 & 255) + "." +
                 std::to_string(A >> 8 & 255) + "." + std::to_string(A & 255);
        };
        llvm::json::Object D{{"name", N.Name}};
        D["ipv4"] = N.DHCP ? "dhcp" : Dotted(N.IPv4) + "/" + std::to_string(N.Prefix);
        if (N.Gateway)
          D["gateway"] = Dotted(N.Gateway);
        if (!N.DNS.empty()) {
          llvm::json::Array DNS;
          for (uint32_t A : N.DNS)
            DNS.push_back(Dotted(A));
          D["dns"] = std::move(DNS);
        }
        if (N.MTU)
          D["mtu"] = N.MTU;
        if (N.MAC != std::array<uint8_t, 6>{})
          D["mac"] = llvm::formatv("{0:x-2}:{1:x-2}:{2:x-2}:{3:x-2}:{4:x-2}:{5:x-2}", N.MAC[0],
                                   N.MAC[1], N.MAC[2], N.MAC[3], N.MAC[4], N.MAC[5])
                         .str();
        Devices.push_back(std::move(D));
      }
      if (Name == "block")
        for (const auto &B : M.Blocks)
          Devices.push_back(llvm::json::Object{{"name", B}});
      Features[Name] = std::move(Devices);
      continue;
    }
    Features[Name] = std::move(Settings);
  }
  llvm::json::Array Env;
  llvm::json::Object EnvObject;
  for (const auto &[K, V] : M.Env)
    EnvObject[K] = V;
  llvm::json::Array Args;
  for (const auto &A : M.Args)
    Args.push_back(A);
  llvm::json::Array ComponentList;
  for (const auto &C : Components)
    ComponentList.push_back(C);
  return llvm::json::Object{{"name", M.Name},
                            {"target", M.Target},
                            {"memory", M.Memory},
                            {"args", std::move(Args)},
                            {"env", std::move(EnvObject)},
                            {"features", std::move(Features)},
                            {"components", std::move(ComponentList)}};
}

} // namespace ukcxx
