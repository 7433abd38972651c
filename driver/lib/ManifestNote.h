// ManifestNote: the resolved manifest in its binary ABI form, and as an ELF object.
#pragma once

#include "Catalog.h"
#include "Manifest.h"
#include "ManifestView.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ukcxx {

/// Encodes M (features already resolved) for target T as uk/abi/manifest.h describes.
std::vector<uint8_t> encodeManifest(const Manifest &M, const TargetInfo &T, const Catalog &Cat,
                                    const std::vector<std::string> &Components);

/// Rebuilds a Manifest from an image's decoded note (for --print-manifest).
Manifest manifestFromView(const ManifestView &View);

/// Writes an ELF64 relocatable object at Path whose one section, .note.ukcpp
/// (SHT_NOTE, allocated), holds Desc as note "ukc++" of type UK_NOTE_MANIFEST.
llvm::Error writeNoteObject(const std::string &Path, const std::vector<uint8_t> &Desc);

} // namespace ukcxx
