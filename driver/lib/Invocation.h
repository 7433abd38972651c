// Invocation: one run of ukc++/ukcc, and what every part of the driver needs from it.
#pragma once

#include "Catalog.h"
#include "Driver.h"
#include "Manifest.h"

#include "clang/Driver/Compilation.h"
#include "clang/Driver/Driver.h"

#include <string>
#include <vector>

namespace ukcxx {

constexpr const char *DefaultTarget = "x86_64";

/// The command line, split into ukc++'s own options and clang's.
struct Invocation {
  const char *Tool; // "ukc++" or "ukcc"
  bool CPlusPlus;
  std::string Self; // path of this executable
  DriverOptions Opts;
  std::vector<std::string> ClangArgs; // everything that is not ukc++'s own
};

/// <bin>/../lib/ukc++ for the executable at Self.
std::string defaultRuntimeDir(const std::string &Self);

/// The runtime directory's descriptions (--runtime-dir or the default).
llvm::Expected<Catalog> loadCatalog(const Invocation &Inv);

/// Reads the manifest (--manifest, ./unikernel.yaml, or defaults), applies --target,
/// and adds the features every image has.
llvm::Expected<Manifest> loadManifest(const Invocation &Inv, const Catalog &Cat);

/// The argv clang's driver sees: its program path, the driver mode, our extras.
std::vector<const char *> clangArgv(const Invocation &Inv,
                                    const std::vector<std::string> &Extra);

/// Runs the jobs of C the way clang's own main() does and returns its exit status.
int executeAll(clang::driver::Driver &D, clang::driver::Compilation &C);

} // namespace ukcxx
