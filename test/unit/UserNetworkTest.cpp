// UserNetworkTest: frames through the device's rings into libslirp and back, as the
// network thread moves them: slirp answers the guest's ARP for the gateway, and a TCP
// connection to a forward's host port reaches the guest as a SYN; also with the network
// thread under its own seccomp filter (in a child process). TapNetworkTest: the same ARP
// answered by the host's kernel through a tap device in a network namespace of its own.
#include "Error.h"
#include "NetworkPump.h"
#include "VirtioDriverFake.h"

#include <arpa/inet.h>
#include <chrono>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

using namespace ukcxx;
using namespace ukcxx::testnet;

namespace {

const uint8_t GuestMac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

std::vector<uint8_t> arpRequestForGateway() {
  std::vector<uint8_t> F(42, 0);
  std::memset(F.data(), 0xff, 6);
  std::memcpy(F.data() + 6, GuestMac, 6);
  F[12] = 0x08, F[13] = 0x06;                    // ARP
  F[14] = 0, F[15] = 1, F[16] = 0x08, F[17] = 0; // Ethernet, IPv4
  F[18] = 6, F[19] = 4, F[20] = 0, F[21] = 1;    // sizes, request
  std::memcpy(F.data() + 22, GuestMac, 6);       // sender MAC
  const uint8_t Guest[4] = {10, 0, 2, 15}, Gateway[4] = {10, 0, 2, 2};
  std::memcpy(F.data() + 28, Guest, 4);   // sender IP
  std::memcpy(F.data() + 38, Gateway, 4); // target IP
  return F;
}

bool isArpReplyFromGateway(const std::vector<uint8_t> &F) {
  const uint8_t Gateway[4] = {10, 0, 2, 2};
  return F.size() >= 42 && F[12] == 0x08 && F[13] == 0x06 && F[21] == 2 &&
         !std::memcmp(F.data() + 28, Gateway, 4) && !std::memcmp(F.data(), GuestMac, 6);
}

/// A TCP SYN to 10.0.2.15:Port.
bool isSynTo(const std::vector<uint8_t> &F, uint16_t Port) {
  if (F.size() < 54 || F[12] != 0x08 || F[13] != 0x00 || F[23] != 6)
    return false;
  const uint8_t Guest[4] = {10, 0, 2, 15};
  size_t Tcp = 14 + (F[14] & 0xf) * 4;
  return !std::memcmp(F.data() + 30, Guest, 4) && F.size() >= Tcp + 14 &&
         (F[Tcp + 2] << 8 | F[Tcp + 3]) == Port && (F[Tcp + 13] & 0x02);
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
uint16_t freePort() {
  int S = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in A = {};
  A.sin_family = AF_INET;
  A.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t Len = sizeof A;
  bind(S, reinterpret_cast<sockaddr *>(&A), sizeof A);
  getsockname(S, reinterpret_cast<sockaddr *>(&A), &Len);
  close(S);
  return ntohs(A.sin_port);
}

/// Starts a non-blocking connection to 127.0.0.1:Port; returns the socket.
int connectTo(uint16_t Port) {
  int S = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in A = {};
  A.sin_family = AF_INET;
  A.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  A.sin_port = htons(Port);
  connect(S, reinterpret_cast<sockaddr *>(&A), sizeof A);
  return S;
}

/// Waits (Step runs one round, or sleeps while the thread runs them) until the guest
/// received a frame that Match accepts, looking at used entries from Seen on.
template <typename Predicate, typename StepFn>
bool awaitFrame(FakeGuest &G, uint16_t &Seen, Predicate Match, StepFn Step) {
  for (int Round = 0; Round < 300; ++Round) {
    Step();
    for (; Seen != G.usedIndex(0); ++Seen) {
      auto [Id, Length] = G.usedElement(0, Seen);
      if (Length > VirtioNet::HeaderSize && Match(G.received(Id, Length)))
        return ++Seen, true;
    }
  }
  return false;
}

MonitorNetwork forwarding(uint16_t HostPort, uint16_t GuestPort) {
  MonitorNetwork N;
  N.User.Forwards.push_back({htonl(INADDR_LOOPBACK), HostPort, GuestPort, false});
  return N;
}

TEST(UserNetworkTest, ArpAndAForwardedConnectionReachTheGuest) {
  FakeGuest G;
  G.start(64);
  G.offerReceiveBuffers(64);
  uint16_t Port = freePort();
  NetworkPump Pump(G.Device, forwarding(Port, 7));
  auto Round = [&] { ASSERT_TRUE(Pump.round(10)); };
  uint16_t Seen = 0;

  G.send(0, arpRequestForGateway());
  ASSERT_TRUE(awaitFrame(G, Seen, isArpReplyFromGateway, Round));
  EXPECT_EQ(G.usedIndex(1), 1); // the request's buffer came back

  int Client = connectTo(Port);
  ASSERT_TRUE(awaitFrame(
      G, Seen, [](const auto &F) { return isSynTo(F, 7); }, Round));
  EXPECT_GE(G.Interrupts, 2u);
  EXPECT_FALSE(G.Device.broken());
  close(Client);
}

TEST(UserNetworkTest, NothingReachesTheGuestWithoutReceiveBuffers) {
  FakeGuest G;
  G.start(8);
  NetworkPump Pump(G.Device, MonitorNetwork());
  G.send(0, arpRequestForGateway());
  for (int I = 0; I < 5; ++I)
    ASSERT_TRUE(Pump.round(10));
  // The answer waits in the backlog until the guest offers buffers.
  EXPECT_EQ(G.usedIndex(0), 0);
  EXPECT_EQ(Pump.backlog(), 1u);
  G.offerReceiveBuffers(8);
  uint16_t Seen = 0;
  ASSERT_TRUE(awaitFrame(G, Seen, isArpReplyFromGateway, [&] { Pump.round(10); }));
  EXPECT_EQ(Pump.backlog(), 0u);
}

TEST(UserNetworkTest, APortInUseIsAnError) {
  FakeGuest G;
  uint16_t Port = freePort();
  NetworkPump First(G.Device, forwarding(Port, 7));
  try {
    NetworkPump Second(G.Device, forwarding(Port, 8));
    FAIL() << "a second forward on port " << Port << " was accepted";
  } catch (const Error &E) {
    EXPECT_NE(std::string(E.what()).find("cannot listen on the host port"), std::string::npos)
        << E.what();
  }
}

/// A fake guest whose network thread runs as in ukrun: started, under its seccomp
/// filter, woken by kicks on an eventfd. For a child process (EXPECT_EXIT): the filter
/// stays with the process.
struct ThreadedGuest {
  FakeGuest G;
  NetworkPump Pump;
  int Kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  uint16_t Seen = 0;

  explicit ThreadedGuest(const MonitorNetwork &Options) : Pump(G.Device, Options) {
    G.start(64);
    G.offerReceiveBuffers(64);
    Pump.addKick(Kick);
    Pump.start(/*Sandbox=*/true, /*Outbound=*/false);
  }
  /// Queues Frame and kicks, as KVM does on the guest's QueueNotify.
  void send(const std::vector<uint8_t> &Frame) {
    G.send(0, Frame);
    uint64_t One = 1;
    (void)!write(Kick, &One, sizeof One);
  }
  template <typename Predicate> bool await(Predicate Match) {
    return awaitFrame(G, Seen, Match,
                      [] { std::this_thread::sleep_for(std::chrono::milliseconds(10)); });
  }
};

TEST(UserNetworkTest, TheNetworkThreadWorksUnderItsSeccompFilter) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto Run = [] {
    uint16_t Port = freePort();
    ThreadedGuest T(forwarding(Port, 7));
    T.send(arpRequestForGateway());
    if (!T.await(isArpReplyFromGateway))
      _exit(2);
    int Client = connectTo(Port);
    if (!T.await([](const auto &F) { return isSynTo(F, 7); }))
      _exit(3);
    close(Client);
    T.Pump.stop();
    _exit(0);
  };
  EXPECT_EXIT(Run(), testing::ExitedWithCode(0), "");
}

/// In a new network namespace: a persistent tap device Name at 10.0.2.2/24, up, as
/// `ip tuntap add` and `ip addr add` make it, owned by Owner if given (TUNSETOWNER).
/// False if any step fails.
bool makeTapInNewNamespace(const char *Name, long Owner = -1) {
  if (unshare(CLONE_NEWNET) < 0)
    return false;
  int Fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  ifreq R = {};
  R.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy(R.ifr_name, Name, IFNAMSIZ - 1);
  bool Ok = Fd >= 0 && ioctl(Fd, TUNSETIFF, &R) == 0 && ioctl(Fd, TUNSETPERSIST, 1) == 0 &&
            (Owner < 0 || ioctl(Fd, TUNSETOWNER, Owner) == 0);
  close(Fd);
  int S = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto Set = [&](unsigned long Request, const char *Value) {
    auto *A = reinterpret_cast<sockaddr_in *>(&R.ifr_addr);
    *A = {};
    A->sin_family = AF_INET;
    inet_pton(AF_INET, Value, &A->sin_addr);
    return ioctl(S, Request, &R) == 0;
  };
  Ok = Ok && Set(SIOCSIFADDR, "10.0.2.2") && Set(SIOCSIFNETMASK, "255.255.255.0") &&
       ioctl(S, SIOCGIFFLAGS, &R) == 0;
  R.ifr_flags |= IFF_UP;
  Ok = Ok && ioctl(S, SIOCSIFFLAGS, &R) == 0;
  close(S);
  return Ok;
}

/// Each test's child makes its own network namespace and tap (makeTapInNewNamespace).
class TapNetworkTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (geteuid() != 0)
      GTEST_SKIP() << "a network namespace with a tap device needs root";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

TEST_F(TapNetworkTest, TheHostAnswersThroughTheTapUnderTheSeccompFilter) {
  auto Run = [] {
    if (!makeTapInNewNamespace("ukt0"))
      _exit(2);
    MonitorNetwork Options;
    Options.Tap = "ukt0";
    ThreadedGuest T(Options);
    // The host's kernel answers for its tap address, as a gateway on a LAN would.
    T.send(arpRequestForGateway());
    if (!T.await(isArpReplyFromGateway))
      _exit(3);
    T.Pump.stop();
    _exit(T.G.Device.broken() ? 4 : 0);
  };
  EXPECT_EXIT(Run(), testing::ExitedWithCode(0), "");
}

TEST_F(TapNetworkTest, AnotherUsersTapIsAnError) {
  auto Run = [] {
    // The tap belongs to uid 1; this process, root without CAP_NET_ADMIN, may not
    // attach to it.
    if (!makeTapInNewNamespace("ukt0", /*Owner=*/1))
      _exit(2);
    __user_cap_header_struct Header = {_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct Caps[2] = {};
    if (syscall(SYS_capget, &Header, Caps) < 0)
      _exit(6);
    Caps[0].effective &= ~(1u << CAP_NET_ADMIN);
    if (syscall(SYS_capset, &Header, Caps) < 0)
      _exit(6);
    try {
      FakeGuest G;
      MonitorNetwork Options;
      Options.Tap = "ukt0";
      NetworkPump Pump(G.Device, Options);
    } catch (const Error &E) {
      fprintf(stderr, "%s\n", E.what());
      _exit(0);
    }
    _exit(7);
  };
  EXPECT_EXIT(Run(), testing::ExitedWithCode(0),
              "cannot attach to the tap device: not allowed");
}

} // namespace
