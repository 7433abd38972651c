// CallSites: where a program's source refers to given symbols, found by parsing it
// with clang (libTooling) exactly as its compile job did.
#pragma once

#include "Diagnostic.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>
#include <vector>

namespace ukcxx {

/// A place in the program that makes its object refer to Symbol.
struct CallSite {
  std::string Symbol;      // the linker's name: "socket", "_ZNSt6thread15_M_start..."
  std::string Name;        // the source's name: "socket", "std::thread::_M_start_thread"
  SourceLocation Location; // the first place outside system headers that leads to it
  /// When Location is not in the main file (a header of the program): the main file's
  /// place that leads there, and the function it calls to get there.
  SourceLocation MainFile;
  std::string Through;
};

/// What the code a source compiles to refers to.
struct SourceReferences {
  std::vector<CallSite> Sites;       // the wanted symbols' places, sorted
  std::vector<std::string> External; // every function it needs from elsewhere, sorted
};

/// How a source is parsed: again after its compile (which consumed standard input and
/// printed every diagnostic already), or for the first time (diagnostics are printed,
/// and an error in the source is an error here).
enum class ParseMode { Reparse, FirstParse };

/// Parses the source of a compile job, given its arguments after "-cc1", for syntax
/// only (no output, no dependency file), and returns each place where
/// code the compile emits refers to a function the source declares without defining
/// whose symbol Wanted accepts. A reference from a system header (an instantiated
/// template, an inline function) is reported where the program's own code reaches
/// it. Sorted by position, without duplicates; an unparsable source is an error.
/// External lists every such function's symbol, wanted or not (what the object will
/// leave undefined, for pulling in archive members).
llvm::Expected<SourceReferences>
findCallSites(llvm::ArrayRef<const char *> Cc1Args, ParseMode Mode,
              llvm::function_ref<bool(llvm::StringRef Symbol)> Wanted);

/// Sorts Sites by file, line, column and symbol and drops repeated ones.
void sortCallSites(std::vector<CallSite> &Sites);

} // namespace ukcxx
