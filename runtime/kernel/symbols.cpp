// symbols.cpp: binary search of the image's symbol table (.uk.symbols).
#include "uk/symbols.h"

extern "C" const char __uk_symbols_start[], __uk_symbols_end[];

namespace uk {

const char *symbolize(uint64_t address, uint64_t *offset) {
  uint64_t bytes = __uk_symbols_end - __uk_symbols_start;
  if (bytes < 8)
    return nullptr;
  uint64_t count;
  memcpy(&count, __uk_symbols_start, 8);
  if (count > (bytes - 8) / sizeof(SymbolEntry))
    return nullptr;
  auto *entries = reinterpret_cast<const SymbolEntry *>(__uk_symbols_start + 8);
  uint64_t lo = 0, hi = count;
  while (lo < hi) {
    uint64_t mid = (lo + hi) / 2;
    if (entries[mid].address <= address)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0)
    return nullptr;
  const SymbolEntry &e = entries[lo - 1];
  if (address - e.address >= (e.size ? e.size : 1) || e.name >= bytes)
    return nullptr;
  *offset = address - e.address;
  return __uk_symbols_start + e.name;
}

} // namespace uk
