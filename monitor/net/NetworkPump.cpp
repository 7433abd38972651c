// NetworkPump: the network thread's rounds: poll, transmit, the backend, receive.
#include "NetworkPump.h"

#include "Error.h"
#include "Sandbox.h"
#include "TapNetwork.h"

#include <cerrno>
#include <cstdio>
#include <sys/eventfd.h>
#include <unistd.h>

namespace ukcxx {

NetworkPump::NetworkPump(VirtioNet &Device, const MonitorNetwork &Options) : Device(Device) {
  StopFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (StopFd < 0)
    throw Error("cannot create the network thread's eventfd");
  FrameSink ToGuest = [this](const uint8_t *Data, size_t Length) {
    // Beyond the backlog's bound frames are dropped, as by a NIC whose ring is full.
    if (Backlog.size() < VirtioNet::BacklogMax)
      Backlog.emplace_back(Data, Data + Length);
  };
  if (Options.Tap.empty())
    Network = std::make_unique<UserNetwork>(Options.User, ToGuest);
  else
    Network = std::make_unique<TapNetwork>(Options.Tap, ToGuest);
}

NetworkPump::~NetworkPump() {
  stop();
  Network.reset();
  close(StopFd);
}

bool NetworkPump::round(int TimeoutMs) {
  Fds.clear();
  Fds.push_back({StopFd, POLLIN, 0});
  for (int Fd : Kicks)
    Fds.push_back({Fd, POLLIN, 0});
  size_t First = Fds.size();
  // A guest still queueing frames, or frames waiting, mean no sleeping.
  if (Device.transmitPending())
    TimeoutMs = 0;
  Network->prepare(Fds, TimeoutMs);
  int Ready = poll(Fds.data(), Fds.size(), TimeoutMs);
  if (Ready < 0 && errno != EINTR)
    return false;
  if (Ready > 0 && (Fds[0].revents & POLLIN))
    return false;
  for (size_t I = 1; I < First; ++I)
    if (Ready > 0 && (Fds[I].revents & POLLIN)) {
      // The counter is the number of kicks since the last read.
      uint64_t Count;
      if (read(Fds[I].fd, &Count, sizeof Count) == sizeof Count)
        KickCount.fetch_add(Count, std::memory_order_relaxed);
    }
  Sent.clear();
  Device.transmit(Sent);
  for (const Frame &F : Sent)
    Network->input(F.data(), F.size());
  Network->dispatch(Fds, First, Ready < 0);
  if (!Backlog.empty())
    Device.receive(Backlog);
  if (!ReportedBroken && Device.broken()) {
    ReportedBroken = true;
    std::string Line = "ukrun: the guest broke its network device: " + Device.brokenReason() +
                       "; it needs a reset\n";
    (void)!write(2, Line.data(), Line.size());
  }
  return true;
}

void NetworkPump::start(bool Sandbox, bool Outbound) {
  Thread = std::thread([this, Sandbox, Outbound] {
    if (Sandbox) {
      try {
        confineNetworkThread(Outbound);
      } catch (const Error &E) {
        // Unconfined, this thread would serve the guest with all of ukrun's rights.
        fprintf(stderr, "ukrun: error: %s\n", E.what());
        _exit(125);
      }
    }
    while (round(-1)) {
    }
  });
}

void NetworkPump::stop() {
  if (!Thread.joinable())
    return;
  uint64_t One = 1;
  (void)!write(StopFd, &One, sizeof One);
  Thread.join();
}

} // namespace ukcxx
