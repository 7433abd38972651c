// file.h: open files as the system call families share them: the descriptor table,
// what each kind of file does, and waiting for files to become ready.
#pragma once

#include "uk/base.h"

struct stat;

namespace uk {

struct File;

struct FileOps {
  long (*read)(File &, char *, size_t) = nullptr;
  long (*write)(File &, const char *, size_t) = nullptr;
  /// The poll events ready now (POLLIN, POLLOUT, POLLHUP, POLLERR); null: always
  /// readable and writable.
  short (*poll)(const File &) = nullptr;
  /// When the file becomes ready by itself (a timer), as a TSC value; 0: never. May
  /// be null.
  uint64_t (*ready_at)(const File &) = nullptr;
  /// Requests of the file's own (FIONREAD on a pipe); may be null.
  long (*ioctl)(File &, unsigned request, uint64_t arg) = nullptr;
  /// One more descriptor refers to the file (dup), or one fewer (close); may be null.
  void (*retain)(File &) = nullptr;
  void (*release)(File &) = nullptr;
  uint32_t mode = 0; // S_IFCHR... and permissions, as fstat shows them
  uint32_t rdev = 0;
  // Files of a file system (vfs.h): their object is an OpenFile, with an offset.
  /// Reads at Offset, leaving the file's offset alone; may be null (no offsets).
  long (*pread)(File &, char *, size_t, uint64_t offset) = nullptr;
  /// lseek: moves the file's offset; may be null (every offset is the start).
  long (*seek)(File &, int64_t offset, int whence) = nullptr;
  /// fstat; may be null (fill_stat's answer from mode and rdev).
  void (*stat)(const File &, struct stat *) = nullptr;
  /// getdents64 into a buffer of the program; null: not a directory.
  long (*getdents)(File &, char *, size_t) = nullptr;
  /// Writes at Offset, leaving the file's offset alone; may be null (no offsets).
  long (*pwrite)(File &, const char *, size_t, uint64_t offset) = nullptr;
  /// ftruncate; null: the file cannot change size (EINVAL).
  long (*truncate)(File &, uint64_t size) = nullptr;
  /// The physical frame holding page Index of the file's data, made if need be, for a
  /// shared mapping (the file keeps it while it lives); 0 when memory runs out. Null:
  /// shared mappings are copies, which only read-only files allow.
  uint64_t (*page)(File &, uint64_t index) = nullptr;
  /// The pages page() gives are the file's data itself (/tmp, the packed tree), not
  /// copies kept for shared mappings (a volume's): private mappings may borrow them too.
  bool own_pages = false;
};

/// The start of every file's own state (a pipe's, an eventfd's...).
struct FileObject {
  uint32_t changes; // data written or read, an end closed...: each is an event for
                    // epoll's edge-triggered entries, as Linux's wake-ups are
  uint32_t serial;  // different for every object file_object_alloc() makes: epoll
                    // tells a closed file from a new one at the same address by it
};

struct File {
  const FileOps *ops;
  void *object;   // a FileObject: what the operations work on, if anything
  int stream;     // console: 0, 1 or 2
  unsigned flags; // O_ACCMODE, O_APPEND, O_NONBLOCK...
  bool cloexec;
};

/// The open file of descriptor Fd, or null.
File *file(uint64_t fd);

/// Puts F in the lowest free descriptor and returns it, or -EMFILE. F's reference is
/// handed over (nothing is retained).
long install(const File &f);

/// A zeroed page for a file's state (a pipe, an eventfd...), or null, its FileObject
/// header's serial set; and its release.
void *file_object_alloc();
void file_object_free(void *object);

/// Object changed (a pipe filled, drained or lost an end; null: something about the
/// files did): counts the change and wakes every thread waiting in wait_for_files to
/// look again.
void files_changed(FileObject *changed);

/// Blocks until files_changed(), a signal, or, if not 0, Deadline (TSC); true if
/// woken before the deadline. Callers check signal_pending() before waiting again.
bool wait_for_files(const char *reason, uint64_t deadline);

/// What of Events (and POLLHUP, POLLERR, always) F is ready for now.
short ready_events(const File &f, short events);

/// The earlier of two TSC deadlines, 0 meaning none.
inline uint64_t earlier(uint64_t a, uint64_t b) { return !a || (b && b < a) ? b : a; }

extern const FileOps console_ops;
bool console_is_tty(const File &f);
void fill_stat(const File &f, struct stat *st);

} // namespace uk
