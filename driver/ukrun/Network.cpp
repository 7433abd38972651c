// Network: parsing -p and building QEMU's user network (see Network.h).
#include "Network.h"

#include "Error.h"

#include <arpa/inet.h>

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

std::string guestAddressOption(const GuestAddress &A) {
  std::string Option = "uk.net=" + dotted(A.Address) + "/" + std::to_string(A.Prefix);
  if (A.Gateway)
    Option += "," + dotted(A.Gateway);
  return Option;
}

std::vector<std::string> qemuUserNetwork(const GuestAddress &A,
                                         const std::vector<PortForward> &Forwards) {
  // The user network's own addresses (its gateway, DNS) must lie in the guest's
  // network: a gateway the manifest names, else the network's .2, as QEMU's default.
  uint32_t Network = A.Address & mask(A.Prefix);
  uint32_t Gateway = A.Gateway ? A.Gateway : htonl(ntohl(Network) + 2);
  // Restricted: the guest reaches nothing but the forwards. QEMU's restricted mode
  // drops every datagram the guest sends, answers to UDP forwards included, so a UDP
  // forward needs the unrestricted network.
  bool Udp = false;
  for (const auto &F : Forwards)
    Udp |= F.Udp;
  // IPv4 only, as the guest: no IPv6 router advertisements for it to drop.
  std::string Netdev = std::string("user,id=net0,ipv6=off,restrict=") + (Udp ? "off" : "on") +
                       ",net=" + dotted(Network) + "/" + std::to_string(A.Prefix) +
                       ",host=" + dotted(Gateway);
  for (const auto &F : Forwards)
    Netdev += std::string(",hostfwd=") + (F.Udp ? "udp" : "tcp") + ":" + F.Address + ":" +
              std::to_string(F.Host) + "-" + dotted(A.Address) + ":" + std::to_string(F.Guest);
  return {"-netdev", Netdev, "-device", "virtio-net-device,netdev=net0"};
}

} // namespace ukcxx
