// GuestMemory: the page-table walk behind console transfers, checked at every step.
#include "GuestMemory.h"

namespace ukcxx {
namespace {

constexpr uint64_t Present = 1, Writable = 2, Large = 128;
constexpr uint64_t AddressMask = 0x000ffffffffff000ull;

} // namespace

bool GuestMemory::translate(uint64_t Cr3, uint64_t Virt, uint64_t Len, bool Write,
                            std::vector<iovec> &Out) const {
  Out.clear();
  // Canonical addresses only (the kernel's own buffers are in the upper half), and
  // no range crossing the non-canonical hole or wrapping around.
  auto Canonical = [](uint64_t V) {
    return (int64_t(V) >> 47) == 0 || (int64_t(V) >> 47) == -1;
  };
  if (!Len)
    return true;
  if (!Canonical(Virt) || Virt + Len < Virt || !Canonical(Virt + Len - 1) ||
      (int64_t(Virt) >> 47) != (int64_t(Virt + Len - 1) >> 47))
    return false;
  while (Len) {
    uint64_t Table = Cr3 & AddressMask;
    uint64_t PageSize = 0, Frame = 0;
    for (int Level = 4; Level >= 1; --Level) {
      unsigned Shift = 12 + 9 * (Level - 1);
      uint64_t Entry;
      if (!read(Table + ((Virt >> Shift) & 511) * 8, Entry))
        return false;
      if (!(Entry & Present) || (Write && !(Entry & Writable)))
        return false;
      if (Level == 1 || (Level <= 3 && (Entry & Large))) {
        PageSize = 1ull << Shift;
        Frame = Entry & AddressMask & ~(PageSize - 1);
        break;
      }
      Table = Entry & AddressMask;
    }
    uint64_t Offset = Virt & (PageSize - 1);
    uint64_t Chunk = PageSize - Offset < Len ? PageSize - Offset : Len;
    uint8_t *Host = at(Frame + Offset, Chunk);
    if (!Host)
      return false;
    if (!Out.empty() &&
        static_cast<uint8_t *>(Out.back().iov_base) + Out.back().iov_len == Host)
      Out.back().iov_len += Chunk;
    else
      Out.push_back({Host, Chunk});
    Virt += Chunk;
    Len -= Chunk;
  }
  return true;
}

} // namespace ukcxx
