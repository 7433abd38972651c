// manifest.h: the kernel's view of the image's manifest note (uk/abi/manifest.h).
#pragma once

#include "uk/abi/manifest.h"
#include "uk/base.h"

namespace uk {

/// Finds and checks the manifest note; panics if the image has none or it is corrupt.
void manifest_init();

/// An aligned copy of the manifest header.
const uk_manifest &manifest();

/// The string at Offset in the manifest ("" if the offset is bad).
const char *manifest_string(uint32_t offset);

/// The Nth value of kernel option "uk.KEY=VALUE" on the boot command line (before
/// "--"), or null: how ukrun tells the kernel what only the run knows (volumes, the
/// working folder).
const char *boot_option(const char *key, int nth = 0);

/// Copies Size bytes at Offset of the manifest to Out; false if they are not all in it.
bool manifest_copy(uint32_t offset, void *out, size_t size);

/// Element I of a uint32_t string-offset array at Offset, as a string.
const char *manifest_string_at(uint32_t array_offset, uint32_t i);

} // namespace uk
