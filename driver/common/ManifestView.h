// ManifestView: checked read access to a binary manifest (uk/abi/manifest.h).
#pragma once

#include "uk/abi/manifest.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ukcxx {

/// A decoded copy of an image's manifest note. decode() validates every offset,
/// count and string against the note's size, so nothing here can point outside it.
struct ManifestView {
  struct Net {
    std::string Name;
    uint32_t IPv4 = 0; // network byte order
    uint32_t Gateway = 0;
    uint8_t Prefix = 0;
    bool DHCP = false;
    std::vector<uint32_t> DNS; // network byte order, the entries that are set
    uint16_t MTU = 0;
    std::array<uint8_t, 6> MAC = {}; // all 0: the hypervisor's
  };

  uint32_t Target = 0;
  uint64_t Memory = 0;
  uint64_t Features = 0;
  uint32_t ThreadsMax = 0;
  uint64_t ThreadStack = 0;
  std::string Name;
  std::vector<std::string> Args;
  std::vector<std::string> Env;
  std::vector<Net> Nets;
  std::vector<std::string> Blocks;
  std::string FSRoot;
  std::string FSWorkdir;
  uint64_t FSTmpSize = 0;
  struct Volume {
    std::string Name, Path;
    bool ReadOnly = false;
  };
  std::vector<Volume> Volumes;
  std::vector<std::string> Components;

  /// Decodes and validates Bytes; throws Error naming the first defect.
  static ManifestView decode(std::span<const uint8_t> Bytes);
};

/// Names of targets and features as written in manifests, indexed by ABI value.
std::string_view targetName(uint32_t Target);
std::string_view featureName(uint64_t Bit);

} // namespace ukcxx
