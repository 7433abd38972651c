// Manifest: unikernel.yaml v1 as parsed and validated, before component resolution.
#pragma once

#include "Catalog.h"
#include "Diagnostic.h"

#include "llvm/Support/JSON.h"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ukcxx {

struct NetDevice {
  std::string Name;
  bool DHCP = false;
  uint32_t IPv4 = 0; // host byte order
  uint8_t Prefix = 0;
  uint32_t Gateway = 0;            // host byte order, 0 when absent
  std::vector<uint32_t> DNS;       // host byte order, at most UK_MANIFEST_NET_DNS
  uint16_t MTU = 0;                // 0: the device's
  std::array<uint8_t, 6> MAC = {}; // all 0: the hypervisor's
};

struct Manifest {
  static constexpr uint64_t DefaultMemory = 64ull << 20;
  static constexpr uint64_t MinMemory = 4ull << 20;
  static constexpr uint64_t MaxMemory = 64ull << 30;
  static constexpr unsigned DefaultThreadsMax = 256;
  static constexpr unsigned MaxThreads = 4096;
  static constexpr uint64_t DefaultThreadStack = 1ull << 20;

  std::string Path; // empty when no manifest file was used
  std::string Name;
  std::string Target;
  SourceLocation TargetLocation;
  uint64_t Memory = DefaultMemory;
  std::vector<std::string> Args;
  std::vector<std::pair<std::string, std::string>> Env;
  /// Enabled features and where the manifest enables each (no location: implied).
  std::map<std::string, SourceLocation> Features;
  unsigned ThreadsMax = DefaultThreadsMax;
  uint64_t ThreadStack = DefaultThreadStack;
  std::vector<NetDevice> Nets;
  std::vector<std::string> Blocks;
  std::string FSRoot; // absolute path
  SourceLocation FSRootLocation;
  std::string FSWorkdir;  // absolute guest path; empty: "/"
  uint64_t FSTmpSize = 0; // bytes; 0: half of memory
  /// A host folder the run binds (ukrun --volume NAME=HOST), mounted at Path.
  struct Volume {
    std::string Path, Name;
    bool ReadOnly = false;
  };
  std::vector<Volume> Volumes;

  bool has(llvm::StringRef Feature) const { return Features.count(Feature.str()); }
};

/// Parses manifest Text read from Path, validating every field against Cat.
/// The first mistake is returned as a located error.
llvm::Expected<Manifest> parseManifest(const std::string &Text, const std::string &Path,
                                       const Catalog &Cat);

/// Parses a size such as "64Mi", "512Ki", "1Gi" or a plain number of bytes.
llvm::Expected<uint64_t> parseSize(llvm::StringRef Text);

/// The manifest as JSON (what --print-manifest shows).
llvm::json::Value toJSON(const Manifest &M, const std::vector<std::string> &Components);

} // namespace ukcxx
