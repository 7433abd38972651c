// sendfile.cpp: sendfile, as servers send a file to a socket, and copy_file_range
// between files: the data is read into a kernel buffer and written to the output, a
// buffer at a time, whatever the two files are.
#include "file.h"
#include "vfs.h"

#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/fcntl.h>

namespace uk {
namespace {

char buffer[65536];

bool readable(const File &f) { return (f.flags & O_ACCMODE) != O_WRONLY; }
bool writable(const File &f) { return (f.flags & O_ACCMODE) != O_RDONLY; }

/// copy_file_range's offset of F: the one at Addr (the program's), or F's own.
long offset_of(File &f, uint64_t addr, uint64_t *&at) {
  if (!f.ops->pread || !f.ops->pwrite)
    return -EINVAL; // files of a file system only
  if (!addr) {
    at = &static_cast<OpenFile *>(f.object)->offset;
    return 0;
  }
  if (!user_ok(addr, 8, ProtRead | ProtWrite))
    return -EFAULT;
  at = reinterpret_cast<uint64_t *>(addr);
  return int64_t(*at) < 0 ? -EINVAL : 0;
}

} // namespace

UK_SYSCALL(copy_file_range) {
  File *in = file(args.a0), *out = file(args.a2);
  if (!in || !out || !readable(*in) || !writable(*out) || (out->flags & O_APPEND))
    return -EBADF;
  if (args.a5)
    return -EINVAL;
  uint64_t *from, *to;
  if (long error = offset_of(*in, args.a1, from))
    return error;
  if (long error = offset_of(*out, args.a3, to))
    return error;
  uint64_t total = 0, count = args.a4;
  while (total < count) {
    size_t want = count - total < sizeof buffer ? size_t(count - total) : sizeof buffer;
    long got = in->ops->pread(*in, buffer, want, *from);
    if (got <= 0) {
      if (got < 0 && !total)
        return got;
      break;
    }
    long put = out->ops->pwrite(*out, buffer, size_t(got), *to);
    if (put <= 0) {
      if (!total)
        return put ? put : -EIO;
      break;
    }
    *from += uint64_t(put);
    *to += uint64_t(put);
    total += uint64_t(put);
    if (put < got)
      break;
  }
  return long(total);
}

UK_SYSCALL(sendfile) {
  File *out = file(args.a0), *in = file(args.a1);
  if (!out || !in || !writable(*out) || !readable(*in))
    return -EBADF;
  if ((out->flags & O_APPEND) || !out->ops->write)
    return -EINVAL;
  uint64_t *at = nullptr; // the offset to read at, the file's own if none
  if (args.a2) {
    if (!in->ops->pread)
      return -ESPIPE;
    if (!user_ok(args.a2, 8, ProtRead | ProtWrite))
      return -EFAULT;
    at = reinterpret_cast<uint64_t *>(args.a2);
  } else if (!in->ops->read) {
    return -EINVAL;
  }
  uint64_t offset = at ? *at : 0, total = 0, count = args.a3;
  while (total < count) {
    size_t want = count - total < sizeof buffer ? size_t(count - total) : sizeof buffer;
    long got =
        at ? in->ops->pread(*in, buffer, want, offset) : in->ops->read(*in, buffer, want);
    if (got <= 0) {
      if (got < 0 && !total)
        return got;
      break;
    }
    long put = out->ops->write(*out, buffer, size_t(got));
    long kept = put < 0 ? 0 : put;
    // What was read but not written stays unread, as if never read.
    if (!at && kept < got && in->ops->seek)
      in->ops->seek(*in, kept - got, 1 /* SEEK_CUR */);
    total += uint64_t(kept);
    offset += uint64_t(kept);
    if (put < 0 && total == 0) {
      if (at)
        *at = offset;
      return put;
    }
    if (kept < got)
      break;
  }
  if (at)
    *at = offset;
  return long(total);
}

} // namespace uk
