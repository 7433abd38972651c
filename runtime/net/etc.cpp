// etc.cpp: the built-in /etc that static glibc reads to resolve names (hosts,
// resolv.conf, nsswitch.conf, services, protocols...) and users (passwd, group),
// read-only, mounted when the image's own tree has no /etc.
#include "stack.h"
#include "vfs.h"

#include "uk/print.h"
#include "uk/process.h"

#include <asm-generic/errno.h>
#include <asm/fcntl.h>
#include <asm/stat.h>
#include <linux/stat.h>

namespace uk {
namespace net {

// Made at build time from the host's netbase files (gen-etc-tables.py).
extern const char etc_services[], etc_protocols[];
extern const size_t etc_services_size, etc_protocols_size;

namespace {

extern const FileSystem etc_fs;
constexpr uint32_t EtcDev = (0 << 8) | 40;

struct Text {
  const char *data;
  size_t size;
};

Text text(const char *s) { return {s, strlen(s)}; }

void dotted(char *out, size_t size, uint32_t address) {
  auto *b = reinterpret_cast<const uint8_t *>(&address);
  format(out, size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/// The program's name at the interface's address (or at 127.0.1.1, as Debian names a
/// host without one), after localhost. No IPv6 line: the guest has no IPv6, and a
/// server that binds every address "localhost" has would fail on ::1.
Text hosts() {
  static char buffer[256];
  static size_t size;
  if (!size) {
    char address[16] = "127.0.1.1";
    if (uint32_t own = interface_address())
      dotted(address, sizeof address, own);
    size = format(buffer, sizeof buffer, "127.0.0.1\tlocalhost\n%s\t%s\n", address,
                  program_name());
  }
  return {buffer, size};
}

/// The manifest's name servers, else DHCP's, else the one ukrun's user network offers;
/// none: glibc asks 127.0.0.1, as on a Linux host without resolv.conf.
Text resolv_conf() {
  static char buffer[128];
  static size_t size;
  if (!size) {
    interface_address(); // starts the stack: a DHCP answer may name the servers
    uint32_t servers[UK_MANIFEST_NET_DNS];
    int count = name_servers(servers);
    size = format(buffer, sizeof buffer, "# made by the kernel from the manifest and ukrun\n");
    for (int i = 0; i < count; ++i) {
      char address[16];
      dotted(address, sizeof address, servers[i]);
      size += format(buffer + size, sizeof buffer - size, "nameserver %s\n", address);
    }
  }
  return {buffer, size};
}

Text hostname() {
  static char buffer[72];
  static size_t size;
  if (!size)
    size = format(buffer, sizeof buffer, "%s\n", program_name());
  return {buffer, size};
}

Text host_conf() { return text("multi on\n"); }
Text nsswitch_conf() {
  return text("hosts: files dns\nnetworks: files\nservices: files\nprotocols: files\n"
              "passwd: files\ngroup: files\nshadow: files\n");
}
// The accounts every Linux has, for servers that look a user up to drop privileges
// to (nginx asks for nobody and nogroup when it runs as root, as here).
Text passwd() {
  return text("root:x:0:0:root:/root:/bin/sh\n"
              "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
}
Text group() { return text("root:x:0:\nnogroup:x:65534:\n"); }
Text services() { return {etc_services, etc_services_size}; }
Text protocols() { return {etc_protocols, etc_protocols_size}; }

struct Entry {
  const char *name;
  Text (*content)();
};
const Entry entries[] = {
    // sorted, as readdir lists them
    {"group", group},         {"host.conf", host_conf},         {"hostname", hostname},
    {"hosts", hosts},         {"nsswitch.conf", nsswitch_conf}, {"passwd", passwd},
    {"protocols", protocols}, {"resolv.conf", resolv_conf},     {"services", services},
};
constexpr uint64_t EntryCount = sizeof entries / sizeof entries[0];

// Node ids: 0 the folder, N the entry N-1.
Node etc_root() { return {&etc_fs, 0}; }
long etc_lookup(Node, const char *name, size_t len, Node &found) {
  for (uint64_t i = 0; i < EntryCount; ++i)
    if (same_name(entries[i].name, name, len)) {
      found = {&etc_fs, i + 1};
      return 0;
    }
  return -ENOENT;
}
Node etc_parent(Node) { return etc_root(); }
const char *etc_name(Node n) { return n.id ? entries[n.id - 1].name : "etc"; }
NodeKind etc_kind(Node n) { return n.id ? NodeKind::File : NodeKind::Directory; }
void etc_stat(Node n, struct stat *st) {
  st->st_dev = EtcDev;
  st->st_ino = n.id + 1;
  st->st_nlink = n.id ? 1 : 2;
  st->st_mode = n.id ? S_IFREG | 0444 : S_IFDIR | 0555;
  st->st_size = n.id ? long(entries[n.id - 1].content().size) : 0;
}
bool etc_readdir(Node, uint64_t index, DirEntry &e) {
  if (index >= EntryCount)
    return false;
  e = {entries[index].name, strlen(entries[index].name), {&etc_fs, index + 1}, NodeKind::File};
  return true;
}

Text content_of(const File &f) {
  return entries[static_cast<const OpenFile *>(f.object)->node.id - 1].content();
}
long file_pread(File &f, char *buf, size_t len, uint64_t offset) {
  Text t = content_of(f);
  return read_bytes(t.data, t.size, buf, len, offset);
}
long file_write(File &, const char *, size_t) { return -EBADF; } // opened read-only
long file_seek(File &f, int64_t offset, int whence) {
  return open_file_seek(f, offset, whence, content_of(f).size);
}
const FileOps file_ops = {.read = open_file_read,
                          .write = file_write,
                          .retain = open_file_retain,
                          .release = open_file_release,
                          .mode = S_IFREG | 0444,
                          .pread = file_pread,
                          .seek = file_seek,
                          .stat = open_file_stat};

long etc_open(Node n, unsigned flags, File &f) {
  if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
    return -EROFS;
  OpenFile *open = open_file_new(n);
  if (!open)
    return -ENFILE;
  f = {&file_ops, open, 0, flags, false};
  return 0;
}

const FileSystem etc_fs = {"etc",    etc_root, etc_lookup, etc_parent,  etc_name,
                           etc_kind, etc_stat, nullptr,    etc_readdir, etc_open};

} // namespace
} // namespace net

const FileSystem *etc_files() { return &net::etc_fs; }

} // namespace uk
