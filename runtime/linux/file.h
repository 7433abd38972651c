// file.h: open files as the system call families share them: the descriptor table,
// what each kind of file does, and waiting for files to become ready.
#pragma once

#include "uk/base.h"

struct stat;

namespace uk {

struct File;

struct FileOps {
  long (*read)(File &, char *, size_t);
  long (*write)(File &, const char *, size_t);
  /// The poll events ready now (POLLIN, POLLOUT, POLLHUP, POLLERR); null: always
  /// readable and writable.
  short (*poll)(const File &);
  /// Requests the file has of its own (FIONREAD on a pipe); may be null.
  long (*ioctl)(File &, unsigned request, uint64_t arg);
  /// One more descriptor refers to the file (dup), or one fewer (close); may be null.
  void (*retain)(File &);
  void (*release)(File &);
  uint32_t mode; // S_IFCHR... and permissions, as fstat shows them
  uint32_t rdev;
};

struct File {
  const FileOps *ops;
  void *object;   // what the operations work on (a pipe), if anything
  int stream;     // console: 0, 1 or 2
  unsigned flags; // O_ACCMODE, O_APPEND, O_NONBLOCK...
  bool cloexec;
};

/// The open file of descriptor Fd, or null.
File *file(uint64_t fd);

/// Puts F in the lowest free descriptor and returns it, or -EMFILE. F's reference is
/// handed over (nothing is retained).
long install(const File &f);

/// Files whose readiness changed (a pipe filled, drained or lost an end): wakes every
/// thread waiting in wait_for_files to look again.
void files_changed();

/// Blocks until files_changed() or, if not 0, Deadline (TSC); true if woken before it.
bool wait_for_files(const char *reason, uint64_t deadline);

extern const FileOps console_ops;
bool console_is_tty(const File &f);
void fill_stat(const File &f, struct stat *st);

} // namespace uk
