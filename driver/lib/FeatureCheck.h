// FeatureCheck: which manifest features a program needs, from its undefined symbols.
#pragma once

#include "Catalog.h"

#include <string>
#include <vector>

namespace ukcxx {

/// An object file or archive of the program, as the linker will see it.
struct ProgramInput {
  std::string Path;
  std::string DisplayName; // what messages call it: "main.cpp", "libfoo.a"
};

/// One reason a feature is needed: User refers to Symbol, which needs Feature.
struct FeatureUse {
  std::string Feature;
  std::string Symbol;
  std::string User;       // "main.o" or "libfoo.a(net.o)"
  bool InArchive = false; // User is an archive member: a library's, maybe never called
};

/// Reads Inputs (ELF objects, LLVM bitcode, archives) and returns, for each feature of
/// Cat whose symbols the program refers to without defining, the first use in input
/// order (the program's own objects before archive members). Archive members count
/// only if a linker would pull them in. Unreadable inputs are errors.
llvm::Expected<std::vector<FeatureUse>>
findFeatureUses(const Catalog &Cat, const std::vector<ProgramInput> &Inputs);

} // namespace ukcxx
