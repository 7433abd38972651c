// Driver: ukc++ and ukcc, clang's driver plus manifest, components and image link.
#pragma once

#include "llvm/ADT/ArrayRef.h"

#include <string>
#include <vector>

namespace ukcxx {

/// ukc++'s own options, taken out of the command line before clang parses the rest.
struct DriverOptions {
  std::string Manifest;   // --manifest=PATH
  std::string Target;     // --target=NAME when NAME is a ukc++ target
  std::string RuntimeDir; // --runtime-dir=DIR (default: <bin>/../lib/ukc++)
  bool PrintManifest = false;
  bool PrintComponents = false;
  bool PrintFeatures = false; // --print-features: what the inputs need, as JSON
  bool Init = false;          // --init: write a first manifest from the same analysis
  bool ListFiles = false; // --list-files IMAGE
  bool Help = false;
  bool Version = false;
};

/// Runs ukc++ (CPlusPlus) or ukcc on Args (Args[0] is the program name) and returns
/// the process exit status.
int runDriver(llvm::ArrayRef<const char *> Args, bool CPlusPlus);

} // namespace ukcxx
