// options.cpp: getsockopt and setsockopt: the options servers set (SO_REUSEADDR,
// TCP_NODELAY, SO_KEEPALIVE and its TCP timings...) take effect or are accepted as
// harmless; SO_ERROR, SO_TYPE and friends answer as Linux; others fail with
// ENOPROTOOPT, said once.
#include "socket.h"
#include "stack.h"

#include "uk/syscall.h"
#include "uk/vm.h"

#include "lwip/tcp.h"

namespace uk {

using namespace net;

namespace {

constexpr int SolSocket = 1, ProtoIp = 0, ProtoTcp = 6, ProtoIpv6 = 41;
enum SocketOption {
  ReuseAddr = 2,
  Type = 3,
  Error = 4,
  DontRoute = 5,
  Broadcast = 6,
  SendBuffer = 7,
  ReceiveBuffer = 8,
  KeepAlive = 9,
  OobInline = 10,
  Linger = 13,
  ReusePort = 15,
  ReceiveLowat = 18,
  SendLowat = 19,
  ReceiveTimeout = 20,
  SendTimeout = 21,
  AcceptConn = 30,
  Protocol = 38,
  Domain = 39,
};
enum TcpOption {
  NoDelay = 1,
  MaxSegment = 2,
  Cork = 3,
  KeepIdle = 4,
  KeepInterval = 5,
  KeepCount = 6,
  DeferAccept = 9,
  QuickAck = 12,
  FastOpen = 23,
};
constexpr int IpTos = 1, IpTtl = 2, IpMtuDiscover = 10, IpReceiveErrors = 11;

long set_socket_option(Socket &s, int name, int value, uint64_t length) {
  switch (name) {
  case ReuseAddr:
    s.reuse_address = value;
    return 0;
  case KeepAlive:
    if (s.type == StreamSocket)
      stream_set_keepalive(s, value);
    return 0;
  case SendBuffer:
  case ReceiveBuffer: // lwIP's buffers are sized for the whole stack
  case DontRoute:
  case Broadcast:
  case OobInline:
  case ReusePort:
  case ReceiveLowat:
  case SendLowat:
    return 0;
  case Linger:
    return length < 8 ? -EINVAL : 0; // a close sends what is queued, in the background
  case ReceiveTimeout:
  case SendTimeout:
    not_supported(
        "SO_RCVTIMEO/SO_SNDTIMEO (the option is accepted; calls wait without a limit)");
    return 0;
  default:
    not_supported("this SOL_SOCKET option");
    return -ENOPROTOOPT;
  }
}

/// SO_RCVTIMEO and SO_SNDTIMEO: a struct timeval, as Linux checks it.
long set_timeout(Socket &s, int name, uint64_t addr, uint64_t length) {
  if (length < 16)
    return -EINVAL;
  if (!user_ok(addr, 16, ProtRead))
    return -EFAULT;
  auto *tv = reinterpret_cast<const int64_t *>(addr);
  if (tv[1] < 0 || tv[1] >= 1000000)
    return -EDOM;
  uint64_t ns = tv[0] < 0 ? 0 : uint64_t(tv[0]) * 1000000000 + uint64_t(tv[1]) * 1000;
  (name == ReceiveTimeout ? s.receive_timeout : s.send_timeout) = ns;
  return 0;
}

long set_tcp_option(Socket &s, int name, int value) {
  if (s.type != StreamSocket)
    return -ENOPROTOOPT;
  switch (name) {
  case NoDelay:
    stream_set_nodelay(s, value);
    return 0;
  case KeepIdle:
  case KeepInterval:
    if (value < 1 || value > 32767)
      return -EINVAL;
    if (s.tcp && !s.listening) {
      if (name == KeepIdle)
        s.tcp->keep_idle = u32_t(value) * 1000;
      else
        s.tcp->keep_intvl = u32_t(value) * 1000;
    }
    return 0;
  case KeepCount:
    if (value < 1 || value > 127)
      return -EINVAL;
    if (s.tcp && !s.listening)
      s.tcp->keep_cnt = u32_t(value);
    return 0;
  case Cork: // segments are merged anyway until the window or Nagle sends them
  case MaxSegment:
  case DeferAccept:
  case QuickAck:
  case FastOpen:
    return 0;
  default:
    not_supported("this IPPROTO_TCP option");
    return -ENOPROTOOPT;
  }
}

long get_option(Socket &s, int level, int name, int &value) {
  if (level == SolSocket) {
    switch (name) {
    case Type:
      value = s.type;
      return 0;
    case Error:
      value = s.error;
      s.error = 0;
      return 0;
    case ReuseAddr:
      value = s.reuse_address;
      return 0;
    case KeepAlive:
      value = s.keepalive;
      return 0;
    case AcceptConn:
      value = s.listening;
      return 0;
    case Protocol:
      value = s.type == StreamSocket ? 6 : 17;
      return 0;
    case Domain:
      value = AddressInet;
      return 0;
    case SendBuffer:
      value = TCP_SND_BUF;
      return 0;
    case ReceiveBuffer:
      value = TCP_WND;
      return 0;
    case Linger:
    case ReceiveTimeout: // (the whole structure is written by the caller)
    case SendTimeout:
      value = 0;
      return 0;
    }
  } else if (level == ProtoTcp && s.type == StreamSocket) {
    switch (name) {
    case NoDelay:
      value = s.nodelay;
      return 0;
    case MaxSegment:
      value = TCP_MSS;
      return 0;
    }
  }
  not_supported("this socket option (getsockopt)");
  return -ENOPROTOOPT;
}

} // namespace

UK_SYSCALL(setsockopt) {
  long error;
  Socket *s = socket_for_options(args.a0, error);
  if (!s)
    return error;
  int level = int(args.a1), name = int(args.a2);
  if (args.a4 < sizeof(int))
    return -EINVAL;
  if (!user_ok(args.a3, sizeof(int), ProtRead))
    return -EFAULT;
  int value = *reinterpret_cast<const int *>(args.a3);
  switch (level) {
  case SolSocket:
    if (name == ReceiveTimeout || name == SendTimeout)
      return set_timeout(*s, name, args.a3, args.a4);
    return set_socket_option(*s, name, value, args.a4);
  case ProtoTcp:
    return set_tcp_option(*s, name, value);
  case ProtoIp:
    // Accepted, changing nothing: glibc's resolver asks for IP_RECVERR, and path MTU
    // discovery is lwIP's own business.
    if (name == IpTos || name == IpTtl || name == IpMtuDiscover || name == IpReceiveErrors)
      return 0;
    not_supported("this IPPROTO_IP option");
    return -ENOPROTOOPT;
  case ProtoIpv6:
    return -ENOPROTOOPT; // IPV6_V6ONLY and the rest: an IPv4 socket
  default:
    not_supported("this socket option level");
    return -ENOPROTOOPT;
  }
}

UK_SYSCALL(getsockopt) {
  long error;
  Socket *s = socket_for_options(args.a0, error);
  if (!s)
    return error;
  if (!user_ok(args.a4, sizeof(int), ProtRead | ProtWrite))
    return -EFAULT;
  int length = *reinterpret_cast<int *>(args.a4);
  if (length < 0)
    return -EINVAL;
  int value = 0;
  if (long e = get_option(*s, int(args.a1), int(args.a2), value))
    return e;
  // struct linger and struct timeval are longer than an int, and all zero here.
  int name = int(args.a2);
  bool socket_level = int(args.a1) == SolSocket;
  size_t size = socket_level && name == Linger                                    ? 8
                : socket_level && (name == ReceiveTimeout || name == SendTimeout) ? 16
                                                                                  : 4;
  char out[16] = {};
  memcpy(out, &value, sizeof value);
  if (size == 16) { // a timeout, as a struct timeval
    uint64_t ns = name == ReceiveTimeout ? s->receive_timeout : s->send_timeout;
    int64_t tv[2] = {int64_t(ns / 1000000000), int64_t(ns % 1000000000 / 1000)};
    memcpy(out, tv, sizeof tv);
  }
  size_t n = size_t(length) < size ? size_t(length) : size;
  if (!user_ok(args.a3, n, ProtWrite))
    return -EFAULT;
  memcpy(reinterpret_cast<void *>(args.a3), out, n);
  *reinterpret_cast<int *>(args.a4) = int(n);
  return 0;
}

} // namespace uk
