// Wire: little-endian fields, bounds checked at every step.
#include "Wire.h"

#include <cstring>

namespace ukcxx::p9 {

uint64_t Decoder::take(unsigned N) {
  if (!Ok || Size - Pos < N) {
    Ok = false;
    return 0;
  }
  uint64_t V = 0;
  for (unsigned I = 0; I < N; ++I)
    V |= uint64_t(Data[Pos + I]) << (8 * I);
  Pos += N;
  return V;
}

std::string Decoder::str() {
  uint16_t Len = u16();
  const uint8_t *P = bytes(Len);
  return P ? std::string(reinterpret_cast<const char *>(P), Len) : std::string();
}

const uint8_t *Decoder::bytes(size_t N) {
  if (!Ok || Size - Pos < N) {
    Ok = false;
    return nullptr;
  }
  const uint8_t *P = Data + Pos;
  Pos += N;
  return P;
}

void Encoder::put(uint64_t V, unsigned N) {
  if (uint8_t *P = reserve(N))
    for (unsigned I = 0; I < N; ++I)
      P[I] = uint8_t(V >> (8 * I));
}

void Encoder::str(std::string_view S) {
  if (S.size() > 0xffff) {
    Overflow = true;
    return;
  }
  u16(uint16_t(S.size()));
  if (uint8_t *P = reserve(S.size()))
    std::memcpy(P, S.data(), S.size());
}

void Encoder::qid(const Qid &Q) {
  u8(Q.Type);
  u32(Q.Version);
  u64(Q.Path);
}

uint8_t *Encoder::reserve(size_t N) {
  if (Overflow || Capacity - Pos < N) {
    Overflow = true;
    return nullptr;
  }
  uint8_t *P = Data + Pos;
  Pos += N;
  return P;
}

void Encoder::patch(size_t At, uint64_t V, unsigned N) {
  if (At <= Pos && Pos - At >= N)
    for (unsigned I = 0; I < N; ++I)
      Data[At + I] = uint8_t(V >> (8 * I));
}

} // namespace ukcxx::p9
