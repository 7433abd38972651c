// YAMLUtil: typed, located access to yaml-cpp nodes for manifests and descriptors.
#pragma once

#include "Diagnostic.h"

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace ukcxx {

/// Reads YAML files and turns each type or key mistake into a located error.
class YAMLReader {
public:
  explicit YAMLReader(std::string File) : File(std::move(File)) {}

  /// Parses Text; a syntax error becomes a located error.
  llvm::Expected<YAML::Node> parse(const std::string &Text) const;

  SourceLocation at(const YAML::Node &Node) const;
  llvm::Error error(const YAML::Node &Node, const llvm::Twine &Message,
                    std::vector<std::string> Notes = {}) const;

  /// Checks that Node is a map whose keys are all among Keys and appear once.
  llvm::Error checkKeys(const YAML::Node &Node, llvm::StringRef What,
                        const std::vector<std::string> &Keys) const;
  llvm::Expected<std::string> scalar(const YAML::Node &Node, llvm::StringRef What) const;
  llvm::Expected<std::vector<std::string>> scalars(const YAML::Node &Node,
                                                   llvm::StringRef What) const;

  const std::string &file() const { return File; }

private:
  std::string File;
};

/// Reads a whole file; a missing or unreadable file is an error naming it.
llvm::Expected<std::string> readTextFile(llvm::StringRef Path);

} // namespace ukcxx
