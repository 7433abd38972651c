// stack.cpp: lwIP in the kernel: started on first use, its interface on the network
// device (frames in from the device's interrupt, out through its send ring), its
// timeouts on a kernel timer. The address comes from the boot command line (uk.net=,
// which ukrun writes), else the manifest (static, or asked of DHCP), else QEMU's user
// network's usual one; the name servers from the manifest, else DHCP, else the boot
// command line.
#include "stack.h"

#include "uk/cpu.h"
#include "uk/manifest.h"
#include "uk/net.h"
#include "uk/netdev.h"
#include "uk/print.h"
#include "uk/sched.h"
#include "uk/time.h"

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

namespace uk {
namespace net {
namespace {

struct Config {
  uint32_t address, gateway; // network byte order
  uint8_t prefix;
  uint16_t mtu; // 0: the device's
  uint32_t dns[UK_MANIFEST_NET_DNS];
  bool dhcp;         // the address (and name servers) from DHCP
  bool manifest_dns; // the manifest names the name servers
};

constexpr uint64_t DhcpWaitNs = 10'000'000'000; // as long as a Linux boot would wait

uint32_t dhcp_dns[UK_MANIFEST_NET_DNS]; // network byte order, from the last answer

char boot_option[64]; // uk.net=, copied at boot
bool started;
netif interface;
NetDevice *device;

constexpr uint32_t ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return uint32_t(a) | uint32_t(b) << 8 | uint32_t(c) << 16 | uint32_t(d) << 24;
}

/// Parses A.B.C.D at P (network byte order), advancing P; false if malformed.
bool parse_address(const char *&p, uint32_t &out) {
  out = 0;
  for (int part = 0; part < 4; ++part) {
    if (part && *p++ != '.')
      return false;
    if (*p < '0' || *p > '9')
      return false;
    unsigned value = 0;
    for (; *p >= '0' && *p <= '9'; ++p)
      value = value * 10 + unsigned(*p - '0');
    if (value > 255)
      return false;
    out |= value << (8 * part);
  }
  return true;
}

/// "ADDRESS/PREFIX[,[GATEWAY][,DNS]]": the user network's name server is the third.
bool parse_option(const char *p, Config &c) {
  if (!parse_address(p, c.address) || *p++ != '/')
    return false;
  unsigned prefix = 0;
  for (; *p >= '0' && *p <= '9' && prefix <= 32; ++p)
    prefix = prefix * 10 + unsigned(*p - '0');
  c.prefix = uint8_t(prefix);
  c.gateway = 0;
  if (*p == ',' && *++p != ',' && !parse_address(p, c.gateway))
    return false;
  if (*p == ',' && !parse_address(++p, c.dns[0]))
    return false;
  return prefix <= 32 && (!*p || *p == ' ');
}

/// Worked out once: the boot option and the manifest do not change.
const Config &configuration() {
  static Config c;
  static bool done;
  if (done)
    return c;
  done = true;
  c = {ipv4(10, 0, 2, 15), ipv4(10, 0, 2, 2), 24, 0, {}, false, false};
  Config boot = {};
  bool from_boot = boot_option[0] && parse_option(boot_option, boot);
  if (boot_option[0] && !from_boot)
    print("ukc++: malformed uk.net=%s; using the manifest's address\n", boot_option);
  // The manifest's first interface: its static address (unless ukrun's option names
  // one), its MTU and name servers.
  const uk_manifest &m = manifest();
  uk_manifest_net entry = {};
  if (m.net_count && manifest_copy(m.net, &entry, sizeof entry)) {
    if (!entry.dhcp && entry.ipv4)
      c.address = entry.ipv4, c.gateway = entry.gateway, c.prefix = entry.prefix;
    c.dhcp = entry.dhcp;
    c.manifest_dns = entry.dns[0];
    c.mtu = entry.mtu;
    memcpy(c.dns, entry.dns, sizeof c.dns);
  }
  if (from_boot) {
    c.address = boot.address, c.gateway = boot.gateway, c.prefix = boot.prefix;
    c.dhcp = false;
    if (!c.dns[0])
      c.dns[0] = boot.dns[0];
  }
  return c;
}

// With a device that offloads checksums lwIP neither makes TCP's nor checks TCP's and
// UDP's, except in frames the device did not check: a fragment, or a bad sum, which
// lwIP then finds and drops. IP headers and ICMP stay lwIP's (the device does neither),
// and so do UDP sums sent: a datagram larger than a frame is summed before it is cut
// into fragments, which no device can sum.
constexpr u16_t OffloadedSums =
    NETIF_CHECKSUM_ENABLE_ALL &
    ~(NETIF_CHECKSUM_GEN_TCP | NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP);
constexpr u16_t UncheckedFrame =
    OffloadedSums | NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP;

void receive_frame(const uint8_t *frame, size_t length, bool checked) {
  pbuf *p = pbuf_alloc(PBUF_RAW, u16_t(length), PBUF_POOL);
  if (!p)
    return; // out of buffers: dropped, as a busy NIC would
  pbuf_take(p, frame, u16_t(length));
  // lwIP handles the frame within input() (NO_SYS), so the flags hold for it alone.
  bool check = !checked && net_device_checksums(*device);
  if (check)
    NETIF_SET_CHECKSUM_CTRL(&interface, UncheckedFrame);
  if (interface.input(p, &interface) != ERR_OK)
    pbuf_free(p);
  if (check)
    NETIF_SET_CHECKSUM_CTRL(&interface, OffloadedSums);
}

err_t send_frame(struct netif *, struct pbuf *p) {
  FramePart parts[16];
  int count = 0;
  for (pbuf *q = p; q; q = q->next) {
    if (count == 16)
      return ERR_MEM;
    parts[count++] = {q->payload, q->len};
  }
  if (net_device_send(*device, parts, count))
    return ERR_OK;
  // The ring is full: let the device catch up (it runs beside this CPU) for a while.
  net_device_flush(*device);
  uint64_t give_up = rdtsc() + tsc_hz() / 1000;
  while (rdtsc() < give_up)
    if (net_device_send(*device, parts, count))
      return ERR_OK;
  return ERR_MEM;
}

err_t interface_init(struct netif *n) {
  n->name[0] = 'e';
  n->name[1] = 'n';
  n->hwaddr_len = 6;
  net_device_address(*device, n->hwaddr);
  n->mtu = net_device_mtu(*device);
  if (uint16_t mtu = configuration().mtu; mtu && mtu < n->mtu)
    n->mtu = mtu;
  n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
  n->output = etharp_output;
  n->linkoutput = send_frame;
  if (net_device_checksums(*device))
    NETIF_SET_CHECKSUM_CTRL(n, OffloadedSums);
  return ERR_OK;
}

void timeouts_due() {
  sys_check_timeouts();
  stack_done();
}

/// Asks DHCP for the interface's address and waits for the answer: the program's
/// first socket call needs it, as a Linux program started after the network is up
/// would have it. The CPU idles meanwhile, taking the device's and lwIP's interrupts
/// (no other thread runs: this is the program's first network call).
void ask_dhcp() {
  if (dhcp_start(&interface) != ERR_OK) {
    print("ukc++: cannot start DHCP; the interface has no address\n");
    return;
  }
  uint64_t give_up = tsc_at(monotonic_ns() + DhcpWaitNs);
  while (!dhcp_supplied_address(&interface) && rdtsc() < give_up) {
    stack_done();
    // Look again within 10 ms even if lwIP's own timers are further off.
    set_device_timer(tsc_at(monotonic_ns() + 10000000), timeouts_due);
    halt_in_kernel();
  }
  if (!dhcp_supplied_address(&interface))
    print("ukc++: no DHCP answer within %lu s; the interface has no address yet\n",
          DhcpWaitNs / 1000000000);
}

} // namespace

void stack_start() {
  if (started)
    return;
  started = true;
  lwip_init(); // with the loopback interface, 127.0.0.1
  device = net_device_start(receive_frame, stack_done);
  if (!device) {
    stack_done();
    return;
  }
  const Config &c = configuration();
  ip4_addr_t address = {}, mask = {}, gateway = {};
  if (!c.dhcp) {
    address.addr = c.address;
    mask.addr = c.prefix ? lwip_htonl(~0u << (32 - c.prefix)) : 0;
    gateway.addr = c.gateway;
  }
  netif_add(&interface, &address, &mask, &gateway, nullptr, interface_init, ethernet_input);
  netif_set_default(&interface);
  netif_set_link_up(&interface);
  netif_set_up(&interface);
  if (c.dhcp)
    ask_dhcp();
  stack_done();
}

void stack_done() {
  // Looped-back packets may answer with more: deliver until none are left.
  for (int round = 0; round < 64; ++round) {
    bool queued = false;
    for (netif *n = netif_list; n; n = n->next)
      queued |= n->loop_first != nullptr;
    if (!queued)
      break;
    netif_poll_all();
  }
  if (device)
    net_device_flush(*device);
  u32_t sleep = sys_timeouts_sleeptime();
  uint64_t deadline = sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE
                          ? 0
                          : tsc_at(monotonic_ns() + uint64_t(sleep) * 1000000) | 1;
  set_device_timer(deadline, timeouts_due);
}

uint32_t interface_address() {
  stack_start();
  return device ? interface.ip_addr.addr : 0;
}

int name_servers(uint32_t (&servers)[UK_MANIFEST_NET_DNS]) {
  // The manifest's, else DHCP's, else ukrun's (c.dns[0], when the manifest has none).
  const Config &c = configuration();
  const uint32_t *from = c.dhcp && !c.manifest_dns ? dhcp_dns : c.dns;
  int count = 0;
  for (int i = 0; i < UK_MANIFEST_NET_DNS; ++i)
    if (from[i])
      servers[count++] = from[i];
  return count;
}

/// Data or a FIN of ours that the peer has not acknowledged yet.
bool sending() {
  for (tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
    if (pcb->unsent || pcb->unacked || pcb->state == FIN_WAIT_1 || pcb->state == CLOSING ||
        pcb->state == LAST_ACK)
      return true;
  return device && !net_device_idle(*device);
}

} // namespace net

/// lwIP's DHCP hands over the options it does not decode itself: the name servers
/// (option 6) of the latest answer are kept for /etc/resolv.conf.
extern "C" void uk_dhcp_option(unsigned char option, unsigned char length, pbuf *p,
                               unsigned short offset) {
  constexpr unsigned char DnsServers = 6;
  if (option != DnsServers)
    return;
  uint32_t servers[UK_MANIFEST_NET_DNS] = {};
  size_t bytes = length < sizeof servers ? length & ~3u : sizeof servers;
  if (pbuf_copy_partial(p, servers, u16_t(bytes), offset) == bytes)
    memcpy(net::dhcp_dns, servers, sizeof servers);
}

namespace net {

void not_supported(const char *feature) {
  // Each feature's text is a literal: its address identifies it.
  static const char *said[32];
  for (const char *&s : said) {
    if (s == feature)
      return;
    if (!s) {
      s = feature;
      print("ukc++: not supported: %s; the call fails as on a Linux without it\n", feature);
      return;
    }
  }
}

} // namespace net

void net_drain() {
  if (!net::started)
    return;
  // The CPU idles here, taking interrupts (acknowledgements come in, lwIP's timers
  // retransmit) but switching to no other thread: the program has ended.
  uint64_t give_up = tsc_at(monotonic_ns() + 2000000000);
  while (net::sending() && rdtsc() < give_up) {
    net::stack_done();
    // The device sends without interrupting: look again within 2 ms.
    set_device_timer(tsc_at(monotonic_ns() + 2000000), net::timeouts_due);
    halt_in_kernel();
  }
}

void net_boot_option(const char *value) {
  size_t n = 0;
  while (value[n] && value[n] != ' ' && n + 1 < sizeof net::boot_option)
    ++n;
  memcpy(net::boot_option, value, n);
  net::boot_option[n] = 0;
}

} // namespace uk
