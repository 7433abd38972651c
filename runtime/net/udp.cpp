// udp.cpp: UDP sockets on lwIP's raw API: received datagrams wait in the socket with
// their sender, up to MaxDatagrams (later ones are dropped, as a full receive buffer
// drops them on Linux).
#include "socket.h"
#include "stack.h"

#include "uk/sched.h"
#include "uk/signal.h"
#include "uk/syscall.h"

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"

#include <asm/poll.h>

namespace uk::net {
namespace {

void on_receive(void *arg, udp_pcb *, pbuf *p, const ip_addr_t *from, u16_t port) {
  auto *s = static_cast<Socket *>(arg);
  if (s->datagram_count == MaxDatagrams) {
    pbuf_free(p);
    return;
  }
  s->datagrams[(s->datagram_first + s->datagram_count++) % MaxDatagrams] = {
      p, ip_2_ip4(from)->addr, port};
  socket_changed(*s);
}

/// A datagram to this machine's own address on a port no socket has: Linux's ICMP
/// "port unreachable" makes a connected socket's next call fail with ECONNREFUSED
/// (glibc's resolver gives up at once on 127.0.0.1:53 that way). lwIP sends that
/// ICMP message but tells no socket, so the check is made here.
bool unreachable_here(const ip_addr_t &to, u16_t port) {
  bool local = ip4_addr_isloopback(ip_2_ip4(&to));
  for (netif *n = netif_list; n && !local; n = n->next)
    local = ip4_addr_cmp(ip_2_ip4(&to), netif_ip4_addr(n));
  if (!local)
    return false;
  for (udp_pcb *pcb = udp_pcbs; pcb; pcb = pcb->next)
    if (pcb->local_port == port)
      return false;
  return true;
}

void set_address(InetAddress &a, const ip_addr_t &ip, u16_t port) {
  a = {AddressInet, lwip_htons(port), ip_2_ip4(&ip)->addr, {}};
}

} // namespace

long datagram_open(Socket &s) {
  s.udp = udp_new();
  if (!s.udp)
    return -ENOBUFS;
  udp_recv(s.udp, on_receive, &s);
  return 0;
}

long datagram_bind(Socket &s, const InetAddress &a) {
  if (s.udp->local_port)
    return -EINVAL;
  ip_addr_t ip = IPADDR4_INIT(a.address);
  if (s.reuse_address)
    ip_set_option(s.udp, SOF_REUSEADDR);
  err_t err = ::udp_bind(s.udp, &ip, lwip_ntohs(a.port));
  return err == ERR_USE ? -EADDRINUSE : err == ERR_OK ? 0 : -EINVAL;
}

long datagram_connect(Socket &s, const InetAddress &a) {
  if (a.family != AddressInet) { // AF_UNSPEC dissolves the association
    udp_disconnect(s.udp);
    s.connected = false;
    return 0;
  }
  ip_addr_t ip = IPADDR4_INIT(a.address);
  if (::udp_connect(s.udp, &ip, lwip_ntohs(a.port)) != ERR_OK)
    return -EINVAL;
  s.connected = true;
  return 0;
}

long datagram_send(Socket &s, const char *data, size_t length, const InetAddress *to) {
  if (!to && !s.connected)
    return -EDESTADDRREQ;
  if (length > 65507)
    return -EMSGSIZE;
  pbuf *p = pbuf_alloc(PBUF_TRANSPORT, u16_t(length), PBUF_RAM);
  if (!p)
    return -ENOBUFS;
  memcpy(p->payload, data, length);
  err_t err;
  if (to) {
    ip_addr_t ip = IPADDR4_INIT(to->address);
    err = udp_sendto(s.udp, p, &ip, lwip_ntohs(to->port));
  } else {
    err = ::udp_send(s.udp, p);
  }
  pbuf_free(p);
  stack_done();
  if (err == ERR_OK && s.connected && unreachable_here(s.udp->remote_ip, s.udp->remote_port))
    s.error = ECONNREFUSED;
  if (err == ERR_RTE)
    return -ENETUNREACH;
  if (err == ERR_MEM || err == ERR_BUF)
    return -ENOBUFS;
  return err == ERR_OK ? long(length) : -EIO;
}

long datagram_receive(Socket &s, char *data, size_t length, bool nonblock, int flags,
                      InetAddress *from) {
  if (s.error && s.connected) {
    long e = -s.error;
    s.error = 0;
    return e;
  }
  uint64_t deadline = deadline_after(s.receive_timeout);
  while (!s.datagram_count)
    if (long e = socket_wait("socket receive", nonblock, deadline))
      return e;
  ReceivedDatagram &d = s.datagrams[s.datagram_first];
  size_t size = d.data->tot_len;
  size_t n = pbuf_copy_partial(d.data, data, u16_t(length < size ? length : size), 0);
  if (from)
    *from = {AddressInet, lwip_htons(d.port), d.address, {}};
  if (!(flags & MsgPeek)) {
    pbuf_free(d.data);
    s.datagram_first = (s.datagram_first + 1) % MaxDatagrams;
    --s.datagram_count;
  }
  return long(flags & MsgTrunc ? size : n);
}

short datagram_poll(const Socket &s) {
  return short(POLLOUT | POLLWRNORM | (s.datagram_count ? POLLIN | POLLRDNORM : 0) |
               (s.error ? POLLERR : 0));
}

void datagram_close(Socket &s) {
  if (s.udp)
    udp_remove(s.udp);
  s.udp = nullptr;
  while (s.datagram_count) {
    pbuf_free(s.datagrams[s.datagram_first].data);
    s.datagram_first = (s.datagram_first + 1) % MaxDatagrams;
    --s.datagram_count;
  }
}

bool datagram_local(const Socket &s, InetAddress &a) {
  set_address(a, s.udp->local_ip, s.udp->local_port);
  return true;
}

bool datagram_peer(const Socket &s, InetAddress &a) {
  if (!s.connected)
    return false;
  set_address(a, s.udp->remote_ip, s.udp->remote_port);
  return true;
}

} // namespace uk::net
