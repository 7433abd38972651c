// GuestMemory: the guest's RAM as the monitor sees it. Every guest address the monitor
// touches goes through at(), the one checked helper.
#pragma once

#include <cstdint>
#include <cstring>
#include <sys/uio.h>
#include <vector>

namespace ukcxx {

class GuestMemory {
public:
  GuestMemory(uint8_t *Base, uint64_t Size) : Base(Base), Size(Size) {}

  /// A host pointer to [Gpa, Gpa+Len) if it lies wholly in guest memory, else null.
  uint8_t *at(uint64_t Gpa, uint64_t Len) const {
    if (Gpa > Size || Len > Size - Gpa)
      return nullptr;
    return Base + Gpa;
  }

  /// Copies a T from guest memory; false if it is not wholly inside.
  template <typename T> bool read(uint64_t Gpa, T &Out) const {
    const uint8_t *P = at(Gpa, sizeof(T));
    if (P)
      std::memcpy(&Out, P, sizeof(T));
    return P != nullptr;
  }

  template <typename T> bool write(uint64_t Gpa, const T &In) const {
    uint8_t *P = at(Gpa, sizeof(T));
    if (P)
      std::memcpy(P, &In, sizeof(T));
    return P != nullptr;
  }

  /// Translates the guest-virtual range [Virt, Virt+Len) through the 4-level page
  /// tables rooted at Cr3 into host buffers, merging adjacent ones. Every page must be
  /// present (and writable if Write) and every table and frame inside guest memory;
  /// whether a page is the program's is the guest kernel's business. False on any
  /// violation.
  bool translate(uint64_t Cr3, uint64_t Virt, uint64_t Len, bool Write,
                 std::vector<iovec> &Out) const;

  uint64_t size() const { return Size; }
  uint8_t *base() const { return Base; }

private:
  uint8_t *Base;
  uint64_t Size;
};

} // namespace ukcxx
