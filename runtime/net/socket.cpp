// socket.cpp: sockets in the descriptor table: the calls that make and connect them
// (socket, bind, listen, accept, connect, shutdown, getsockname, getpeername) and
// their file operations (read, write, poll, FIONREAD), over TCP and UDP.
#include "socket.h"
#include "stack.h"

#include "uk/sched.h"
#include "uk/signal.h"
#include "uk/syscall.h"
#include "uk/time.h"
#include "uk/vm.h"

#include "lwip/pbuf.h"

#include <asm/fcntl.h>
#include <asm/ioctls.h>
#include <asm/siginfo.h>
#include <asm/signal.h>
#include <linux/stat.h>

namespace uk::net {
namespace {

bool nonblocking(const File &f) { return f.flags & O_NONBLOCK; }

long socket_read(File &f, char *buf, size_t len) {
  Socket &s = socket_of(f);
  if (s.type == StreamSocket)
    return stream_receive(s, buf, len, nonblocking(f), 0);
  return datagram_receive(s, buf, len, nonblocking(f), 0, nullptr);
}

long socket_write(File &f, const char *buf, size_t len) {
  Socket &s = socket_of(f);
  if (s.type == StreamSocket)
    return stream_send(s, buf, len, nonblocking(f), 0);
  return datagram_send(s, buf, len, nullptr);
}

short socket_poll(const File &f) {
  const Socket &s = socket_of(f);
  return s.type == StreamSocket ? stream_poll(s) : datagram_poll(s);
}

long socket_ioctl(File &f, unsigned request, uint64_t arg) {
  Socket &s = socket_of(f);
  if (request != FIONREAD) {
    not_supported("this ioctl on sockets");
    return -ENOTTY;
  }
  if (!user_ok(arg, sizeof(int), ProtWrite))
    return -EFAULT;
  int bytes = s.type == StreamSocket ? int(s.received_bytes)
              : s.datagram_count     ? s.datagrams[s.datagram_first].data->tot_len
                                     : 0;
  *reinterpret_cast<int *>(arg) = bytes;
  return 0;
}

void socket_retain(File &f) { ++socket_of(f).refs; }

void socket_release(File &f) {
  Socket &s = socket_of(f);
  if (--s.refs)
    return;
  if (s.type == StreamSocket)
    stream_close(s);
  else
    datagram_close(s);
  socket_free(s);
}

const FileOps socket_ops = {.read = socket_read,
                            .write = socket_write,
                            .poll = socket_poll,
                            .ioctl = socket_ioctl,
                            .retain = socket_retain,
                            .release = socket_release,
                            .mode = 0140000 | 0777}; // S_IFSOCK

/// The socket of descriptor Fd, or null with Error set (EBADF, ENOTSOCK).
Socket *socket_at(uint64_t fd, long &error, File **out = nullptr) {
  File *f = file(fd);
  error = !f ? -EBADF : f->ops != &socket_ops ? -ENOTSOCK : 0;
  if (error)
    return nullptr;
  if (out)
    *out = f;
  return &socket_of(*f);
}

/// Reads a sockaddr_in from the program; 0, or a negative errno.
long read_address(uint64_t addr, uint64_t len, InetAddress &out, bool allow_unspec = false) {
  if (len < sizeof(uint16_t) || !user_ok(addr, len < sizeof out ? len : sizeof out, ProtRead))
    return -EFAULT;
  uint16_t family = *reinterpret_cast<const uint16_t *>(addr);
  if (family == 0 && allow_unspec) {
    out = {};
    return 0;
  }
  if (family != AddressInet)
    return -EAFNOSUPPORT;
  if (len < sizeof out)
    return -EINVAL;
  memcpy(&out, reinterpret_cast<const void *>(addr), sizeof out);
  return 0;
}

/// Writes A to the program's buffer at Addr, whose size *Len_addr gives and then
/// receives the full size, as Linux's accept and getsockname do.
long write_address(const InetAddress &a, uint64_t addr, uint64_t len_addr) {
  if (!addr)
    return 0;
  if (!user_ok(len_addr, sizeof(int), ProtRead | ProtWrite))
    return -EFAULT;
  int len = *reinterpret_cast<int *>(len_addr);
  if (len < 0)
    return -EINVAL;
  size_t n = size_t(len) < sizeof a ? size_t(len) : sizeof a;
  if (!user_ok(addr, n, ProtWrite))
    return -EFAULT;
  memcpy(reinterpret_cast<void *>(addr), &a, n);
  *reinterpret_cast<int *>(len_addr) = sizeof a;
  return 0;
}

} // namespace

Socket *socket_alloc(int type) {
  auto *s = static_cast<Socket *>(file_object_alloc()); // zeroed
  if (s) {
    s->refs = 1;
    s->type = type;
  }
  return s;
}

void socket_free(Socket &s) { file_object_free(&s); }

long install_accepted(Socket *s, unsigned flags) {
  long fd =
      install({&socket_ops, s, 0, O_RDWR | (flags & O_NONBLOCK), bool(flags & O_CLOEXEC)});
  if (fd < 0) {
    File f = {&socket_ops, s, 0, O_RDWR, false};
    socket_release(f);
  }
  return fd;
}

void socket_changed(Socket &s) { files_changed(&s.header); }

uint64_t deadline_after(uint64_t timeout) {
  return timeout ? tsc_at(monotonic_ns() + timeout) | 1 : 0;
}

long socket_wait(const char *reason, bool nonblock, uint64_t deadline) {
  if (nonblock || (deadline && rdtsc() >= deadline))
    return -EAGAIN;
  if (signal_pending())
    return -RestartSys;
  wait_for_files(reason, deadline);
  return 0;
}

long broken_pipe(bool no_signal) {
  if (!no_signal)
    send_signal(SIGPIPE, current_thread(), {SIGPIPE, 0, SI_USER, 0, 1, 0});
  return -EPIPE;
}

/// The socket behind a descriptor, for the option calls (options.cpp).
Socket *socket_for_options(uint64_t fd, long &error) { return socket_at(fd, error); }

/// sendto/recvfrom and their message forms share these (messages.cpp).
long socket_send(uint64_t fd, const char *data, size_t len, int flags, const InetAddress *to) {
  long error;
  File *f;
  Socket *s = socket_at(fd, error, &f);
  if (!s)
    return error;
  bool nonblock = nonblocking(*f) || (flags & MsgDontwait);
  if (s->type == StreamSocket)
    return stream_send(*s, data, len, nonblock,
                       flags); // the address is ignored, as Linux does
  return datagram_send(*s, data, len, to);
}

long socket_receive(uint64_t fd, char *data, size_t len, int flags, InetAddress *from,
                    bool *has_from) {
  long error;
  File *f;
  Socket *s = socket_at(fd, error, &f);
  if (!s)
    return error;
  bool nonblock = nonblocking(*f) || (flags & MsgDontwait);
  if (s->type == StreamSocket) {
    *has_from = false;
    return stream_receive(*s, data, len, nonblock, flags);
  }
  *has_from = true;
  return datagram_receive(*s, data, len, nonblock, flags, from);
}

} // namespace uk::net

namespace uk {

using namespace net;

UK_SYSCALL_DECLARE(close);

UK_SYSCALL(socket) {
  int domain = int(args.a0), type = int(args.a1 & 0xf), protocol = int(args.a2);
  unsigned flags = unsigned(args.a1) & ~0xfu;
  if (flags & ~(SocketNonblock | SocketCloexec))
    return -EINVAL;
  if (domain == AddressNetlink)
    return -EAFNOSUPPORT; // glibc asks for it and falls back: no note
  if (domain != AddressInet) {
    not_supported(domain == AddressInet6  ? "IPv6 (AF_INET6)"
                  : domain == AddressUnix ? "Unix domain sockets (AF_UNIX; glibc's name "
                                            "lookups try nscd there first and carry on)"
                                          : "this address family");
    return -EAFNOSUPPORT;
  }
  if (type != StreamSocket && type != DatagramSocket) {
    not_supported("this socket type (only SOCK_STREAM and SOCK_DGRAM)");
    return -ESOCKTNOSUPPORT;
  }
  if (protocol && protocol != (type == StreamSocket ? 6 : 17))
    return -EPROTONOSUPPORT;
  stack_start();
  Socket *s = socket_alloc(type);
  if (!s)
    return -ENOMEM;
  long opened = type == StreamSocket ? stream_open(*s) : datagram_open(*s);
  if (opened) {
    socket_free(*s);
    return opened;
  }
  return install_accepted(s, flags);
}

UK_SYSCALL(bind) {
  long error;
  Socket *s = socket_at(args.a0, error);
  if (!s)
    return error;
  InetAddress a;
  if (long e = read_address(args.a1, args.a2, a))
    return e;
  return s->type == StreamSocket ? stream_bind(*s, a) : datagram_bind(*s, a);
}

UK_SYSCALL(listen) {
  long error;
  Socket *s = socket_at(args.a0, error);
  if (!s)
    return error;
  if (s->type != StreamSocket)
    return -EOPNOTSUPP;
  long done = stream_listen(*s, int(args.a1));
  stack_done();
  return done;
}

UK_SYSCALL(accept4) {
  long error;
  File *f;
  Socket *s = socket_at(args.a0, error, &f);
  if (!s)
    return error;
  if (args.a3 & ~uint64_t(SocketNonblock | SocketCloexec))
    return -EINVAL;
  if (s->type != StreamSocket)
    return -EOPNOTSUPP;
  if (args.a1 && !user_ok(args.a2, sizeof(int), ProtRead | ProtWrite))
    return -EFAULT;
  Socket *accepted;
  if (long e = stream_accept(*s, nonblocking(*f), accepted))
    return e;
  InetAddress peer = {AddressInet, 0, 0, {}};
  stream_peer(*accepted, peer);
  long fd = install_accepted(accepted, unsigned(args.a3));
  if (fd >= 0 && write_address(peer, args.a1, args.a2)) {
    sys_close(uint64_t(fd), 0, 0, 0, 0, 0);
    return -EFAULT;
  }
  return fd;
}

UK_SYSCALL(accept) { return sys_accept4(args.a0, args.a1, args.a2, 0, 0, 0); }

UK_SYSCALL(connect) {
  long error;
  File *f;
  Socket *s = socket_at(args.a0, error, &f);
  if (!s)
    return error;
  InetAddress a;
  if (long e = read_address(args.a1, args.a2, a, s->type == DatagramSocket))
    return e;
  if (s->type == DatagramSocket)
    return datagram_connect(*s, a);
  return stream_connect(*s, a, nonblocking(*f));
}

UK_SYSCALL(shutdown) {
  long error;
  Socket *s = socket_at(args.a0, error);
  if (!s)
    return error;
  if (args.a1 > 2)
    return -EINVAL;
  bool read = args.a1 != 1, write = args.a1 != 0;
  if (s->type == DatagramSocket) {
    if (!s->connected)
      return -ENOTCONN;
    s->shut_read |= read;
    s->shut_write |= write;
    return 0;
  }
  return stream_shutdown(*s, read, write);
}

UK_SYSCALL(getsockname) {
  long error;
  Socket *s = socket_at(args.a0, error);
  if (!s)
    return error;
  InetAddress a = {AddressInet, 0, 0, {}};
  if (s->type == StreamSocket)
    stream_local(*s, a);
  else
    datagram_local(*s, a);
  if (!args.a1)
    return -EFAULT;
  return write_address(a, args.a1, args.a2);
}

UK_SYSCALL(getpeername) {
  long error;
  Socket *s = socket_at(args.a0, error);
  if (!s)
    return error;
  InetAddress a;
  if (!(s->type == StreamSocket ? stream_peer(*s, a) : datagram_peer(*s, a)))
    return -ENOTCONN;
  if (!args.a1)
    return -EFAULT;
  return write_address(a, args.a1, args.a2);
}

} // namespace uk
