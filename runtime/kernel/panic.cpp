// panic.cpp: the end of the run when the kernel itself is broken.
#include "uk/cpu.h"
#include "uk/platform.h"
#include "uk/print.h"
#include "uk/trap.h"

namespace uk {

[[noreturn]] void panic(const char *file, int line, const char *fmt, ...) {
  asm volatile("cli");
  char buf[256];
  va_list args;
  va_start(args, fmt);
  vformat(buf, sizeof buf, fmt, args);
  va_end(args);
  print("ukc++: kernel panic at %s:%d: %s\n", file, line, buf);
  if (platform)
    platform->exit(ExitKind::Panic, 125);
  for (;;) // no platform yet to end the run on
    halt();
}

} // namespace uk
