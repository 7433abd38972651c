// string.cpp: the memory and string functions the compiler may call. Renamed to
// uk_memcpy & co when the component is prelinked, so they never meet libc's.
#include "uk/base.h"

extern "C" {

// Quadword string instructions: where ring-0 code is emulated one iteration at a
// time (software-virtualized KVM), eight times fewer iterations.
void *memcpy(void *dst, const void *src, size_t n) {
  void *d = dst;
  size_t q = n / 8, r = n % 8;
  asm volatile("rep movsq\n\tmov %3, %%rcx\n\trep movsb"
               : "+D"(d), "+S"(src), "+c"(q)
               : "r"(r)
               : "memory");
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  auto *d = static_cast<unsigned char *>(dst);
  auto *s = static_cast<const unsigned char *>(src);
  if (d <= s || d >= s + n)
    return memcpy(dst, src, n);
  d += n - 1;
  s += n - 1;
  asm volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  void *d = dst;
  uint64_t pattern = 0x0101010101010101ull * (unsigned char)c;
  size_t q = n / 8, r = n % 8;
  asm volatile("rep stosq\n\tmov %3, %%rcx\n\trep stosb"
               : "+D"(d), "+c"(q)
               : "a"(pattern), "r"(r)
               : "memory");
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  auto *x = static_cast<const unsigned char *>(a);
  auto *y = static_cast<const unsigned char *>(b);
  size_t i = 0;
  // Eight bytes at a time up to the first difference, then byte by byte.
  for (; i + 8 <= n; i += 8) {
    uint64_t u, v;
    __builtin_memcpy(&u, x + i, 8);
    __builtin_memcpy(&v, y + i, 8);
    if (u != v)
      break;
  }
  for (; i < n; ++i)
    if (x[i] != y[i])
      return x[i] < y[i] ? -1 : 1;
  return 0;
}

int bcmp(const void *a, const void *b, size_t n) { return memcmp(a, b, n); }

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n])
    ++n;
  return n;
}
}
