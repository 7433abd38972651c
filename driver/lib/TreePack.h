// TreePack: the image's own file tree (manifest `fs: { root }`), packed at link time
// into the format of runtime/include/uk/abi/tree.h, and listed back (--list-files).
#pragma once

#include "Diagnostic.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ukcxx {

/// Packs the folder Root: regular files, folders and symlinks, deterministically.
/// Anything else (a FIFO, a device, a socket) and symlinks that lead out of Root are
/// errors located at Where (the manifest's 'root' line).
llvm::Expected<std::vector<uint8_t>> packTree(const std::string &Root,
                                              const SourceLocation &Where);

/// Checks a packed tree as the kernel will: every offset and index in bounds.
llvm::Error validateTree(llvm::ArrayRef<uint8_t> Blob);

/// Prints one line per packed path: type and permissions, size, path (and a symlink's
/// target), in the tree's order.
void listTree(llvm::ArrayRef<uint8_t> Blob, llvm::raw_ostream &OS);

/// Lists the tree packed into Image (ukc++ --list-files IMAGE).
int listImageFiles(const std::string &Tool, const std::string &Image);

} // namespace ukcxx
