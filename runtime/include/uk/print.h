// print.h: formatted kernel output to the console (a printf subset).
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace uk {

/// Formats into Buf (always NUL-terminated) and returns the length written.
/// Supports %s %c %d %i %u %x %X %p %% with l/ll/z length and width/zero padding.
size_t vformat(char *buf, size_t size, const char *fmt, va_list args);
size_t format(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/// Writes a kernel message to the console's error stream, in one console write.
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace uk
