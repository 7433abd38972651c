// TapNetwork: /dev/net/tun's TUNSETIFF, then non-blocking reads and writes of frames.
#include "TapNetwork.h"

#include "Error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace ukcxx {

namespace {
// A round reads at most this many frames, so that the guest's own frames and its
// kicks are served between bursts from the host.
constexpr int FramesPerRound = 64;
} // namespace

TapNetwork::TapNetwork(const std::string &TapName, FrameSink Sink)
    : Name(TapName), ToGuest(std::move(Sink)), Buffer(65536) {
  Fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (Fd < 0)
    throw Error("--net tap:" + Name + ": cannot open /dev/net/tun (" + strerror(errno) + ")");
  ifreq Request = {};
  // Frames as they are, without the tun driver's packet information or virtio header:
  // the device offers no offloads, so every frame is whole and checksummed.
  Request.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy(Request.ifr_name, Name.c_str(), IFNAMSIZ - 1);
  if (ioctl(Fd, TUNSETIFF, &Request) < 0) {
    int Err = errno;
    close(Fd);
    std::string Why = Err == EPERM ? "not allowed: the device belongs to another user (ip "
                                     "tuntap add " +
                                         Name + " mode tap user $USER)"
                      : Err == EBUSY ? "another program is attached to it"
                                     : strerror(Err);
    throw Error("--net tap:" + Name + ": cannot attach to the tap device: " + Why);
  }
}

TapNetwork::~TapNetwork() {
  if (Fd >= 0)
    close(Fd);
}

void TapNetwork::report(const std::string &What) {
  std::string Line = "ukrun: tap device " + Name + ": " + What + "\n";
  (void)!write(2, Line.data(), Line.size());
}

void TapNetwork::input(const uint8_t *Frame, size_t Length) {
  if (Broken || write(Fd, Frame, Length) >= 0)
    return;
  // EIO: the host side is down, like a cable out; the frame is lost, once said.
  if (errno == EIO && !ReportedDown) {
    ReportedDown = true;
    report("the host's side is down; the guest's frames are dropped until it is up");
  }
}

void TapNetwork::prepare(std::vector<pollfd> &Fds, int &) {
  if (!Broken)
    Fds.push_back({Fd, POLLIN, 0});
}

void TapNetwork::dispatch(const std::vector<pollfd> &Fds, size_t First, bool PollFailed) {
  if (Broken || PollFailed || First >= Fds.size() || !Fds[First].revents)
    return;
  for (int I = 0; I < FramesPerRound; ++I) {
    ssize_t N = read(Fd, Buffer.data(), Buffer.size());
    if (N > 0) {
      ToGuest(Buffer.data(), size_t(N));
      continue;
    }
    if (N < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    // The device went away (deleted on the host): stop polling it, rather than spin
    // on an error the next poll reports again. (strerrordesc_np: strerror may open
    // locale files, which this thread's seccomp filter refuses.)
    Broken = true;
    report(std::string("cannot read frames any more (") +
           (N < 0 ? strerrordesc_np(errno) : "end of file") + "); the guest is now offline");
    return;
  }
}

} // namespace ukcxx
