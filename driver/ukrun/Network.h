// Network: ukrun's network options (--net, -p) and what they become for QEMU: a user
// network (libslirp inside QEMU) with port forwards, and the guest's address.
#pragma once

#include "ManifestView.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ukcxx {

/// -p [ADDRESS:]HOST:GUEST[/udp|/tcp]: a host port that reaches a guest port.
struct PortForward {
  std::string Address = "127.0.0.1"; // only loopback unless an address is given
  uint16_t Host = 0, Guest = 0;
  bool Udp = false;
};

/// Parses one -p value; throws Error with the accepted form if it is malformed.
PortForward parsePortForward(const std::string &Text);

/// The guest's interface: its address, prefix length and gateway (network byte order).
struct GuestAddress {
  uint32_t Address, Gateway;
  uint8_t Prefix;
};

/// The manifest's first interface if it has a static address, else the user network's
/// usual one (10.0.2.15/24, gateway 10.0.2.2).
GuestAddress guestAddress(const ManifestView &M);

/// The kernel option that tells the guest its address: uk.net=ADDRESS/PREFIX,GATEWAY.
std::string guestAddressOption(const GuestAddress &A);

/// QEMU's arguments for a user network with Forwards to the guest at A, on a
/// virtio-net device; restricted to those forwards (the guest reaches nothing else)
/// unless one is UDP, which QEMU's restricted mode cannot answer.
std::vector<std::string> qemuUserNetwork(const GuestAddress &A,
                                         const std::vector<PortForward> &Forwards);

} // namespace ukcxx
