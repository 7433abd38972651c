// platform.cpp: what lwIP asks of its platform (arch/cc.h, lwipopts.h): the time in
// milliseconds, random numbers, messages and failed assertions; all from the kernel.
#include "uk/cpu.h"
#include "uk/print.h"
#include "uk/random.h"
#include "uk/time.h"

#include <stdarg.h>

#include "lwip/arch.h"

// lwIP's own name for its clock; hidden, so that the component keeps it to itself.
extern "C" __attribute__((visibility("hidden"))) u32_t sys_now() {
  return u32_t(uk::monotonic_ns() / 1000000);
}

extern "C" unsigned int uk_lwip_random() {
  unsigned int value = 0;
  if (uk::fill_random(reinterpret_cast<char *>(&value), sizeof value) < 0)
    value = unsigned(uk::rdtsc() * 0x9e3779b97f4a7c15ull >> 32);
  return value;
}

extern "C" void uk_lwip_message(const char *format, ...) {
  char line[256];
  va_list args;
  va_start(args, format);
  uk::vformat(line, sizeof line, format, args);
  va_end(args);
  uk::print("ukc++: lwip: %s", line);
}

extern "C" void uk_lwip_assert(const char *message, const char *file, int line) {
  uk::panic(file, line, "lwIP assertion failed: %s", message);
}

// The two C library functions lwIP calls (lwip_strnstr, netif_find), for lwIP alone:
// hidden, so that the prelink binds lwIP's references here and keeps them local.
extern "C" __attribute__((visibility("hidden"))) int strncmp(const char *a, const char *b,
                                                             size_t n) {
  for (; n; --n, ++a, ++b) {
    if (*a != *b)
      return (unsigned char)*a - (unsigned char)*b;
    if (!*a)
      return 0;
  }
  return 0;
}

// glibc's atoi is an inline call of strtol: decimal digits are all netif_find needs.
extern "C" __attribute__((visibility("hidden"))) long strtol(const char *s, char **end,
                                                             int base) {
  long value = 0;
  for (; *s >= '0' && *s <= '9'; ++s)
    value = value * 10 + (*s - '0');
  if (end)
    *end = const_cast<char *>(s);
  return value;
}
