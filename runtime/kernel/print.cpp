// print.cpp: the kernel's printf subset and its console output.
#include "uk/print.h"
#include "uk/platform.h"

namespace uk {
namespace {

struct Out {
  char *buf;
  size_t size, len;
  void put(char c) {
    if (len + 1 < size)
      buf[len] = c;
    ++len;
  }
};

void put_number(Out &o, uint64_t v, unsigned base, bool upper, int width, char pad,
                bool negative) {
  char digits[24];
  int n = 0;
  const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    digits[n++] = set[v % base];
    v /= base;
  } while (v);
  if (negative)
    digits[n++] = '-';
  for (int i = n; i < width; ++i)
    o.put(pad);
  while (n)
    o.put(digits[--n]);
}

} // namespace

size_t vformat(char *buf, size_t size, const char *fmt, va_list args) {
  Out o{buf, size, 0};
  for (const char *p = fmt; *p; ++p) {
    if (*p != '%') {
      o.put(*p);
      continue;
    }
    ++p;
    bool alt = false;
    char pad = ' ';
    if (*p == '#') {
      alt = true;
      ++p;
    }
    if (*p == '0') {
      pad = '0';
      ++p;
    }
    int width = 0;
    while (*p >= '0' && *p <= '9')
      width = width * 10 + (*p++ - '0');
    int longs = 0;
    while (*p == 'l' || *p == 'z') {
      ++longs;
      ++p;
    }
    switch (*p) {
    case 's': {
      const char *s = va_arg(args, const char *);
      if (!s)
        s = "(null)";
      size_t n = strlen(s);
      for (size_t i = n; i < size_t(width); ++i)
        o.put(' ');
      while (*s)
        o.put(*s++);
      break;
    }
    case 'c':
      o.put(char(va_arg(args, int)));
      break;
    case 'd':
    case 'i': {
      int64_t v = longs ? va_arg(args, int64_t) : va_arg(args, int);
      put_number(o, v < 0 ? -uint64_t(v) : uint64_t(v), 10, false, width, pad, v < 0);
      break;
    }
    case 'u':
      put_number(o, longs ? va_arg(args, uint64_t) : va_arg(args, unsigned), 10, false, width,
                 pad, false);
      break;
    case 'x':
    case 'X': {
      uint64_t v = longs ? va_arg(args, uint64_t) : va_arg(args, unsigned);
      if (alt) {
        o.put('0');
        o.put('x');
      }
      put_number(o, v, 16, *p == 'X', width, pad, false);
      break;
    }
    case 'p':
      o.put('0');
      o.put('x');
      put_number(o, reinterpret_cast<uint64_t>(va_arg(args, void *)), 16, false, 0, ' ', false);
      break;
    case '%':
      o.put('%');
      break;
    default:
      o.put('%');
      if (*p)
        o.put(*p);
      else
        --p;
    }
  }
  if (size)
    buf[o.len < size ? o.len : size - 1] = 0;
  return o.len < size ? o.len : size - 1;
}

size_t format(char *buf, size_t size, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  size_t n = vformat(buf, size, fmt, args);
  va_end(args);
  return n;
}

void print(const char *fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  size_t n = vformat(buf, sizeof buf, fmt, args);
  va_end(args);
  if (platform)
    platform->console_write(Stream::Err, buf, n);
}

} // namespace uk
