// symbols.h: function names of the image, for fault reports.
#pragma once

#include "uk/base.h"

namespace uk {

/// The layout of the .uk.symbols section the driver adds to an image: a count, the
/// entries sorted by address, then the NUL-terminated names.
struct SymbolEntry {
  uint64_t address;
  uint32_t size;
  uint32_t name; // byte offset from the start of the section
};

/// The name of the function containing Address and the offset into it, or null when
/// the image has no symbols (linked with -s) or none matches.
const char *symbolize(uint64_t address, uint64_t *offset);

} // namespace uk
