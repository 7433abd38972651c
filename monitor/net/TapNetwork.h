// TapNetwork: the guest's network device joined to an existing tap device on the host
// (`ukrun --net tap:NAME`): each frame the guest sends is written to the tap, each
// frame the tap gives is the guest's, as QEMU's `-netdev tap` does.
#pragma once

#include "NetworkBackend.h"

#include <string>

namespace ukcxx {

class TapNetwork final : public NetworkBackend {
public:
  /// Attaches to tap device Name. Throws Error if it cannot (not a tap, another
  /// user's, already attached elsewhere).
  TapNetwork(const std::string &Name, FrameSink ToGuest);
  ~TapNetwork() override;
  TapNetwork(const TapNetwork &) = delete;

  /// Writes the frame; one the tap cannot take now is dropped, as by a full NIC.
  void input(const uint8_t *Frame, size_t Length) override;
  void prepare(std::vector<pollfd> &Fds, int &TimeoutMs) override;
  /// Reads the frames the tap holds, a bounded batch per round.
  void dispatch(const std::vector<pollfd> &Fds, size_t First, bool PollFailed) override;

private:
  std::string Name;
  int Fd = -1;
  FrameSink ToGuest;
  std::vector<uint8_t> Buffer;
  bool Broken = false, ReportedDown = false;

  void report(const std::string &What);
};

} // namespace ukcxx
