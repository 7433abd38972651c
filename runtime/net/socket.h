// socket.h: sockets as files: their state, shared by the TCP and UDP halves and the
// system calls. Linux's constants are spelled here because the kernel's UAPI headers
// leave them to libc.
#pragma once

#include "../linux/file.h"

struct tcp_pcb;
struct udp_pcb;
struct pbuf;

namespace uk::net {

// Linux's values (include/linux/socket.h, net.h, in.h, tcp.h).
constexpr int AddressUnix = 1, AddressInet = 2, AddressInet6 = 10, AddressNetlink = 16;
constexpr int StreamSocket = 1, DatagramSocket = 2;
constexpr unsigned SocketNonblock = 04000, SocketCloexec = 02000000;
constexpr int MsgPeek = 0x2, MsgTrunc = 0x20, MsgDontwait = 0x40, MsgWaitall = 0x100,
              MsgNosignal = 0x4000;

/// struct sockaddr_in.
struct InetAddress {
  uint16_t family;
  uint16_t port;    // network byte order
  uint32_t address; // network byte order
  uint8_t zero[8];
};
static_assert(sizeof(InetAddress) == 16);

struct ReceivedDatagram {
  pbuf *data;
  uint32_t address;
  uint16_t port; // host byte order
};

constexpr int MaxPending = 128, MaxDatagrams = 64;

struct Socket {
  FileObject header;
  int refs;
  int type; // StreamSocket or DatagramSocket
  tcp_pcb *tcp;
  udp_pcb *udp;
  bool listening, connecting, connected, accepted;
  bool peer_closed; // FIN received: reads give 0 once the data is read
  bool shut_read, shut_write;
  bool fin_pending; // shut_write's FIN waits for room in the send queue
  bool reuse_address, keepalive, nodelay;
  int error;  // for SO_ERROR, taken by it: a positive errno
  int broken; // the connection's end (ECONNRESET...), for every later call
  int backlog;
  uint64_t receive_timeout, send_timeout; // SO_RCVTIMEO, SO_SNDTIMEO in ns; 0: none
  // TCP: the bytes received and not yet read, a list of lwIP buffers.
  pbuf *received, *received_last;
  uint32_t received_offset; // bytes of the first buffer already read
  uint32_t received_bytes;
  // A listening TCP socket: connections waiting to be accepted.
  Socket *pending[MaxPending];
  int pending_count;
  // UDP: datagrams waiting to be read.
  ReceivedDatagram datagrams[MaxDatagrams];
  int datagram_first, datagram_count;
};
static_assert(sizeof(Socket) <= 4096);

inline Socket &socket_of(const File &f) { return *static_cast<Socket *>(f.object); }

/// A zeroed socket of Type, with one reference; null if memory ran out.
Socket *socket_alloc(int type);
void socket_free(Socket &s);

/// Puts S in the descriptor table (Flags: SOCK_NONBLOCK, SOCK_CLOEXEC) and returns its
/// descriptor; on failure (-EMFILE) S is closed.
long install_accepted(Socket *s, unsigned flags);
void socket_changed(Socket &s); // wakes waiters, counts an epoll edge

/// The socket behind descriptor Fd, or null with Error (EBADF, ENOTSOCK).
Socket *socket_for_options(uint64_t fd, long &error);

/// Sends or receives on descriptor Fd's socket, as send/recv with Flags (MSG_*); To
/// and From are the UDP peer (From is filled and Has_from set for UDP).
long socket_send(uint64_t fd, const char *data, size_t len, int flags, const InetAddress *to);
long socket_receive(uint64_t fd, char *data, size_t len, int flags, InetAddress *from,
                    bool *has_from);

/// The TSC deadline of a call that may wait Timeout ns (SO_RCVTIMEO...); 0: none.
uint64_t deadline_after(uint64_t timeout);

/// Before a wait for the socket to change: -EAGAIN if the call must not wait
/// (non-blocking, or its deadline passed), -RestartSys if a signal came, else waits
/// (until a change or the deadline) and returns 0.
long socket_wait(const char *reason, bool nonblock, uint64_t deadline);

/// Sends SIGPIPE (unless No_signal) and returns -EPIPE.
long broken_pipe(bool no_signal);

// TCP (tcp.cpp); results are 0/counts or negative errnos.
long stream_open(Socket &s);
long stream_bind(Socket &s, const InetAddress &a);
long stream_listen(Socket &s, int backlog);
long stream_accept(Socket &listener, bool nonblock, Socket *&out);
long stream_connect(Socket &s, const InetAddress &a, bool nonblock);
long stream_send(Socket &s, const char *data, size_t length, bool nonblock, int flags);
long stream_receive(Socket &s, char *data, size_t length, bool nonblock, int flags);
long stream_shutdown(Socket &s, bool read, bool write);
short stream_poll(const Socket &s);
void stream_close(Socket &s);
bool stream_local(const Socket &s, InetAddress &a);
bool stream_peer(const Socket &s, InetAddress &a);
void stream_set_nodelay(Socket &s, bool on);
void stream_set_keepalive(Socket &s, bool on);

// UDP (udp.cpp).
long datagram_open(Socket &s);
long datagram_bind(Socket &s, const InetAddress &a);
long datagram_connect(Socket &s, const InetAddress &a);
long datagram_send(Socket &s, const char *data, size_t length, const InetAddress *to);
long datagram_receive(Socket &s, char *data, size_t length, bool nonblock, int flags,
                      InetAddress *from);
short datagram_poll(const Socket &s);
void datagram_close(Socket &s);
bool datagram_local(const Socket &s, InetAddress &a);
bool datagram_peer(const Socket &s, InetAddress &a);

} // namespace uk::net
