// sendfile.cpp: sendfile, as servers send a file to a socket: the file is read into a
// kernel buffer and written to the output, a buffer at a time, whatever the two
// files are.
#include "file.h"

#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/fcntl.h>

namespace uk {
namespace {

char buffer[65536];

bool readable(const File &f) { return (f.flags & O_ACCMODE) != O_WRONLY; }
bool writable(const File &f) { return (f.flags & O_ACCMODE) != O_RDONLY; }

} // namespace

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
