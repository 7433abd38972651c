// HypercallFuzzer: random guest memory and random hypercalls must never make the
// handlers touch memory outside the guest, crash, or hang; at worst they fault. The
// volume calls reach a read-only volume (its messages have a fuzzer of their own).
#include "Hypercalls.h"
#include "VolumeSet.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <vector>

using namespace ukcxx;

namespace {

/// Counts the bytes it would write instead of writing them.
class NullConsole : public Console {
public:
  ssize_t write(int, const iovec *Buffers, int Count) override {
    ssize_t N = 0;
    for (int I = 0; I < Count; ++I) {
      // Touch every byte, so that AddressSanitizer sees any bad buffer.
      const volatile uint8_t *P = static_cast<const uint8_t *>(Buffers[I].iov_base);
      for (size_t J = 0; J < Buffers[I].iov_len; J += 512)
        (void)P[J];
      N += ssize_t(Buffers[I].iov_len);
    }
    return N;
  }
  ssize_t read(const iovec *Buffers, int Count) override {
    return Count ? (std::memset(Buffers[0].iov_base, 'x', Buffers[0].iov_len),
                    ssize_t(Buffers[0].iov_len))
                 : 0;
  }
};

std::string Folder;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  char Template[] = "/tmp/ukvolume-hcfuzz-XXXXXX";
  if (!mkdtemp(Template))
    abort();
  Folder = Template;
  std::filesystem::create_directories(Folder + "/d");
  std::ofstream(Folder + "/f") << "hello";
  atexit([] { std::filesystem::remove_all(Folder); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size < 6)
    return 0;
  uint16_t Port;
  uint32_t Value;
  std::memcpy(&Port, Data, 2);
  std::memcpy(&Value, Data + 2, 4);
  // Mostly real hypercall ports, sometimes anything.
  if (Port & 0x8000)
    Port = 0x500 + (Port & 31);
  // Guest memory: the input, padded to 64 KiB so that page walks have room.
  std::vector<uint8_t> Ram(64 * 1024);
  std::memcpy(Ram.data(), Data + 6, std::min(Size - 6, Ram.size()));
  GuestMemory Memory(Ram.data(), Ram.size());
  NullConsole Out;
  // A server per input, so that no state carries from one input to the next.
  VolumeSet Volumes({{Folder, "/data", true}});
  handleHypercall(Port, Value % (Ram.size() + 64), Memory, Out, &Volumes);
  return 0;
}
