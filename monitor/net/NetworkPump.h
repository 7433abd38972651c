// NetworkPump: moves frames between the virtio-net device and the host's network (the
// user network or a tap device), on a thread of its own so that the vCPU never waits for the
// host's sockets. Queue kicks arrive on eventfds (KVM_IOEVENTFD), interrupts leave through the
// device's callback.
#pragma once

#include "NetworkBackend.h"
#include "UserNetwork.h"
#include "VirtioNet.h"

#include <array>
#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>

namespace ukcxx {

/// The guest's network: its MAC, and the user network, or a tap device if Tap names one.
struct MonitorNetwork {
  UserNetworkConfig User;
  std::string Tap;
  std::array<uint8_t, 6> Mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}; // QEMU's default
};

class NetworkPump {
public:
  /// Starts the user network or attaches the tap (throws Error if a forward's port
  /// cannot be bound, or the tap cannot be attached).
  NetworkPump(VirtioNet &Device, const MonitorNetwork &Options);
  ~NetworkPump();

  /// An eventfd whose counter the pump drains each round: a queue kick.
  void addKick(int Fd) { Kicks.push_back(Fd); }

  /// One round: waits at most TimeoutMs (-1: until something happens) for a kick, a
  /// host socket or a timer, then sends every frame the guest queued and delivers what
  /// the host sent into the guest's receive buffers. False once stop() was called.
  bool round(int TimeoutMs);

  /// Runs rounds on a new thread. With Sandbox, the thread first confines itself to the
  /// system calls a round makes (its own seccomp filter: the run loop's, installed
  /// later on the vCPU's thread, does not cover it).
  void start(bool Sandbox, bool Outbound);
  /// Ends the thread, if started, and waits for it.
  void stop();

  /// Frames from the host that wait for receive buffers.
  size_t backlog() const { return Backlog.size(); }

  /// Queue kicks the guest made so far.
  uint64_t kicks() const { return KickCount.load(std::memory_order_relaxed); }

private:
  VirtioNet &Device;
  std::unique_ptr<NetworkBackend> Network;
  std::deque<Frame> Backlog;
  std::vector<int> Kicks;
  std::vector<pollfd> Fds;
  std::vector<Frame> Sent;
  int StopFd = -1;
  std::thread Thread;
  bool ReportedBroken = false;
  std::atomic<uint64_t> KickCount{0};
};

} // namespace ukcxx
