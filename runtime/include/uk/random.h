// random.h: random bytes from the CPU's generator.
#pragma once

#include "uk/base.h"

namespace uk {

/// Fills Buf with random bytes; returns Len, or -EIO if the CPU has no generator.
long fill_random(char *buf, size_t len);

} // namespace uk
