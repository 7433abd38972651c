// Symbolizer: function names for addresses, from an image's ELF symbol table.
#pragma once

#include "ImageFile.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ukcxx {

class Symbolizer {
public:
  /// Names functions of Image (none if it was stripped). The symbol table is read
  /// when first needed: most runs have nothing to annotate.
  explicit Symbolizer(const ImageFile &Image) : Image(Image) {}

  /// "name+0x1c" for the function containing Address (C++ names demangled), or "".
  std::string describe(uint64_t Address) const;

  /// Appends " <name+0xN>" to each "ukc++:   LABEL 0xADDR" line of a fault report.
  std::string annotate(const std::string &Line) const;

private:
  struct Function {
    uint64_t Address, Size;
    std::string Name;
  };
  const ImageFile &Image;
  mutable bool Loaded = false;
  mutable std::vector<Function> Functions; // sorted by address

  void load() const;
};

} // namespace ukcxx
