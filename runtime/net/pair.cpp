// pair.cpp: socketpair(AF_UNIX): the guest has no Unix domain sockets, so a pair is
// two loopback sockets connected to each other: TCP for SOCK_STREAM, UDP for
// SOCK_DGRAM. Data, the end of file, shutdown, poll and non-blocking work as on a Unix
// pair; descriptors and credentials cannot be passed, and getsockname shows AF_INET.
#include "socket.h"
#include "stack.h"

#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/fcntl.h>

namespace uk {

using namespace net;

UK_SYSCALL_DECLARE(socket);
UK_SYSCALL_DECLARE(close);

namespace {

/// The address Fd is bound to, in kernel memory.
InetAddress name_of(long fd) {
  InetAddress a = {};
  long error;
  Socket *s = socket_for_options(uint64_t(fd), error);
  if (s && !(s->type == StreamSocket ? stream_local(*s, a) : datagram_local(*s, a)))
    a = {};
  return a;
}

/// Binds Fd to 127.0.0.1 on a port of lwIP's choice.
long bind_loopback(long fd) {
  InetAddress a = {AddressInet, 0, 0x0100007f, {}}; // network byte order
  long error;
  Socket *s = socket_for_options(uint64_t(fd), error);
  return s->type == StreamSocket ? stream_bind(*s, a) : datagram_bind(*s, a);
}

long make_pair(int type, long fds[2]) {
  Socket *s[2] = {};
  long error;
  fds[0] = sys_socket(AddressInet, uint64_t(type), 0, 0, 0, 0);
  if (fds[0] < 0)
    return fds[0];
  if (long e = bind_loopback(fds[0]))
    return e;
  s[0] = socket_for_options(uint64_t(fds[0]), error);
  if (type == DatagramSocket) {
    fds[1] = sys_socket(AddressInet, uint64_t(type), 0, 0, 0, 0);
    if (fds[1] < 0)
      return fds[1];
    if (long e = bind_loopback(fds[1]))
      return e;
    s[1] = socket_for_options(uint64_t(fds[1]), error);
    InetAddress a0 = name_of(fds[0]), a1 = name_of(fds[1]);
    if (long e = datagram_connect(*s[0], a1))
      return e;
    return datagram_connect(*s[1], a0);
  }
  // A stream: the first listens, a second connects, and what it accepts replaces
  // the listener.
  if (long e = stream_listen(*s[0], 1))
    return e;
  long client = sys_socket(AddressInet, uint64_t(type), 0, 0, 0, 0);
  if (client < 0)
    return client;
  fds[1] = client;
  Socket *c = socket_for_options(uint64_t(client), error);
  InetAddress a = name_of(fds[0]);
  if (long e = stream_connect(*c, a, false))
    return e;
  Socket *accepted;
  if (long e = stream_accept(*s[0], true, accepted))
    return e;
  long server = install_accepted(accepted, 0);
  if (server < 0)
    return server;
  // A Unix pair has no Nagle delay: each write goes at once.
  stream_set_nodelay(*c, true);
  stream_set_nodelay(*accepted, true);
  sys_close(uint64_t(fds[0]), 0, 0, 0, 0, 0);
  fds[0] = server;
  return 0;
}

} // namespace

UK_SYSCALL(socketpair) {
  int domain = int(args.a0), type = int(args.a1 & 0xf);
  unsigned flags = unsigned(args.a1) & ~0xfu;
  if (domain != AddressUnix)
    return domain == AddressInet ? -EOPNOTSUPP : -EAFNOSUPPORT;
  if (flags & ~(SocketNonblock | SocketCloexec))
    return -EINVAL;
  if (type != StreamSocket && type != DatagramSocket) {
    not_supported("socketpair of this type (only SOCK_STREAM and SOCK_DGRAM)");
    return -EOPNOTSUPP;
  }
  if (!user_ok(args.a3, 2 * sizeof(int), ProtWrite))
    return -EFAULT;
  stack_start();
  long fds[2] = {-1, -1};
  long e = make_pair(type, fds);
  if (e < 0) {
    for (long fd : fds)
      if (fd >= 0)
        sys_close(uint64_t(fd), 0, 0, 0, 0, 0);
    return e == -EMFILE ? e : -ENFILE;
  }
  for (long fd : fds) {
    File *f = file(uint64_t(fd));
    f->flags = (f->flags & ~unsigned(O_NONBLOCK)) | (flags & O_NONBLOCK);
    f->cloexec = flags & SocketCloexec;
  }
  auto *out = reinterpret_cast<int *>(args.a3);
  out[0] = int(fds[0]);
  out[1] = int(fds[1]);
  return 0;
}

} // namespace uk
