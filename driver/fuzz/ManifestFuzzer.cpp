// ManifestFuzzer: any bytes as unikernel.yaml must give a manifest or one located
// error, never a crash (the manifest is untrusted input).
#include "Catalog.h"
#include "Manifest.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static ukcxx::Catalog Cat = [] {
    auto C = ukcxx::Catalog::load(UK_FUZZ_RUNTIME);
    if (!C)
      __builtin_trap();
    return std::move(*C);
  }();
  std::string Text(reinterpret_cast<const char *>(Data), Size);
  auto M = ukcxx::parseManifest(Text, "fuzz.yaml", Cat);
  if (!M)
    llvm::consumeError(M.takeError());
  return 0;
}
