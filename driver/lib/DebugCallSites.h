// DebugCallSites: where an object compiled with -g refers to given symbols, from its
// relocations and DWARF line tables.
#pragma once

#include "CallSites.h"

#include <optional>
#include <set>

namespace ukcxx {

/// For each of Symbols, the source lines of the relocatable object at Path (or, given
/// Member, of the archive member starting at that offset in the archive at Path) whose code
/// refers to it: the relocation against the symbol gives the code's offset, the line
/// table its line. Code from a system header (an instantiated template, an inline
/// function) is followed up, through the relocations against its function, to the
/// program's lines that call it. Empty when the object has no line tables; symbols
/// without a line are left out.
llvm::Expected<std::vector<CallSite>> findDebugCallSites(llvm::StringRef Path,
                                                         std::optional<uint64_t> Member,
                                                         const std::set<std::string> &Symbols);

/// The name of Symbol as the source writes it: "std::thread::_M_start_thread" for
/// a mangled C++ name, the symbol itself otherwise.
std::string sourceName(llvm::StringRef Symbol);

} // namespace ukcxx
