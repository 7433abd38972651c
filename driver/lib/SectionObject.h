// SectionObject: a tiny ELF64 relocatable object holding one allocated section, for
// what ukc++ adds to an image beside the program (the manifest note, the file tree).
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace ukcxx {

/// Writes an x86-64 object at Path whose one section, Name (of ELF type Type,
/// SHF_ALLOC, aligned to Align), holds Contents.
llvm::Error writeSectionObject(const std::string &Path, const std::string &Name, uint32_t Type,
                               uint64_t Align, llvm::ArrayRef<uint8_t> Contents);

} // namespace ukcxx
