// p9.cpp: 9P2000.L messages: little-endian fields, strings as a 16-bit length and
// bytes, each request answered by its R-message or by Rlerror with a Linux errno.
// Replies are checked before use: a server is trusted with the files, not with the
// kernel's memory.
#include "p9.h"

#include "uk/manifest.h"
#include "uk/paging.h"
#include "uk/print.h"
#include "uk/process.h"
#include "uk/vm.h"

#include <asm-generic/errno.h>

extern "C" const char __ehdr_start, __uk_kernel_end[];

namespace uk::p9 {
namespace {

constexpr uint16_t Tag = 1; // one message in flight: one tag
constexpr size_t Header = HeaderSize;

/// Builds a request in the channel's buffer.
struct Request {
  Channel &c;
  size_t at = Header;
  bool fits = true;

  Request(Channel &channel, uint8_t type, uint16_t tag = Tag) : c(channel) {
    c.request[4] = type;
    c.request[5] = uint8_t(tag);
    c.request[6] = uint8_t(tag >> 8);
  }
  void bytes(const void *data, size_t len) {
    if (!fits || len > c.msize - at) {
      fits = false;
      return;
    }
    memcpy(c.request + at, data, len);
    at += len;
  }
  void u8(uint8_t v) { bytes(&v, 1); }
  void u16(uint16_t v) { bytes(&v, 2); } // x86-64 is little-endian, as 9P
  void u32(uint32_t v) { bytes(&v, 4); }
  void u64(uint64_t v) { bytes(&v, 8); }
  void str(const char *s, size_t len) {
    if (len > 0xffff)
      fits = false;
    u16(uint16_t(len));
    bytes(s, len);
  }
};

/// Reads a reply's fields; any read past its end leaves ok false.
struct Reply {
  const uint8_t *data;
  size_t len, at = Header;
  bool ok = true;

  const uint8_t *bytes(size_t n) {
    if (!ok || n > len - at) {
      ok = false;
      return nullptr;
    }
    at += n;
    return data + at - n;
  }
  template <typename T> T number() {
    T v = 0;
    if (const uint8_t *p = bytes(sizeof v))
      memcpy(&v, p, sizeof v);
    return v;
  }
  uint8_t u8() { return number<uint8_t>(); }
  uint16_t u16() { return number<uint16_t>(); }
  uint32_t u32() { return number<uint32_t>(); }
  uint64_t u64() { return number<uint64_t>(); }
  Qid qid() {
    Qid q;
    q.type = u8();
    q.version = u32();
    q.path = u64();
    return q;
  }
  const char *str(size_t &n) {
    n = u16();
    return reinterpret_cast<const char *>(bytes(n));
  }
};

/// Crash tests (uk.crash_before=N): the run stops, as if the machine had lost power,
/// just before the N-th message that changes the host's files (or syncs them).
bool mutates(uint8_t type) {
  switch (type) {
  case Tlcreate:
  case Tsymlink:
  case Tsetattr:
  case Tfsync:
  case Tlink:
  case Tmkdir:
  case Trenameat:
  case Tunlinkat:
  case Twrite:
    return true;
  default:
    return false;
  }
}

void count_mutation() {
  static uint64_t crash_before = ~0ull, sent;
  if (sent == 0 && crash_before == ~0ull) {
    crash_before = 0;
    if (const char *value = boot_option("crash_before"))
      for (; *value >= '0' && *value <= '9'; ++value)
        crash_before = crash_before * 10 + uint64_t(*value - '0');
  }
  if (++sent == crash_before) {
    print("ukc++: stopping before host operation %llu (uk.crash_before)\n",
          (unsigned long long)sent);
    exit_program(ExitKind::Signal, 128 + 9);
  }
}

/// Sends R and checks the reply is Type + 1 with tag Tag: 0 and the reply in Out, or
/// the server's error, or -EIO for a reply that is not one.
long call(Request &r, Reply &out, uint16_t tag = Tag) {
  Channel &c = r.c;
  if (!r.fits)
    return -ENAMETOOLONG; // only names and targets can make a request too long
  uint32_t size = uint32_t(r.at);
  memcpy(c.request, &size, 4);
  if (mutates(c.request[4]))
    count_mutation();
  long n = c.transact(c.device, c.request, r.at, c.reply, c.msize);
  if (n < 0)
    return n;
  out = {c.reply, size_t(n)};
  if (n < long(Header))
    return -EIO;
  uint32_t declared;
  memcpy(&declared, c.reply, 4);
  uint8_t type = c.reply[4];
  uint16_t reply_tag = uint16_t(c.reply[5] | c.reply[6] << 8);
  if (declared < Header || declared > size_t(n) || reply_tag != tag)
    return -EIO;
  out.len = declared;
  if (type == Rlerror) {
    uint32_t error = out.u32();
    return out.ok && error && error < 4096 ? -long(error) : -EIO;
  }
  return type == c.request[4] + 1 ? 0 : -EIO;
}

/// The kernel's own memory: its image (statics) and the direct map; else the program's.
bool kernel_memory(uint64_t address) {
  return address >= direct_map_base || (address >= reinterpret_cast<uint64_t>(&__ehdr_start) &&
                                        address < reinterpret_cast<uint64_t>(__uk_kernel_end));
}

/// For replies whose fields were read: -EIO if they were not all there.
long checked(const Reply &r) { return r.ok ? 0 : -EIO; }

} // namespace

long connect(Channel &c, uint32_t msize) {
  Request r(c, Tversion, NoTag);
  r.u32(msize);
  r.str("9P2000.L", 8);
  c.msize = msize;
  Reply out;
  if (long error = call(r, out, NoTag))
    return error;
  uint32_t agreed = out.u32();
  size_t len;
  const char *version = out.str(len);
  if (!out.ok || len != 8 || memcmp(version, "9P2000.L", 8) || agreed < 4096 || agreed > msize)
    return -EPROTO;
  c.msize = agreed;
  return 0;
}

long attach(Channel &c, uint32_t fid, Qid &root) {
  Request r(c, Tattach);
  r.u32(fid);
  r.u32(NoFid);
  r.str("root", 4);
  r.str("", 0);
  r.u32(0); // uid 0: the program is root; the host decides what that may do
  Reply out;
  if (long error = call(r, out))
    return error;
  root = out.qid();
  return checked(out);
}

long walk(Channel &c, uint32_t fid, uint32_t newfid, const char *name, size_t len, Qid &qid) {
  Request r(c, Twalk);
  r.u32(fid);
  r.u32(newfid);
  r.u16(len ? 1 : 0);
  if (len)
    r.str(name, len);
  Reply out;
  if (long error = call(r, out))
    return error;
  uint16_t count = out.u16();
  if (len && count != 1)
    return out.ok ? -ENOENT : -EIO;
  if (len)
    qid = out.qid();
  return checked(out);
}

long lopen(Channel &c, uint32_t fid, uint32_t flags) {
  Request r(c, Tlopen);
  r.u32(fid);
  r.u32(flags);
  Reply out;
  return call(r, out);
}

long lcreate(Channel &c, uint32_t fid, const char *name, size_t len, uint32_t flags,
             uint32_t mode, Qid &qid) {
  Request r(c, Tlcreate);
  r.u32(fid);
  r.str(name, len);
  r.u32(flags);
  r.u32(mode);
  r.u32(0);
  Reply out;
  if (long error = call(r, out))
    return error;
  qid = out.qid();
  return checked(out);
}

namespace {

/// Tread and Treaddir: fid[4] offset[8] count[4], answered by count[4] and the data,
/// copied to Buf.
long read_data(Channel &c, uint8_t type, uint32_t fid, uint64_t offset, void *buf, size_t len) {
  if (len > io_size(c))
    len = io_size(c);
  Request r(c, type);
  r.u32(fid);
  r.u64(offset);
  r.u32(uint32_t(len));
  Reply out;
  if (long error = call(r, out))
    return error;
  uint32_t count = out.u32();
  const uint8_t *data = out.bytes(count);
  if (!data || count > len)
    return -EIO;
  // The program's buffer was checked before the wait for the host; it may be gone now.
  uint64_t to = reinterpret_cast<uint64_t>(buf);
  if (!kernel_memory(to) && !user_ok(to, count, ProtWrite))
    return -EFAULT;
  memcpy(buf, data, count);
  return count;
}

} // namespace

long read(Channel &c, uint32_t fid, uint64_t offset, void *buf, size_t len) {
  return read_data(c, Tread, fid, offset, buf, len);
}

long write(Channel &c, uint32_t fid, uint64_t offset, const void *buf, size_t len) {
  if (len > io_size(c))
    len = io_size(c);
  Request r(c, Twrite);
  r.u32(fid);
  r.u64(offset);
  r.u32(uint32_t(len));
  r.bytes(buf, len);
  Reply out;
  if (long error = call(r, out))
    return error;
  uint32_t count = out.u32();
  return out.ok && count <= len ? long(count) : -EIO;
}

long clunk(Channel &c, uint32_t fid) {
  Request r(c, Tclunk);
  r.u32(fid);
  Reply out;
  return call(r, out);
}

long getattr(Channel &c, uint32_t fid, Attr &a) {
  Request r(c, Tgetattr);
  r.u32(fid);
  r.u64(GetattrBasic);
  Reply out;
  if (long error = call(r, out))
    return error;
  out.u64(); // valid
  a.qid = out.qid();
  a.mode = out.u32();
  out.u32(); // uid
  out.u32(); // gid
  a.nlink = out.u64();
  out.u64(); // rdev
  a.size = out.u64();
  out.u64(); // blksize
  a.blocks = out.u64();
  a.atime_sec = int64_t(out.u64());
  a.atime_nsec = int64_t(out.u64());
  a.mtime_sec = int64_t(out.u64());
  a.mtime_nsec = int64_t(out.u64());
  a.ctime_sec = int64_t(out.u64());
  a.ctime_nsec = int64_t(out.u64());
  return checked(out);
}

long setattr(Channel &c, uint32_t fid, const SetAttr &a) {
  Request r(c, Tsetattr);
  r.u32(fid);
  r.u32(a.valid);
  r.u32(a.mode);
  r.u32(0); // uid
  r.u32(0); // gid
  r.u64(a.size);
  r.u64(uint64_t(a.atime_sec));
  r.u64(uint64_t(a.atime_nsec));
  r.u64(uint64_t(a.mtime_sec));
  r.u64(uint64_t(a.mtime_nsec));
  Reply out;
  return call(r, out);
}

long readdir(Channel &c, uint32_t fid, uint64_t offset, void *buf, size_t cap) {
  return read_data(c, Treaddir, fid, offset, buf, cap);
}

long mkdir(Channel &c, uint32_t dfid, const char *name, size_t len, uint32_t mode, Qid &qid) {
  Request r(c, Tmkdir);
  r.u32(dfid);
  r.str(name, len);
  r.u32(mode);
  r.u32(0);
  Reply out;
  if (long error = call(r, out))
    return error;
  qid = out.qid();
  return checked(out);
}

long symlink(Channel &c, uint32_t dfid, const char *name, size_t len, const char *target,
             Qid &qid) {
  Request r(c, Tsymlink);
  r.u32(dfid);
  r.str(name, len);
  r.str(target, strlen(target));
  r.u32(0);
  Reply out;
  if (long error = call(r, out))
    return error;
  qid = out.qid();
  return checked(out);
}

long readlink(Channel &c, uint32_t fid, char *target, size_t cap) {
  Request r(c, Treadlink);
  r.u32(fid);
  Reply out;
  if (long error = call(r, out))
    return error;
  size_t len;
  const char *text = out.str(len);
  if (!text)
    return -EIO;
  if (len >= cap)
    return -ENAMETOOLONG;
  memcpy(target, text, len);
  target[len] = 0;
  return long(len);
}

long unlinkat(Channel &c, uint32_t dfid, const char *name, size_t len, bool folder) {
  Request r(c, Tunlinkat);
  r.u32(dfid);
  r.str(name, len);
  r.u32(folder ? 0x200 : 0); // AT_REMOVEDIR
  Reply out;
  return call(r, out);
}

long renameat(Channel &c, uint32_t dfid, const char *name, size_t len, uint32_t to_dfid,
              const char *to_name, size_t to_len) {
  Request r(c, Trenameat);
  r.u32(dfid);
  r.str(name, len);
  r.u32(to_dfid);
  r.str(to_name, to_len);
  Reply out;
  return call(r, out);
}

long link(Channel &c, uint32_t dfid, uint32_t fid, const char *name, size_t len) {
  Request r(c, Tlink);
  r.u32(dfid);
  r.u32(fid);
  r.str(name, len);
  Reply out;
  return call(r, out);
}

long fsync(Channel &c, uint32_t fid, bool data_only) {
  Request r(c, Tfsync);
  r.u32(fid);
  r.u32(data_only);
  Reply out;
  return call(r, out);
}

long statfs(Channel &c, uint32_t fid, StatFs &s) {
  Request r(c, Tstatfs);
  r.u32(fid);
  Reply out;
  if (long error = call(r, out))
    return error;
  s.type = out.u32();
  s.bsize = out.u32();
  s.blocks = out.u64();
  s.bfree = out.u64();
  s.bavail = out.u64();
  s.files = out.u64();
  s.ffree = out.u64();
  s.fsid = out.u64();
  s.namelen = out.u32();
  return checked(out);
}

bool next_record(const uint8_t *data, size_t len, size_t &at, DirRecord &d) {
  Reply in{data, len, at};
  d.qid = in.qid();
  d.next = in.u64();
  d.type = in.u8();
  d.name = in.str(d.name_len);
  if (!in.ok || !d.name_len || d.name_len > 255)
    return false;
  at = in.at;
  return true;
}

} // namespace uk::p9
