// Network: parsing -p and building QEMU's user network (see Network.h).
#include "Network.h"

#include "Error.h"

#include <arpa/inet.h>
#include <cstdio>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ukcxx {
namespace {

/// A port number 1..65535 of exactly Text, or 0.
uint16_t parsePort(const std::string &Text) {
  if (Text.empty() || Text.size() > 5 ||
      Text.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  unsigned long Port = std::stoul(Text);
  return Port >= 1 && Port <= 65535 ? uint16_t(Port) : 0;
}

std::string dotted(uint32_t NetworkOrder) {
  char Buf[INET_ADDRSTRLEN];
  in_addr A = {NetworkOrder};
  inet_ntop(AF_INET, &A, Buf, sizeof Buf);
  return Buf;
}

uint32_t mask(uint8_t Prefix) { return htonl(Prefix ? ~0u << (32 - Prefix) : 0); }

} // namespace

NetworkChoice parseNetwork(const std::string &Text) {
  NetworkChoice N;
  if (Text == "none")
    return N;
  if (Text == "user" || Text == "user:outbound") {
    N.Backend = NetworkChoice::User;
    N.Outbound = Text != "user";
    return N;
  }
  if (Text.rfind("tap:", 0) == 0) {
    N.Backend = NetworkChoice::Tap;
    N.TapName = Text.substr(4);
    // An interface name as Linux allows it (IFNAMSIZ), and nothing that would
    // change the meaning of QEMU's option string.
    if (N.TapName.empty() || N.TapName.size() >= IFNAMSIZ ||
        N.TapName.find_first_of(" \t\n/,:=") != std::string::npos)
      throw Error("malformed --net " + Text + ": a tap device's name is 1 to " +
                  std::to_string(IFNAMSIZ - 1) +
                  " characters without spaces, '/', ',', ':' "
                  "or '='");
    return N;
  }
  throw Error("unknown network backend --net " + Text +
              " (valid: user, user:outbound, tap:NAME, none)");
}

void checkTapDevice(const std::string &Name) {
  if (!if_nametoindex(Name.c_str()))
    throw Error("--net tap:" + Name + ": there is no network interface '" + Name +
                "' (make one with: ip tuntap add " + Name + " mode tap)");
  // The tun driver says "tun" and, for a tap, bus "tap". Asked of the interface itself
  // (not sysfs, which may show another network namespace's).
  ethtool_drvinfo Info = {};
  Info.cmd = ETHTOOL_GDRVINFO;
  ifreq Request = {};
  std::snprintf(Request.ifr_name, sizeof Request.ifr_name, "%s", Name.c_str());
  Request.ifr_data = reinterpret_cast<char *>(&Info);
  int Fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  bool Tap = Fd >= 0 && ioctl(Fd, SIOCETHTOOL, &Request) == 0 &&
             std::string(Info.driver) == "tun" && std::string(Info.bus_info) == "tap";
  if (Fd >= 0)
    close(Fd);
  if (!Tap)
    throw Error("--net tap:" + Name + ": '" + Name + "' is not a tap device");
}

PortForward parsePortForward(const std::string &Text) {
  auto Bad = [&](const std::string &Why) {
    return Error("malformed -p '" + Text + "': " + Why +
                 " (write [ADDRESS:]HOST:GUEST[/udp], like -p 8080:80)");
  };
  PortForward F;
  std::string Rest = Text;
  if (size_t Slash = Rest.find('/'); Slash != std::string::npos) {
    std::string Protocol = Rest.substr(Slash + 1);
    if (Protocol != "udp" && Protocol != "tcp")
      throw Bad("unknown protocol '" + Protocol + "' (tcp or udp)");
    F.Udp = Protocol == "udp";
    Rest.resize(Slash);
  }
  size_t Last = Rest.rfind(':');
  if (Last == std::string::npos)
    throw Bad("no guest port");
  std::string Guest = Rest.substr(Last + 1), Host = Rest.substr(0, Last);
  if (size_t First = Host.rfind(':'); First != std::string::npos) {
    F.Address = Host.substr(0, First);
    Host = Host.substr(First + 1);
    in_addr Parsed;
    if (inet_pton(AF_INET, F.Address.c_str(), &Parsed) != 1)
      throw Bad("'" + F.Address + "' is not an IPv4 address");
  }
  F.Host = parsePort(Host);
  F.Guest = parsePort(Guest);
  if (!F.Host)
    throw Bad("'" + Host + "' is not a port (1-65535)");
  if (!F.Guest)
    throw Bad("'" + Guest + "' is not a port (1-65535)");
  return F;
}

GuestAddress guestAddress(const ManifestView &M) {
  if (!M.Nets.empty() && !M.Nets[0].DHCP && M.Nets[0].IPv4)
    return {M.Nets[0].IPv4, M.Nets[0].Gateway, M.Nets[0].Prefix};
  return {htonl(0x0a00020f), htonl(0x0a000202), 24};
}

bool guestAsksDHCP(const ManifestView &M) { return !M.Nets.empty() && M.Nets[0].DHCP; }

bool userNetworkOpen(const NetworkChoice &N, const std::vector<PortForward> &Forwards) {
  // QEMU's restricted mode drops every datagram the guest sends, answers to UDP
  // forwards included, so a UDP forward needs the unrestricted network.
  bool Udp = false;
  for (const auto &F : Forwards)
    Udp |= F.Udp;
  return N.Outbound || Udp;
}

GuestAddress userNetworkAddress(const ManifestView &M, const NetworkChoice &N,
                                const std::vector<PortForward> &Forwards) {
  GuestAddress A = guestAddress(M);
  // The user network's name server is its .3 (QEMU's default), which passes queries
  // on to the host's resolver; the restricted network drops them, and a name server
  // that never answers would make each lookup wait out the resolver's timeouts.
  if (userNetworkOpen(N, Forwards))
    A.DNS = htonl(ntohl(A.Address & mask(A.Prefix)) + 3);
  return A;
}

std::string guestAddressOption(const GuestAddress &A) {
  std::string Option = "uk.net=" + dotted(A.Address) + "/" + std::to_string(A.Prefix);
  if (A.Gateway || A.DNS)
    Option += "," + (A.Gateway ? dotted(A.Gateway) : std::string());
  if (A.DNS)
    Option += "," + dotted(A.DNS);
  return Option;
}

std::vector<std::string> qemuNetwork(const NetworkChoice &N, const ManifestView &M,
                                     const GuestAddress &A,
                                     const std::vector<PortForward> &Forwards) {
  std::string Netdev;
  if (N.Backend == NetworkChoice::Tap) {
    // The device exists already (made by root or given to this user); QEMU's scripts
    // would configure the host, which is not ukrun's to do.
    Netdev = "tap,id=net0,ifname=" + N.TapName + ",script=no,downscript=no";
  } else {
    // The user network's own addresses (its gateway, DNS) must lie in the guest's
    // network: a gateway the manifest names, else the network's .2, as QEMU's default.
    uint32_t Network = A.Address & mask(A.Prefix);
    uint32_t Gateway = A.Gateway ? A.Gateway : htonl(ntohl(Network) + 2);
    // Restricted: the guest reaches nothing but the forwards.
    // IPv4 only, as the guest: no IPv6 router advertisements for it to drop.
    Netdev = std::string("user,id=net0,ipv6=off,restrict=") +
             (userNetworkOpen(N, Forwards) ? "off" : "on") + ",net=" + dotted(Network) + "/" +
             std::to_string(A.Prefix) + ",host=" + dotted(Gateway);
    for (const auto &F : Forwards)
      Netdev += std::string(",hostfwd=") + (F.Udp ? "udp" : "tcp") + ":" + F.Address + ":" +
                std::to_string(F.Host) + "-" + dotted(A.Address) + ":" +
                std::to_string(F.Guest);
  }
  std::string Device = "virtio-net-device,netdev=net0";
  if (!M.Nets.empty() && M.Nets[0].MAC != std::array<uint8_t, 6>{}) {
    char Mac[18];
    const auto &B = M.Nets[0].MAC;
    snprintf(Mac, sizeof Mac, "%02x:%02x:%02x:%02x:%02x:%02x", B[0], B[1], B[2], B[3], B[4],
             B[5]);
    Device += std::string(",mac=") + Mac;
  }
  return {"-netdev", Netdev, "-device", Device};
}

} // namespace ukcxx
