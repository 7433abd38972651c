// UserNetwork: libslirp's configuration, callbacks, timers and poll integration.
#include "UserNetwork.h"

#include "Error.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <libslirp.h>

namespace ukcxx {

struct UserNetwork::Timer {
  SlirpTimerId Id;
  void *Opaque;
  int64_t ExpiresMs = -1; // -1: not armed
};

namespace {

int64_t nowNs() {
  timespec T;
  clock_gettime(CLOCK_MONOTONIC, &T);
  return int64_t(T.tv_sec) * 1000000000 + T.tv_nsec;
}

std::string dotted(uint32_t NetworkOrder) {
  char Buf[INET_ADDRSTRLEN];
  in_addr A = {NetworkOrder};
  inet_ntop(AF_INET, &A, Buf, sizeof Buf);
  return Buf;
}

} // namespace

struct UserNetworkCallbacks {
  static ssize_t sendPacket(const void *Data, size_t Length, void *Self) {
    static_cast<UserNetwork *>(Self)->ToGuest(static_cast<const uint8_t *>(Data), Length);
    return ssize_t(Length);
  }
  static void guestError(const char *, void *) {} // the guest's own business
  static int64_t clockNs(void *) { return nowNs(); }
  static void *timerNew(SlirpTimerId Id, void *Opaque, void *Self) {
    auto *T = new UserNetwork::Timer{Id, Opaque};
    static_cast<UserNetwork *>(Self)->Timers.push_back(T);
    return T;
  }
  static void timerFree(void *Timer, void *Self) {
    auto &Timers = static_cast<UserNetwork *>(Self)->Timers;
    Timers.erase(std::remove(Timers.begin(), Timers.end(), Timer), Timers.end());
    delete static_cast<UserNetwork::Timer *>(Timer);
  }
  static void timerMod(void *Timer, int64_t ExpiresMs, void *) {
    static_cast<UserNetwork::Timer *>(Timer)->ExpiresMs = ExpiresMs;
  }
  static void registerPoll(int, void *) {}
  static void unregisterPoll(int, void *) {}
  static void notify(void *) {} // the network thread polls slirp every round anyway
};

UserNetwork::UserNetwork(const UserNetworkConfig &C, FrameSink ToGuestFn)
    : ToGuest(std::move(ToGuestFn)) {
  uint32_t Mask = htonl(C.Prefix ? ~0u << (32 - C.Prefix) : 0);
  SlirpConfig Config = {};
  Config.version = 4;
  Config.restricted = C.Restricted;
  Config.in_enabled = true;
  Config.vnetwork.s_addr = C.Guest & Mask;
  Config.vnetmask.s_addr = Mask;
  Config.vhost.s_addr = C.Gateway;
  Config.in6_enabled = false; // IPv4 only, as the guest and QEMU's ipv6=off
  Config.vdhcp_start.s_addr = C.Guest;
  // The network's .3 passes queries on to the host's resolver, as QEMU's default.
  Config.vnameserver.s_addr = htonl(ntohl(C.Guest & Mask) + 3);
  Config.vhostname = "ukc++";
  Config.if_mtu = Config.if_mru = 1500;
  static const SlirpCb Callbacks = {
      UserNetworkCallbacks::sendPacket,   UserNetworkCallbacks::guestError,
      UserNetworkCallbacks::clockNs,      nullptr,
      UserNetworkCallbacks::timerFree,    UserNetworkCallbacks::timerMod,
      UserNetworkCallbacks::registerPoll, UserNetworkCallbacks::unregisterPoll,
      UserNetworkCallbacks::notify,       nullptr,
      UserNetworkCallbacks::timerNew,
  };
  Stack = slirp_new(&Config, &Callbacks, this);
  if (!Stack)
    throw Error("cannot start the user network (libslirp refused its configuration)");
  for (const UserForward &F : C.Forwards) {
    in_addr Host = {F.HostAddress}, Guest = {C.Guest};
    errno = 0;
    if (slirp_add_hostfwd(Stack, F.Udp, Host, F.HostPort, Guest, F.GuestPort) < 0) {
      std::string Why = errno ? strerror(errno) : "the port is in use or not allowed";
      slirp_cleanup(Stack);
      Stack = nullptr;
      throw Error("-p " + dotted(F.HostAddress) + ":" + std::to_string(F.HostPort) + ":" +
                  std::to_string(F.GuestPort) + (F.Udp ? "/udp" : "") +
                  ": cannot listen on the host port (" + Why + ")");
    }
  }
}

UserNetwork::~UserNetwork() {
  if (Stack)
    slirp_cleanup(Stack);
  for (Timer *T : Timers)
    delete T;
}

void UserNetwork::input(const uint8_t *Frame, size_t Length) {
  if (Length <= 65536)
    slirp_input(Stack, Frame, int(Length));
}

int UserNetwork::addPoll(int Fd, int Events, void *Opaque) {
  auto *Self = static_cast<UserNetwork *>(Opaque);
  short Wanted = 0;
  if (Events & SLIRP_POLL_IN)
    Wanted |= POLLIN;
  if (Events & SLIRP_POLL_OUT)
    Wanted |= POLLOUT;
  if (Events & SLIRP_POLL_PRI)
    Wanted |= POLLPRI;
  Self->Filling->push_back({Fd, Wanted, 0});
  return int(Self->Filling->size() - 1 - Self->FillBase);
}

int UserNetwork::revents(int Index, void *Opaque) {
  auto *Self = static_cast<UserNetwork *>(Opaque);
  size_t At = Self->PolledBase + size_t(Index);
  if (Index < 0 || At >= Self->Polled->size())
    return 0;
  short R = (*Self->Polled)[At].revents;
  int Out = 0;
  if (R & POLLIN)
    Out |= SLIRP_POLL_IN;
  if (R & POLLOUT)
    Out |= SLIRP_POLL_OUT;
  if (R & POLLPRI)
    Out |= SLIRP_POLL_PRI;
  if (R & (POLLERR | POLLNVAL))
    Out |= SLIRP_POLL_ERR;
  if (R & POLLHUP)
    Out |= SLIRP_POLL_HUP;
  return Out;
}

void UserNetwork::prepare(std::vector<pollfd> &Fds, int &TimeoutMs) {
  Filling = &Fds;
  FillBase = Fds.size();
  uint32_t Timeout = TimeoutMs < 0 ? UINT32_MAX : uint32_t(TimeoutMs);
  slirp_pollfds_fill(Stack, &Timeout, addPoll, this);
  int64_t Now = nowNs() / 1000000;
  for (const Timer *T : Timers)
    if (T->ExpiresMs >= 0)
      Timeout = std::min<uint32_t>(Timeout, uint32_t(std::max<int64_t>(0, T->ExpiresMs - Now)));
  TimeoutMs = Timeout == UINT32_MAX ? -1 : int(std::min<uint32_t>(Timeout, 1000000));
  Filling = nullptr;
}

void UserNetwork::dispatch(const std::vector<pollfd> &Fds, size_t First, bool PollFailed) {
  Polled = &Fds;
  PolledBase = First;
  slirp_pollfds_poll(Stack, PollFailed, revents, this);
  Polled = nullptr;
  int64_t Now = nowNs() / 1000000;
  // A timer's callback may free or re-arm timers: fire one at a time from a fresh scan.
  for (bool Fired = true; Fired;) {
    Fired = false;
    for (Timer *T : Timers)
      if (T->ExpiresMs >= 0 && T->ExpiresMs <= Now) {
        T->ExpiresMs = -1;
        slirp_handle_timer(Stack, T->Id, T->Opaque);
        Fired = true;
        break;
      }
  }
}

} // namespace ukcxx
