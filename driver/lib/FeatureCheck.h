// FeatureCheck: which manifest features a program needs, from its undefined symbols.
#pragma once

#include "Catalog.h"

#include "llvm/Support/GlobPattern.h"

#include <set>
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
  std::string User;          // "main.o" or "libfoo.a(net.o)"
  bool InArchive = false;    // User is an archive member: a library's, maybe never called
  std::string Path;          // the object file, or the archive holding the member
  uint64_t MemberOffset = 0; // for a member: where it starts in the archive
};

/// The symbol patterns of features.yaml, compiled once.
class FeatureMatcher {
public:
  /// Fails on a pattern of Cat that is not a valid glob.
  static llvm::Expected<FeatureMatcher> create(const Catalog &Cat);

  /// The feature a program needs when it refers to Symbol without defining it, or null.
  const FeatureInfo *match(llvm::StringRef Symbol) const;

private:
  std::vector<std::pair<const FeatureInfo *, llvm::GlobPattern>> Patterns;
};

/// True when target T provides every one of Features.
bool providesAll(const TargetInfo &T, const std::set<std::string> &Features);

/// The first target of Cat that builds images (it has a linker script) and provides
/// every one of Features, or null.
const TargetInfo *imageTargetProviding(const Catalog &Cat,
                                       const std::set<std::string> &Features);

/// Reads Inputs (ELF objects, LLVM bitcode, archives) and returns every use of a
/// feature of Cat: each symbol an object refers to that no input defines, once per
/// object, in input order (the program's own objects before archive members). Archive
/// members count only if a linker would pull them in. Unreadable inputs are errors.
/// SourceReferences are symbols that sources not compiled yet will leave undefined:
/// they pull in archive members as an object's would, but are no uses themselves.
llvm::Expected<std::vector<FeatureUse>>
findFeatureUses(const Catalog &Cat, const std::vector<ProgramInput> &Inputs,
                llvm::ArrayRef<std::string> SourceReferences = {});

} // namespace ukcxx
