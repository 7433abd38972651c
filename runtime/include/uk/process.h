// process.h: the one program the kernel runs, from its first instruction to its end.
#pragma once

#include "uk/platform.h"

namespace uk {

/// Builds the Linux initial stack (argv, envp, auxv) and enters the program.
[[noreturn]] void start_program(const BootInfo &boot);

/// Ends the run: the program exited (Exit) or was killed (Signal, 128 + signal).
[[noreturn]] void exit_program(ExitKind kind, int status);

/// Mounts the file systems (linux/mounts.cpp), volumes included, before the program
/// starts: a volume that cannot be mounted ends the run before the program runs.
[[gnu::weak]] void files_init();

const char *program_name();
/// Console streams that are terminals on the host (bit N: fd N).
uint8_t console_ttys();

} // namespace uk
