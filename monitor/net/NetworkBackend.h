// NetworkBackend: where the monitor's network device sends the guest's frames and from
// where it gets the host's: the user network (libslirp) or a tap device. The network
// thread polls the backend's descriptors beside its own kicks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <poll.h>
#include <vector>

namespace ukcxx {

/// Receives each Ethernet frame the host sends the guest.
using FrameSink = std::function<void(const uint8_t *, size_t)>;

class NetworkBackend {
public:
  virtual ~NetworkBackend() = default;

  /// A frame from the guest (Ethernet, without virtio's header).
  virtual void input(const uint8_t *Frame, size_t Length) = 0;
  /// Appends the descriptors to wait on to Fds, and lowers TimeoutMs to the backend's
  /// next timer; called before poll().
  virtual void prepare(std::vector<pollfd> &Fds, int &TimeoutMs) = 0;
  /// After poll(): serves the ready descriptors (those from First on in Fds that
  /// prepare() added) and due timers, passing frames for the guest to the sink.
  virtual void dispatch(const std::vector<pollfd> &Fds, size_t First, bool PollFailed) = 0;
};

} // namespace ukcxx
