// Symbolizer: function names for addresses, from an image's ELF symbol table.
#pragma once

#include "ImageFile.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ukcxx {

class Symbolizer {
public:
  /// Reads the function symbols of Image (none if it was stripped).
  explicit Symbolizer(const ImageFile &Image);

  /// "name+0x1c" for the function containing Address (C++ names demangled), or "".
  std::string describe(uint64_t Address) const;

  /// Appends " <name+0xN>" to each "ukc++:   LABEL 0xADDR" line of a fault report.
  std::string annotate(const std::string &Line) const;

private:
  struct Function {
    uint64_t Address, Size;
    std::string Name;
  };
  std::vector<Function> Functions; // sorted by address
};

} // namespace ukcxx
