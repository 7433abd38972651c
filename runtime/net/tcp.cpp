// tcp.cpp: TCP sockets on lwIP's raw API. lwIP calls back (from a system call or the
// device's interrupt) when data, acknowledgements, connections or errors arrive; the
// callbacks only record them in the socket and wake its waiters, and the system
// calls wait for what they need as pipes do.
#include "socket.h"
#include "stack.h"

#include "uk/sched.h"
#include "uk/signal.h"
#include "uk/syscall.h"

#include "lwip/ip4_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"

#include <asm/poll.h>

namespace uk::net {
namespace {

constexpr short RdHup = 0x2000; // POLLRDHUP

/// The errno of a connection lwIP ended (its pcb is gone), as Linux's tcp_reset
/// chooses it: a reset after the peer's FIN is a broken pipe.
int error_of(err_t err, bool connecting, bool peer_closed) {
  switch (err) {
  case ERR_RST:
    return connecting ? ECONNREFUSED : peer_closed ? EPIPE : ECONNRESET;
  case ERR_ABRT: // lwIP gave up retransmitting
    return ETIMEDOUT;
  case ERR_CLSD:
    return connecting ? ECONNREFUSED : EPIPE;
  default:
    return ECONNABORTED;
  }
}

long errno_of(err_t err) {
  switch (err) {
  case ERR_OK:
    return 0;
  case ERR_MEM:
  case ERR_BUF:
    return -ENOBUFS;
  case ERR_RTE:
    return -ENETUNREACH;
  case ERR_USE:
    return -EADDRINUSE;
  case ERR_ISCONN:
    return -EISCONN;
  case ERR_ALREADY:
    return -EALREADY;
  case ERR_VAL:
  case ERR_ARG:
    return -EINVAL;
  default:
    return -EIO;
  }
}

void on_error(void *arg, err_t err) {
  auto *s = static_cast<Socket *>(arg);
  if (!s)
    return;
  s->tcp = nullptr; // lwIP has freed it
  s->broken = s->error = error_of(err, s->connecting, s->peer_closed);
  s->connecting = false;
  socket_changed(*s);
}

err_t on_receive(void *arg, tcp_pcb *pcb, pbuf *p, err_t err) {
  auto *s = static_cast<Socket *>(arg);
  if (!p) {
    s->peer_closed = true;
  } else {
    // Linked buffer by buffer, not with pbuf_cat: a window holds more than the 64 KiB
    // a chain's tot_len counts.
    if (s->received_last)
      s->received_last->next = p;
    else
      s->received = p;
    pbuf *last = p;
    while (last->next)
      last = last->next;
    s->received_last = last;
    s->received_bytes += p->tot_len;
  }
  socket_changed(*s);
  return ERR_OK;
}

err_t on_sent(void *arg, tcp_pcb *pcb, u16_t) {
  auto *s = static_cast<Socket *>(arg);
  if (s->fin_pending && ::tcp_shutdown(pcb, 0, 1) == ERR_OK)
    s->fin_pending = false;
  socket_changed(*s);
  return ERR_OK;
}

// A closed socket whose FIN found the send queue full: lwIP keeps the connection and
// these retry as acknowledgements make room, or every second.
err_t close_later(void *, tcp_pcb *pcb) {
  ::tcp_close(pcb);
  return ERR_OK;
}

err_t close_when_sent(void *, tcp_pcb *pcb, u16_t) { return close_later(nullptr, pcb); }

err_t on_connected(void *arg, tcp_pcb *, err_t) {
  auto *s = static_cast<Socket *>(arg);
  s->connecting = false;
  s->connected = true;
  socket_changed(*s);
  return ERR_OK;
}

void attach(Socket &s, tcp_pcb *pcb) {
  s.tcp = pcb;
  tcp_arg(pcb, &s);
  tcp_recv(pcb, on_receive);
  tcp_sent(pcb, on_sent);
  tcp_err(pcb, on_error);
}

void detach(tcp_pcb *pcb) {
  tcp_arg(pcb, nullptr);
  if (pcb->state == LISTEN) {
    ::tcp_accept(pcb, nullptr);
    return;
  }
  tcp_recv(pcb, nullptr);
  tcp_sent(pcb, nullptr);
  tcp_err(pcb, nullptr);
}

err_t on_accept(void *arg, tcp_pcb *pcb, err_t err) {
  auto *listener = static_cast<Socket *>(arg);
  if (err != ERR_OK || !pcb || !listener)
    return ERR_VAL;
  if (listener->pending_count >= listener->backlog || listener->pending_count >= MaxPending)
    return ERR_MEM; // lwIP resets the connection
  Socket *s = socket_alloc(StreamSocket);
  if (!s)
    return ERR_MEM;
  attach(*s, pcb);
  s->connected = s->accepted = true;
  if (listener->nodelay)
    tcp_nagle_disable(pcb);
  tcp_backlog_delayed(pcb); // counts against the backlog until accept() takes it
  listener->pending[listener->pending_count++] = s;
  socket_changed(*listener);
  return ERR_OK;
}

/// Frees the first Count received bytes and opens the window by as much.
void consume(Socket &s, size_t count) {
  s.received_bytes -= uint32_t(count);
  while (count) {
    pbuf *p = s.received;
    size_t here = p->len - s.received_offset;
    if (count < here) {
      s.received_offset += uint32_t(count);
      break;
    }
    count -= here;
    s.received = p->next;
    if (!s.received)
      s.received_last = nullptr;
    s.received_offset = 0;
    p->next = nullptr;
    p->tot_len = p->len;
    pbuf_free(p);
  }
}

void open_window(Socket &s, size_t count) {
  while (s.tcp && count) {
    u16_t part = u16_t(count > 0xffff ? 0xffff : count);
    tcp_recved(s.tcp, part);
    count -= part;
  }
}

size_t copy_received(const Socket &s, char *out, size_t length) {
  size_t done = 0;
  uint32_t offset = s.received_offset;
  for (pbuf *p = s.received; p && done < length; p = p->next, offset = 0) {
    size_t n = p->len - offset;
    if (n > length - done)
      n = length - done;
    memcpy(out + done, static_cast<const char *>(p->payload) + offset, n);
    done += n;
  }
  return done;
}

void set_address(InetAddress &a, const ip_addr_t &ip, u16_t port) {
  a = {AddressInet, lwip_htons(port), ip_2_ip4(&ip)->addr, {}};
}

} // namespace

long stream_open(Socket &s) {
  tcp_pcb *pcb = tcp_new();
  if (!pcb)
    return -ENOBUFS;
  attach(s, pcb);
  return 0;
}

long stream_bind(Socket &s, const InetAddress &a) {
  if (!s.tcp || s.connected || s.listening)
    return -EINVAL;
  ip_addr_t ip = IPADDR4_INIT(a.address);
  if (s.reuse_address)
    ip_set_option(s.tcp, SOF_REUSEADDR);
  err_t err = ::tcp_bind(s.tcp, &ip, lwip_ntohs(a.port));
  return err == ERR_USE ? -EADDRINUSE : errno_of(err);
}

long stream_listen(Socket &s, int backlog) {
  if (s.connected || s.connecting || !s.tcp)
    return -EINVAL;
  if (backlog < 1)
    backlog = 1;
  if (backlog > MaxPending)
    backlog = MaxPending;
  s.backlog = backlog;
  if (s.listening)
    return 0; // a new backlog only
  if (s.tcp->local_port == 0) {
    long bound = stream_bind(s, {AddressInet, 0, 0, {}});
    if (bound)
      return bound;
  }
  err_t err;
  tcp_pcb *listener = tcp_listen_with_backlog_and_err(s.tcp, u8_t(backlog), &err);
  if (!listener)
    return errno_of(err);
  s.tcp = listener; // the old pcb is freed
  s.listening = true;
  tcp_arg(listener, &s);
  ::tcp_accept(listener, on_accept);
  return 0;
}

long stream_accept(Socket &l, bool nonblock, Socket *&out) {
  if (!l.listening)
    return -EINVAL;
  uint64_t deadline = deadline_after(l.receive_timeout);
  while (!l.pending_count)
    if (long e = socket_wait("accept", nonblock, deadline))
      return e;
  out = l.pending[0];
  --l.pending_count;
  memmove(l.pending, l.pending + 1, size_t(l.pending_count) * sizeof l.pending[0]);
  if (out->tcp)
    tcp_backlog_accepted(out->tcp);
  stack_done();
  return 0;
}

long stream_connect(Socket &s, const InetAddress &a, bool nonblock) {
  if (s.listening)
    return -EISCONN;
  if (s.connected)
    return -EISCONN;
  if (s.connecting)
    return -EALREADY;
  if (s.broken || !s.tcp) {
    // A failed connection leaves the socket unconnected: it may try again, with a
    // new control block (lwIP freed the old one).
    if (s.tcp || s.accepted)
      return -EISCONN;
    tcp_pcb *pcb = tcp_new();
    if (!pcb)
      return -ENOBUFS;
    attach(s, pcb);
    if (s.nodelay)
      tcp_nagle_disable(pcb);
    s.broken = s.error = 0;
    s.peer_closed = s.shut_read = s.shut_write = s.fin_pending = false;
  }
  ip_addr_t ip = IPADDR4_INIT(a.address);
  s.connecting = true;
  err_t err = ::tcp_connect(s.tcp, &ip, lwip_ntohs(a.port), on_connected);
  if (err != ERR_OK) {
    s.connecting = false;
    return errno_of(err);
  }
  stack_done();
  if (nonblock)
    return -EINPROGRESS;
  while (s.connecting) {
    if (signal_pending())
      return -EINTR; // the connection goes on, as on Linux
    wait_for_files("connect", 0);
  }
  if (!s.connected) {
    int e = s.error;
    s.error = 0;
    return -e;
  }
  return 0;
}

long stream_send(Socket &s, const char *data, size_t length, bool nonblock, int flags) {
  size_t done = 0;
  uint64_t deadline = deadline_after(s.send_timeout);
  while (done < length || !length) {
    if (s.broken) {
      int e = s.error ? s.error : EPIPE;
      s.error = 0;
      if (done)
        break;
      return e == EPIPE ? broken_pipe(flags & MsgNosignal) : -e;
    }
    if (s.shut_write)
      return done ? long(done) : broken_pipe(flags & MsgNosignal);
    if (s.connecting) { // a send waits for the connection, as on Linux
      if (long e = socket_wait("connect", nonblock, deadline))
        return e;
      continue;
    }
    if (!s.connected) // never connected: Linux's answer too
      return broken_pipe(flags & MsgNosignal);
    if (!length)
      return 0;
    size_t room = tcp_sndbuf(s.tcp);
    size_t n = length - done < room ? length - done : room;
    if (n > 0xffff)
      n = 0xffff;
    if (n && tcp_sndqueuelen(s.tcp) < TCP_SND_QUEUELEN) {
      u8_t more = done + n < length ? TCP_WRITE_FLAG_MORE : 0;
      if (::tcp_write(s.tcp, data + done, u16_t(n), TCP_WRITE_FLAG_COPY | more) == ERR_OK) {
        done += n;
        continue;
      }
    }
    ::tcp_output(s.tcp);
    stack_done();
    if (done && nonblock)
      break;
    if (long e = socket_wait("socket send", nonblock, deadline))
      return done ? long(done) : e;
  }
  if (s.tcp)
    ::tcp_output(s.tcp);
  stack_done();
  return long(done);
}

long stream_receive(Socket &s, char *data, size_t length, bool nonblock, int flags) {
  size_t done = 0;
  uint64_t deadline = deadline_after(s.receive_timeout);
  for (;;) {
    if (s.received_bytes && !s.shut_read) {
      size_t n = copy_received(s, data + done, length - done);
      if (!(flags & MsgPeek)) {
        consume(s, n);
        open_window(s, n);
        stack_done();
      }
      done += n;
      if (done == length || !(flags & MsgWaitall) || (flags & MsgPeek))
        return long(done);
      continue;
    }
    if (done)
      if (s.broken || s.peer_closed || s.shut_read || nonblock)
        return long(done);
    if (s.broken) {
      int e = s.broken;
      s.broken = EPIPE; // reported once; later reads see the end
      if (e == EPIPE || e == ECONNABORTED)
        return 0;
      s.error = 0;
      return -e;
    }
    if (s.peer_closed || s.shut_read)
      return 0;
    if (!s.connected && !s.connecting)
      return -ENOTCONN;
    if (!length)
      return 0;
    if (long e = socket_wait("socket receive", nonblock || (flags & MsgDontwait), deadline))
      return done ? long(done) : e;
  }
}

long stream_shutdown(Socket &s, bool read, bool write) {
  if (!s.connected && !s.listening)
    return -ENOTCONN;
  if (read)
    s.shut_read = true;
  if (write && !s.shut_write && s.tcp && !s.listening) {
    s.shut_write = true;
    // With the send queue full the FIN waits for room (on_sent), as Linux queues it.
    if (::tcp_shutdown(s.tcp, 0, 1) != ERR_OK)
      s.fin_pending = true;
    stack_done();
  }
  socket_changed(s);
  return 0;
}

short stream_poll(const Socket &s) {
  short events = 0;
  if (s.listening)
    return s.pending_count ? short(POLLIN | POLLRDNORM) : short(0);
  if (s.received_bytes || s.peer_closed || s.broken || s.shut_read)
    events |= POLLIN | POLLRDNORM;
  if (s.peer_closed)
    events |= RdHup;
  if (s.broken) {
    events |= POLLHUP | POLLOUT | POLLWRNORM;
    if (s.error)
      events |= POLLERR;
  } else if (s.connected && !s.shut_write && s.tcp && tcp_sndbuf(s.tcp) >= TCP_SNDLOWAT &&
             tcp_sndqueuelen(s.tcp) < TCP_SND_QUEUELEN / 2) {
    events |= POLLOUT | POLLWRNORM;
  } else if (!s.connected && !s.connecting) {
    events |= POLLOUT | POLLWRNORM | POLLHUP; // as Linux reports a fresh socket
  }
  if (s.peer_closed && s.shut_write)
    events |= POLLHUP;
  return events;
}

void stream_close(Socket &s) {
  for (int i = 0; i < s.pending_count; ++i) {
    Socket *p = s.pending[i];
    if (p->tcp) {
      detach(p->tcp);
      tcp_abort(p->tcp);
    }
    socket_free(*p);
  }
  s.pending_count = 0;
  if (tcp_pcb *pcb = s.tcp) {
    s.tcp = nullptr;
    detach(pcb);
    // Unread data makes lwIP reset the connection, as Linux does. Otherwise what is
    // queued is still sent, then the FIN, even if the queue has no room for it yet.
    bool unread = s.received_bytes;
    if (::tcp_close(pcb) != ERR_OK) {
      if (unread) {
        tcp_abort(pcb);
      } else {
        tcp_sent(pcb, close_when_sent);
        tcp_poll(pcb, close_later, 2);
      }
    }
  }
  consume(s, s.received_bytes);
  stack_done();
}

bool stream_local(const Socket &s, InetAddress &a) {
  if (!s.tcp)
    return false;
  set_address(a, s.tcp->local_ip, s.tcp->local_port);
  return true;
}

bool stream_peer(const Socket &s, InetAddress &a) {
  if (!s.tcp || !s.connected || s.listening)
    return false;
  set_address(a, s.tcp->remote_ip, s.tcp->remote_port);
  return true;
}

void stream_set_nodelay(Socket &s, bool on) {
  s.nodelay = on;
  if (s.tcp && !s.listening) {
    if (on)
      tcp_nagle_disable(s.tcp);
    else
      tcp_nagle_enable(s.tcp);
  }
}

void stream_set_keepalive(Socket &s, bool on) {
  s.keepalive = on;
  if (s.tcp && !s.listening) {
    if (on)
      ip_set_option(s.tcp, SOF_KEEPALIVE);
    else
      ip_reset_option(s.tcp, SOF_KEEPALIVE);
  }
}

} // namespace uk::net
