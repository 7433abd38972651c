// base.h: the few primitives every runtime file uses (sizes, alignment, VERIFY).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace uk {

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr uint64_t PageSize = 4 * KiB;
constexpr uint64_t LargePageSize = 2 * MiB;

constexpr uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
constexpr uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
constexpr bool is_aligned(uint64_t v, uint64_t a) { return (v & (a - 1)) == 0; }

/// A * B / C with a 128-bit intermediate; the quotient must fit in 64 bits.
inline uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c) {
  uint64_t quotient, remainder;
  asm("mulq %3\n\tdivq %4" : "=a"(quotient), "=&d"(remainder) : "a"(a), "rm"(b), "rm"(c));
  return quotient;
}

[[noreturn]] void panic(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

} // namespace uk

/// Checks a kernel invariant; a failure panics with file and line.
#define VERIFY(cond)                                                                           \
  do {                                                                                         \
    if (__builtin_expect(!(cond), 0))                                                          \
      ::uk::panic(__FILE__, __LINE__, "VERIFY(%s) failed", #cond);                             \
  } while (0)

#define PANIC(...) ::uk::panic(__FILE__, __LINE__, __VA_ARGS__)

extern "C" {
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
}
