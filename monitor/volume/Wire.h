// Wire: bounded decoding of 9P requests and encoding of replies. A field that does not
// fit marks the message bad instead of reading or writing past its end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ukcxx::p9 {

struct Qid {
  uint8_t Type = 0;
  uint32_t Version = 0;
  uint64_t Path = 0;
};

/// Reads a request body field by field. Each field is read exactly once, so a guest
/// changing its memory meanwhile changes nothing already decided.
class Decoder {
public:
  Decoder(const uint8_t *Data, size_t Size) : Data(Data), Size(Size) {}

  uint8_t u8() { return uint8_t(take(1)); }
  uint16_t u16() { return uint16_t(take(2)); }
  uint32_t u32() { return uint32_t(take(4)); }
  uint64_t u64() { return take(8); }
  /// A string, length[2] bytes[length], copied: a reply written over the request
  /// leaves it intact.
  std::string str();
  /// The next N bytes in place (Twrite's data), or null if fewer are left.
  const uint8_t *bytes(size_t N);

  size_t left() const { return Ok ? Size - Pos : 0; }
  /// Every field fitted and nothing is left over.
  bool complete() const { return Ok && Pos == Size; }

private:
  uint64_t take(unsigned N);

  const uint8_t *Data;
  size_t Size, Pos = 0;
  bool Ok = true;
};

/// Writes a reply into a buffer of fixed capacity; what does not fit is not written
/// and marks the reply as overflowing.
class Encoder {
public:
  Encoder(uint8_t *Data, size_t Capacity) : Data(Data), Capacity(Capacity) {}

  void u8(uint8_t V) { put(V, 1); }
  void u16(uint16_t V) { put(V, 2); }
  void u32(uint32_t V) { put(V, 4); }
  void u64(uint64_t V) { put(V, 8); }
  void str(std::string_view S);
  void qid(const Qid &Q);
  /// Room for N bytes the caller fills, or null if they do not fit.
  uint8_t *reserve(size_t N);
  /// Overwrites N bytes at At, already reserved (a count known only at the end).
  void patch(size_t At, uint64_t V, unsigned N);
  /// Gives back what was reserved beyond Size (a read that returned less).
  void truncate(size_t Size) {
    if (Size < Pos)
      Pos = Size;
  }

  size_t size() const { return Pos; }
  size_t room() const { return Capacity - Pos; }
  bool overflowed() const { return Overflow; }
  /// Starts again from nothing.
  void reset() {
    Pos = 0;
    Overflow = false;
  }

private:
  void put(uint64_t V, unsigned N);

  uint8_t *Data;
  size_t Capacity, Pos = 0;
  bool Overflow = false;
};

} // namespace ukcxx::p9
