// messages.cpp: sendto, recvfrom, sendmsg and recvmsg. Messages of several buffers
// are gathered into one (a datagram stays one datagram; a stream send stays one
// write), up to 64 KiB; larger stream messages are sent buffer by buffer.
#include "socket.h"

#include "uk/syscall.h"
#include "uk/vm.h"

namespace uk {

using namespace net;

namespace {

struct IoVec {
  uint64_t base, length;
};

struct Message { // struct msghdr
  uint64_t name;
  uint32_t name_length;
  uint32_t pad;
  uint64_t iov;
  uint64_t iov_count;
  uint64_t control, control_length;
  int32_t flags;
  int32_t pad2;
};
static_assert(sizeof(Message) == 56);

char gather[65536];

/// The message's buffers, checked; -errno or 0.
long read_message(uint64_t addr, bool write_to_buffers, Message &m, const IoVec *&iov,
                  uint64_t &total) {
  if (!user_ok(addr, sizeof m, ProtRead | (write_to_buffers ? ProtWrite : 0)))
    return -EFAULT;
  memcpy(&m, reinterpret_cast<const void *>(addr), sizeof m);
  if (m.iov_count > 1024)
    return -EMSGSIZE;
  if (!user_ok(m.iov, m.iov_count * sizeof(IoVec), ProtRead))
    return -EFAULT;
  iov = reinterpret_cast<const IoVec *>(m.iov);
  total = 0;
  for (uint64_t i = 0; i < m.iov_count; ++i) {
    if (!user_ok(iov[i].base, iov[i].length, write_to_buffers ? ProtWrite : ProtRead))
      return -EFAULT;
    total += iov[i].length;
  }
  return 0;
}

long read_peer(uint64_t addr, uint64_t length, InetAddress &to, const InetAddress *&out) {
  out = nullptr;
  if (!addr)
    return 0;
  if (length < sizeof to || !user_ok(addr, sizeof to, ProtRead))
    return length < sizeof to ? -EINVAL : -EFAULT;
  memcpy(&to, reinterpret_cast<const void *>(addr), sizeof to);
  if (to.family != AddressInet)
    return -EAFNOSUPPORT;
  out = &to;
  return 0;
}

long give_peer(const InetAddress &from, bool has_from, uint64_t addr, uint64_t length_addr) {
  if (!addr || !length_addr)
    return 0;
  if (!user_ok(length_addr, 4, ProtRead | ProtWrite))
    return -EFAULT;
  int length = *reinterpret_cast<int *>(length_addr);
  if (!has_from) {
    *reinterpret_cast<int *>(length_addr) = 0; // a stream: no address, as Linux
    return 0;
  }
  size_t n = length < 0 ? 0 : size_t(length) < sizeof from ? size_t(length) : sizeof from;
  if (!user_ok(addr, n, ProtWrite))
    return -EFAULT;
  memcpy(reinterpret_cast<void *>(addr), &from, n);
  *reinterpret_cast<int *>(length_addr) = sizeof from;
  return 0;
}

} // namespace

UK_SYSCALL(sendto) {
  if (!user_ok(args.a1, args.a2, ProtRead))
    return -EFAULT;
  InetAddress to;
  const InetAddress *peer;
  if (long e = read_peer(args.a4, args.a5, to, peer))
    return e;
  return socket_send(args.a0, reinterpret_cast<const char *>(args.a1), args.a2, int(args.a3),
                     peer);
}

UK_SYSCALL(recvfrom) {
  if (!user_ok(args.a1, args.a2, ProtWrite))
    return -EFAULT;
  InetAddress from = {};
  bool has_from = false;
  long n = socket_receive(args.a0, reinterpret_cast<char *>(args.a1), args.a2, int(args.a3),
                          &from, &has_from);
  if (n >= 0)
    if (long e = give_peer(from, has_from, args.a4, args.a5))
      return e;
  return n;
}

UK_SYSCALL(sendmsg) {
  Message m;
  const IoVec *iov;
  uint64_t total;
  if (long e = read_message(args.a1, false, m, iov, total))
    return e;
  InetAddress to;
  const InetAddress *peer;
  if (long e = read_peer(m.name, m.name_length, to, peer))
    return e;
  int flags = int(args.a2);
  if (m.iov_count == 1)
    return socket_send(args.a0, reinterpret_cast<const char *>(iov[0].base), iov[0].length,
                       flags, peer);
  if (total <= sizeof gather) {
    uint64_t at = 0;
    for (uint64_t i = 0; i < m.iov_count; ++i) {
      memcpy(gather + at, reinterpret_cast<const void *>(iov[i].base), iov[i].length);
      at += iov[i].length;
    }
    return socket_send(args.a0, gather, total, flags, peer);
  }
  long done = 0;
  for (uint64_t i = 0; i < m.iov_count; ++i) {
    long n = socket_send(args.a0, reinterpret_cast<const char *>(iov[i].base), iov[i].length,
                         flags, peer);
    if (n < 0)
      return done ? done : n;
    done += n;
    if (uint64_t(n) < iov[i].length)
      break;
  }
  return done;
}

UK_SYSCALL(recvmsg) {
  Message m;
  const IoVec *iov;
  uint64_t total;
  if (long e = read_message(args.a1, true, m, iov, total))
    return e;
  InetAddress from = {};
  bool has_from = false;
  int flags = int(args.a2);
  long n;
  if (m.iov_count == 1) {
    n = socket_receive(args.a0, reinterpret_cast<char *>(iov[0].base), iov[0].length, flags,
                       &from, &has_from);
  } else {
    n = socket_receive(args.a0, gather, total < sizeof gather ? total : sizeof gather, flags,
                       &from, &has_from);
    for (uint64_t i = 0, at = 0; n > 0 && i < m.iov_count && at < uint64_t(n); ++i) {
      uint64_t part = uint64_t(n) - at < iov[i].length ? uint64_t(n) - at : iov[i].length;
      memcpy(reinterpret_cast<void *>(iov[i].base), gather + at, part);
      at += part;
    }
  }
  if (n < 0)
    return n;
  auto *out = reinterpret_cast<Message *>(args.a1);
  out->control_length = 0; // no ancillary data
  out->flags = 0;
  if (m.name && has_from) {
    size_t length = m.name_length < sizeof from ? m.name_length : sizeof from;
    if (!user_ok(m.name, length, ProtWrite))
      return -EFAULT;
    memcpy(reinterpret_cast<void *>(m.name), &from, length);
    out->name_length = sizeof from;
  } else {
    out->name_length = 0;
  }
  return n;
}

/// struct mmsghdr: a message and how many bytes went with it.
struct MultiMessage {
  Message header;
  uint32_t length;
  uint32_t pad;
};
static_assert(sizeof(MultiMessage) == 64);

/// sendmmsg and recvmmsg: the messages one after the other (glibc's resolver sends
/// its A and AAAA questions in one sendmmsg). Returns how many went, or the first
/// message's error.
long each_message(const SyscallArgs &args, bool send) {
  uint64_t count = args.a2 < 1024 ? args.a2 : 1024; // UIO_MAXIOV, as Linux caps it
  if (!user_ok(args.a1, count * sizeof(MultiMessage), ProtRead | ProtWrite))
    return -EFAULT;
  auto *messages = reinterpret_cast<MultiMessage *>(args.a1);
  constexpr uint64_t WaitForOne = 0x10000; // MSG_WAITFORONE: only the first may wait
  uint64_t flags = args.a3 & ~WaitForOne;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t address = reinterpret_cast<uint64_t>(&messages[i].header);
    long n = send ? sys_sendmsg(args.a0, address, flags, 0, 0, 0)
                  : sys_recvmsg(args.a0, address, flags, 0, 0, 0);
    if (n < 0)
      return i ? long(i) : n;
    messages[i].length = uint32_t(n);
    if (!send && (args.a3 & WaitForOne))
      flags |= MsgDontwait;
  }
  return long(count);
}

UK_SYSCALL(sendmmsg) { return each_message(args, true); }

// The timeout (a4) is not applied: the calls wait as recvmsg does.
UK_SYSCALL(recvmmsg) { return each_message(args, false); }

} // namespace uk
