// VirtioNetFuzzer: random rings in guest memory and random register writes must never
// make the network device read or write outside the guest, crash or hang; at worst it
// marks itself broken. Guest memory is exactly the vector's size, so AddressSanitizer
// sees any access beyond it.
#include "VirtioNet.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

using namespace ukcxx;

namespace {

constexpr uint64_t MemorySize = 0x8000;

/// Sets the device up as the guest driver does, with the queues at fixed addresses
/// whose contents the input then fills; sizes and a few registers come from Control.
void setUp(VirtioNet &D, const uint8_t *Control) {
  D.write(0x070, 1 | 2, 4);
  D.write(0x024, 1, 4);
  D.write(0x020, 1, 4); // VERSION_1
  D.write(0x024, 0, 4);
  // MAC, and from Control: CSUM, GUEST_CSUM, EVENT_IDX.
  D.write(0x020, 1u << 5 | (Control[0] & 3) | (Control[0] & 4 ? 1u << 29 : 0), 4);
  D.write(0x070, 1 | 2 | 8, 4);
  for (uint32_t Q = 0; Q < 2; ++Q) {
    uint64_t Base = Q * 0x3000;
    D.write(0x030, Q, 4);
    D.write(0x038, Control[1 + Q] + (Control[3] & 1 ? 0 : 1), 4); // sometimes not 2^n
    D.write(0x080, uint32_t(Base), 4);
    D.write(0x090, uint32_t(Base + 0x1000), 4);
    D.write(0x0a0, uint32_t(Base + 0x2000 + (Control[3] & 2 ? 0x7ff0 : 0)), 4);
    D.write(0x044, 1, 4);
  }
  D.write(0x070, 1 | 2 | 4 | 8, 4);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size < 8)
    return 0;
  std::vector<uint8_t> Ram(MemorySize);
  GuestMemory Memory(Ram.data(), Ram.size());
  unsigned Interrupts = 0;
  VirtioNet D(Memory, {0x52, 0x54, 0, 0x12, 0x34, 0x56}, [&] { ++Interrupts; });
  setUp(D, Data);
  // The rest of the input is guest memory: descriptors, avail rings, buffers.
  std::memcpy(Ram.data(), Data + 8, std::min<size_t>(Size - 8, MemorySize));
  std::deque<Frame> Backlog;
  // Frames from the host: filler, or the input's own bytes, where IPv4 headers with
  // any lengths and sums the device checks for GUEST_CSUM can lie.
  for (unsigned I = 0; I < Data[4] % 8; ++I)
    if (I % 2)
      Backlog.emplace_back(Data + 8, Data + 8 + std::min<size_t>(Size - 8, Data[5] * 7 + I));
    else
      Backlog.emplace_back(size_t(Data[5]) * 7 + I, uint8_t(I));
  for (int Round = 0; Round < 3; ++Round) {
    std::vector<Frame> Sent;
    D.transmit(Sent);
    for (const Frame &F : Sent)
      if (F.size() > Virtqueue::MaxChainBytes)
        abort();
    D.receive(Backlog);
    // A register poke between rounds, as a guest racing its own driver would.
    D.write(0x030, Data[6] & 3, 4);
    D.write(0x000 + (Data[7] & 0xfc), Data[Round % 8], 4);
    (void)D.read(Data[7] & 0xfc, 4);
  }
  (void)D.transmitPending();
  return 0;
}
