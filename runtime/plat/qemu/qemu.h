// qemu.h: the QEMU (microvm, PVH) platform's parts.
#pragma once

#include "uk/platform.h"

namespace uk {

extern const Platform qemu_platform;

/// Finds out which console devices QEMU has (serial; debugcon for errors).
void qemu_console_init();
void qemu_console_write(Stream stream, const char *data, size_t len);
long qemu_console_read(char *data, size_t len);

uint64_t qemu_tsc_hz();
int64_t qemu_wall_clock_ns();

} // namespace uk
