// Catalog: the targets, features and runtime components found in a resource directory.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ukcxx {

/// A manifest feature (features.yaml): what it is, which program symbols need it,
/// and which components provide it.
struct FeatureInfo {
  std::string Name;
  std::string Summary;
  uint64_t Bit = 0;                    // uk_feature bit in the image's manifest
  bool Always = false;                 // part of every image; listing it is allowed
  std::vector<std::string> Components; // selected when the feature is on
  std::vector<std::string> Symbols;    // glob patterns of undefined symbols needing it
  std::string Snippet;                 // manifest lines that enable it
};

/// A target (targets/NAME.yaml): where an image runs and what it is built from.
struct TargetInfo {
  std::string Name;
  std::string Summary;
  uint32_t Id = 0;                      // uk_target value
  std::string LinkerScript;             // path; empty: an ordinary static executable
  std::vector<std::string> Components;  // always linked for this target
  std::vector<std::string> Features;    // features this target can provide
  std::vector<std::string> Hypervisors; // ukrun's choices, best first
};

/// A runtime component (components/NAME.yaml beside its object ukrt-NAME.o).
struct ComponentInfo {
  std::string Name;
  std::string Summary;
  std::string Object;                 // path of the prelinked object
  std::vector<std::string> Requires;  // capabilities or component names
  std::vector<std::string> Provides;  // capabilities, each provided by one component
  std::vector<std::string> Conflicts; // components that cannot be linked beside it
  std::vector<std::string> Targets;   // targets it supports; empty: all
  std::vector<std::string> Syscalls;  // Linux system calls it implements
};

class Catalog {
public:
  /// Loads every description under ResourceDir (targets/, components/, features.yaml).
  static llvm::Expected<Catalog> load(llvm::StringRef ResourceDir);

  const TargetInfo *target(llvm::StringRef Name) const;
  const FeatureInfo *feature(llvm::StringRef Name) const;
  const ComponentInfo *component(llvm::StringRef Name) const;

  std::vector<std::string> targetNames() const;
  std::vector<std::string> featureNames() const;

  const std::string &resourceDir() const { return ResourceDir; }
  const std::vector<TargetInfo> &targets() const { return Targets; }
  const std::vector<FeatureInfo> &features() const { return Features; }
  const std::vector<ComponentInfo> &components() const { return Components; }

private:
  static llvm::Expected<Catalog> loadUnchecked(llvm::StringRef ResourceDir);

  std::string ResourceDir;
  std::vector<TargetInfo> Targets;
  std::vector<FeatureInfo> Features;
  std::vector<ComponentInfo> Components;
};

} // namespace ukcxx
