// p9.h: a 9P2000.L client: the messages the volumes' file system sends, over
// whichever transport the hypervisor offers (virtio-9p on QEMU).
#pragma once

#include "uk/abi/p9.h"
#include "uk/base.h"

namespace uk::p9 {

/// A server's identity for a file: Path is its inode number there.
struct Qid {
  uint8_t type; // QidDirectory, QidSymlink, or QidFile
  uint32_t version;
  uint64_t path;
};

/// What Tgetattr answers (the basic fields).
struct Attr {
  Qid qid;
  uint32_t mode;
  uint64_t nlink, size, blocks;
  int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

/// What Tsetattr changes: the fields named in Valid.
struct SetAttr {
  uint32_t valid; // SetMode... (uk/abi/p9.h)
  uint32_t mode;
  uint64_t size;
  int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};

struct StatFs {
  uint32_t type, bsize;
  uint64_t blocks, bfree, bavail, files, ffree, fsid;
  uint32_t namelen;
};

/// A connection to one volume's server. Fids are the client's to choose.
struct Channel {
  long (*transact)(unsigned device, const void *request, size_t len, void *reply, size_t cap);
  unsigned device;
  uint32_t msize;   // the largest message either way, as negotiated
  uint8_t *request; // msize bytes each, physically contiguous kernel memory
  uint8_t *reply;
};

/// The most file data one Tread or Twrite carries on C.
inline size_t io_size(const Channel &c) { return c.msize - 24; }

/// Tversion: agrees on 9P2000.L and the message size; the buffers must hold Msize.
long connect(Channel &c, uint32_t msize);
long attach(Channel &c, uint32_t fid, Qid &root);
/// Twalk of one name (Len bytes) from Fid to Newfid; Len 0 clones Fid.
long walk(Channel &c, uint32_t fid, uint32_t newfid, const char *name, size_t len, Qid &qid);
long lopen(Channel &c, uint32_t fid, uint32_t flags);
/// Tlcreate: Fid (a folder) becomes the new file Name, opened with Flags.
long lcreate(Channel &c, uint32_t fid, const char *name, size_t len, uint32_t flags,
             uint32_t mode, Qid &qid);
/// Treads into Buf (which may be the program's memory): the bytes read, 0 at the end.
long read(Channel &c, uint32_t fid, uint64_t offset, void *buf, size_t len);
long write(Channel &c, uint32_t fid, uint64_t offset, const void *buf, size_t len);
long clunk(Channel &c, uint32_t fid);
long getattr(Channel &c, uint32_t fid, Attr &attr);
long setattr(Channel &c, uint32_t fid, const SetAttr &attr);
/// Treaddir from the server's Offset cookie into Buf: the bytes of entries there.
long readdir(Channel &c, uint32_t fid, uint64_t offset, void *buf, size_t cap);
long mkdir(Channel &c, uint32_t dfid, const char *name, size_t len, uint32_t mode, Qid &qid);
long symlink(Channel &c, uint32_t dfid, const char *name, size_t len, const char *target,
             Qid &qid);
/// Treadlink into Out (NUL-terminated); -ENAMETOOLONG if it does not fit.
long readlink(Channel &c, uint32_t fid, char *out, size_t cap);
long unlinkat(Channel &c, uint32_t dfid, const char *name, size_t len, bool folder);
long renameat(Channel &c, uint32_t dfid, const char *name, size_t len, uint32_t to_dfid,
              const char *to_name, size_t to_len);
long link(Channel &c, uint32_t dfid, uint32_t fid, const char *name, size_t len);
long fsync(Channel &c, uint32_t fid, bool data_only);
long statfs(Channel &c, uint32_t fid, StatFs &out);

/// One entry of a Treaddir reply, from Data (Len bytes) at At; false at the end or on
/// a malformed entry. At moves past it.
struct DirRecord {
  Qid qid;
  uint64_t next; // the server's cookie for the entry after this one
  uint8_t type;  // DT_DIR...
  const char *name;
  size_t name_len;
};
bool next_record(const uint8_t *data, size_t len, size_t &at, DirRecord &out);

} // namespace uk::p9
