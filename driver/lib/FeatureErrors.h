// FeatureErrors: the feature check's error, at each place in the program that needs
// a feature the manifest does not enable.
#pragma once

#include "Catalog.h"
#include "FeatureCheck.h"

#include "clang/Driver/Compilation.h"

#include <map>
#include <string>
#include <vector>

namespace ukcxx {

/// For each object compiled in this run, the arguments after "-cc1" of the job that
/// read its source.
using CompileJobs = std::map<std::string, std::vector<const char *>>;

/// The objects C compiles, each with the arguments of the clang job that reads its
/// source: the compile job itself, or with -save-temps the first of the chain that
/// ends in the assembler (-E, then -emit-llvm-bc, -S, -cc1as).
CompileJobs compileJobs(const clang::driver::Compilation &C);

/// The error for Missing, the uses of features that ManifestName does not enable. Each
/// use is an error at its source line: found by parsing the source again when Jobs
/// compiled the object, else from the object's DWARF line tables, else the error
/// names the object and the symbol. A note with the manifest lines to add follows the
/// last, and another when Target does not provide them (naming a target that does).
/// Only this failing path pays for the parsing.
llvm::Error missingFeatureError(const std::vector<FeatureUse> &Missing, const CompileJobs &Jobs,
                                const Catalog &Cat, const TargetInfo &Target,
                                llvm::StringRef ManifestName);

} // namespace ukcxx
