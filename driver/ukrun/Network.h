// Network: ukrun's network options (--net, -p) and what they become for QEMU: a user
// network (libslirp inside QEMU) with port forwards, or a tap device; and the guest's
// address.
#pragma once

#include "ManifestView.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ukcxx {

/// --net: none; user (restricted to the forwards), user:outbound (the guest may also
/// connect out through the host and use its resolver); tap:NAME (an existing tap
/// device, which the guest reaches the host's network through).
struct NetworkChoice {
  enum Kind { None, User, Tap } Backend = None;
  bool Outbound = false;
  std::string TapName;
};

/// Parses one --net value; throws Error with the valid choices if it is malformed.
NetworkChoice parseNetwork(const std::string &Text);

/// Checks that tap device Name exists and is a tap; throws Error saying how to make it.
void checkTapDevice(const std::string &Name);

/// -p [ADDRESS:]HOST:GUEST[/udp|/tcp]: a host port that reaches a guest port.
struct PortForward {
  std::string Address = "127.0.0.1"; // only loopback unless an address is given
  uint16_t Host = 0, Guest = 0;
  bool Udp = false;
};

/// Parses one -p value; throws Error with the accepted form if it is malformed.
PortForward parsePortForward(const std::string &Text);

/// The guest's interface: its address, prefix length, gateway and name server
/// (network byte order; 0: none).
struct GuestAddress {
  uint32_t Address, Gateway;
  uint8_t Prefix;
  uint32_t DNS = 0;
};

/// The manifest's first interface if it has a static address, else the user network's
/// usual one (10.0.2.15/24, gateway 10.0.2.2: also the first address its DHCP gives).
GuestAddress guestAddress(const ManifestView &M);

/// True if the manifest's first interface asks DHCP for its address.
bool guestAsksDHCP(const ManifestView &M);

/// Whether the user network lets the guest out (and so to its name server): when
/// asked, or when a UDP forward needs it.
bool userNetworkOpen(const NetworkChoice &N, const std::vector<PortForward> &Forwards);

/// The guest's address on the user network, with the network's name server when the
/// guest can reach it.
GuestAddress userNetworkAddress(const ManifestView &M, const NetworkChoice &N,
                                const std::vector<PortForward> &Forwards);

/// The kernel option that tells the guest its address:
/// uk.net=ADDRESS/PREFIX,GATEWAY[,DNS].
std::string guestAddressOption(const GuestAddress &A);

/// QEMU's arguments for the network N chose, on a virtio-net device (with the
/// manifest's MAC, if it names one). A user network has Forwards to the guest at A,
/// and is restricted to them (the guest reaches nothing else) unless userNetworkOpen.
std::vector<std::string> qemuNetwork(const NetworkChoice &N, const ManifestView &M,
                                     const GuestAddress &A,
                                     const std::vector<PortForward> &Forwards);

} // namespace ukcxx
