// UserNetwork: the guest's network on the host without privileges, through libslirp
// (the library behind QEMU's `-netdev user`): the same addresses, restriction and port
// forwards ukrun gives QEMU, so an image behaves alike on both hypervisors.
#pragma once

#include "NetworkBackend.h"

#include <cstdint>
#include <string>
#include <vector>

struct Slirp;

namespace ukcxx {

/// A host port (on HostAddress) that reaches a guest port.
struct UserForward {
  uint32_t HostAddress = 0x0100007f; // network order; 127.0.0.1 unless asked
  uint16_t HostPort = 0, GuestPort = 0;
  bool Udp = false;
};

/// The user network's shape; addresses in network byte order.
struct UserNetworkConfig {
  uint32_t Guest = 0x0f02000a;   // 10.0.2.15: where forwards go, and what DHCP gives
  uint32_t Gateway = 0x0202000a; // 10.0.2.2: the host, as the guest sees it
  uint8_t Prefix = 24;
  bool Restricted = true; // the guest reaches nothing but the forwards
  std::vector<UserForward> Forwards;
};

class UserNetwork final : public NetworkBackend {
public:
  /// Starts the network and listens on the forwards' host ports. ToGuest receives each
  /// frame for the guest. Throws Error if a host port cannot be bound (say, in use).
  UserNetwork(const UserNetworkConfig &Config, FrameSink ToGuest);
  ~UserNetwork() override;
  UserNetwork(const UserNetwork &) = delete;

  void input(const uint8_t *Frame, size_t Length) override;
  void prepare(std::vector<pollfd> &Fds, int &TimeoutMs) override;
  void dispatch(const std::vector<pollfd> &Fds, size_t First, bool PollFailed) override;

private:
  struct Timer;
  Slirp *Stack = nullptr;
  FrameSink ToGuest;
  std::vector<Timer *> Timers;
  std::vector<pollfd> *Filling = nullptr;
  size_t FillBase = 0;
  const std::vector<pollfd> *Polled = nullptr;
  size_t PolledBase = 0;

  static int addPoll(int Fd, int Events, void *Self);
  static int revents(int Index, void *Self);
  friend struct UserNetworkCallbacks;
};

} // namespace ukcxx
