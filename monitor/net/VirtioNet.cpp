// VirtioNet: the virtio-mmio register file of one network device, and its two queues.
#include "VirtioNet.h"

#include "uk/abi/virtio_mmio.h"

#include <algorithm>
#include <cstring>

namespace ukcxx {
namespace {

namespace mmio = uk::virtio_mmio;
namespace net = uk::virtio_net;

constexpr uint32_t VendorId = 0x756b6378; // "ukcx"
constexpr uint64_t Offered = net::FeatureCsum | net::FeatureGuestCsum | net::FeatureMtu |
                             net::FeatureMac | mmio::FeatureEventIdx | mmio::FeatureVersion1;
constexpr uint16_t Mtu = 1500;

void setLow(uint64_t &Field, uint32_t Value) { Field = (Field & ~0xffffffffull) | Value; }
void setHigh(uint64_t &Field, uint32_t Value) {
  Field = (Field & 0xffffffffull) | uint64_t(Value) << 32;
}

/// Copies a transmit chain's bytes: the virtio header into H, the frame into F.
void gather(const Chain &C, net::Header &H, Frame &F) {
  auto *Into = reinterpret_cast<uint8_t *>(&H);
  size_t HeaderAt = 0;
  F.reserve(C.ReadableBytes - sizeof H);
  for (const ChainSegment &S : C.Segments) {
    size_t N = std::min<size_t>(S.Length, sizeof H - HeaderAt);
    std::memcpy(Into + HeaderAt, S.Data, N);
    HeaderAt += N;
    F.insert(F.end(), S.Data + N, S.Data + S.Length);
  }
}

/// Whether F is an IPv4 TCP or UDP packet whose checksum is right (a UDP one may
/// have none).
bool checksumRight(const Frame &F) {
  net::Transport T;
  if (!net::find_transport(F.data(), F.size(), T))
    return false;
  const uint8_t *Field = F.data() + T.start + T.csum_offset;
  if (T.protocol == net::Udp && !Field[0] && !Field[1])
    return true;
  return net::checksum_fold(net::checksum_add(F.data() + T.start, T.length, T.pseudo)) ==
         0xffff;
}

} // namespace

VirtioNet::VirtioNet(const GuestMemory &Memory, std::array<uint8_t, 6> Mac,
                     std::function<void()> Interrupt, std::function<void(uint16_t)> Notify)
    : Memory(Memory), Mac(Mac), Interrupt(std::move(Interrupt)), Notify(std::move(Notify)) {}

uint32_t VirtioNet::config(uint64_t Offset, unsigned Size) const {
  // struct virtio_net_config: mac[6], status, max_virtqueue_pairs, mtu.
  uint8_t Space[12] = {};
  std::memcpy(Space, Mac.data(), 6);
  Space[8] = 1; // one queue pair
  Space[10] = uint8_t(Mtu);
  Space[11] = uint8_t(Mtu >> 8);
  uint32_t Value = 0;
  for (unsigned I = 0; I < Size; ++I)
    if (Offset + I < sizeof Space)
      Value |= uint32_t(Space[Offset + I]) << (8 * I);
  return Value;
}

uint32_t VirtioNet::read(uint64_t Offset, unsigned Size) {
  std::lock_guard<std::mutex> Guard(Lock);
  if (Offset >= mmio::Config)
    return Size == 1 || Size == 2 || Size == 4 ? config(Offset - mmio::Config, Size) : 0;
  if (Size != 4 || Offset % 4)
    return 0;
  const Virtqueue *Q = QueueSelect < 2 ? &Queues[QueueSelect] : nullptr;
  switch (Offset) {
  case mmio::MagicValue:
    return mmio::Magic;
  case mmio::Version:
    return 2;
  case mmio::DeviceId:
    return net::DeviceId;
  case mmio::VendorId:
    return VendorId;
  case mmio::DeviceFeatures:
    return DeviceFeaturesSelect < 2 ? uint32_t(Offered >> (32 * DeviceFeaturesSelect)) : 0;
  case mmio::QueueNumMax:
    return Q ? QueueSizeMax : 0;
  case mmio::QueueReady:
    return Q && Q->Ready;
  case mmio::InterruptStatus:
    return InterruptStatus;
  case mmio::Status:
    return Status;
  case mmio::ConfigGeneration:
    return 0;
  default:
    return 0; // write-only or reserved
  }
}

void VirtioNet::write(uint64_t Offset, uint32_t Value, unsigned Size) {
  std::unique_lock<std::mutex> Guard(Lock);
  if (Offset >= mmio::Config || Size != 4 || Offset % 4)
    return; // the configuration space is read-only; other widths are not registers
  switch (Offset) {
  case mmio::DeviceFeaturesSel:
    DeviceFeaturesSelect = Value;
    return;
  case mmio::DriverFeatures:
    // Features are fixed once the driver set FEATURES_OK.
    if (!(Status & mmio::StatusFeaturesOk) && DriverFeaturesSelect < 2) {
      unsigned Shift = 32 * DriverFeaturesSelect;
      DriverFeatures = (DriverFeatures & ~(0xffffffffull << Shift)) | uint64_t(Value) << Shift;
    }
    return;
  case mmio::DriverFeaturesSel:
    DriverFeaturesSelect = Value;
    return;
  case mmio::QueueSel:
    QueueSelect = Value;
    return;
  case mmio::QueueNotify:
    // The ioeventfd takes these without an exit; this is the slow path.
    if (Value < 2 && Notify) {
      Guard.unlock();
      Notify(uint16_t(Value));
    }
    return;
  case mmio::InterruptAck:
    InterruptStatus &= ~Value;
    return;
  case mmio::Status:
    setStatus(Value);
    return;
  default:
    writeQueueRegister(Offset, Value);
  }
}

void VirtioNet::writeQueueRegister(uint64_t Offset, uint32_t Value) {
  if (QueueSelect >= 2)
    return;
  Virtqueue &Q = Queues[QueueSelect];
  if (Offset == mmio::QueueReady) {
    if (!Value) {
      Q.Ready = false;
      return;
    }
    if (Q.Ready)
      return;
    if (!Q.valid(Memory))
      return markBroken("a queue's size or rings are invalid or outside guest memory");
    Q.Ready = true;
    Q.EventIdx = DriverFeatures & mmio::FeatureEventIdx;
    return;
  }
  if (Q.Ready)
    return; // the driver may not move a live queue
  switch (Offset) {
  case mmio::QueueNum:
    Q.Size = Value <= QueueSizeMax ? uint16_t(Value) : 0;
    return;
  case mmio::QueueDescLow:
    return setLow(Q.DescriptorTable, Value);
  case mmio::QueueDescHigh:
    return setHigh(Q.DescriptorTable, Value);
  case mmio::QueueDriverLow:
    return setLow(Q.AvailRing, Value);
  case mmio::QueueDriverHigh:
    return setHigh(Q.AvailRing, Value);
  case mmio::QueueDeviceLow:
    return setLow(Q.UsedRing, Value);
  case mmio::QueueDeviceHigh:
    return setHigh(Q.UsedRing, Value);
  }
}

void VirtioNet::setStatus(uint32_t Value) {
  if (Value == 0)
    return reset();
  // FEATURES_OK only for a subset of what was offered that includes VERSION_1 (this
  // is a modern-only device); the driver reads the status back to learn the verdict.
  if ((Value & mmio::StatusFeaturesOk) && !(Status & mmio::StatusFeaturesOk) &&
      ((DriverFeatures & ~Offered) || !(DriverFeatures & mmio::FeatureVersion1)))
    Value &= ~mmio::StatusFeaturesOk;
  if ((Value & mmio::StatusDriverOk) && !(Value & mmio::StatusFeaturesOk))
    Value &= ~mmio::StatusDriverOk;
  Status = Value | (Status & StatusNeedsReset);
}

void VirtioNet::reset() {
  Status = InterruptStatus = 0;
  DeviceFeaturesSelect = DriverFeaturesSelect = QueueSelect = 0;
  DriverFeatures = 0;
  for (Virtqueue &Q : Queues)
    Q.reset();
  Broken.clear();
}

void VirtioNet::markBroken(const char *Why) {
  if (!Broken.empty())
    return;
  Broken = Why;
  Status |= StatusNeedsReset;
  if (Status & mmio::StatusDriverOk)
    raise(mmio::InterruptConfig);
}

void VirtioNet::raise(uint32_t Bits) {
  InterruptStatus |= Bits;
  ++Count.Interrupts;
  if (Interrupt)
    Interrupt();
}

bool VirtioNet::completeChecksum(const net::Header &H, Frame &F) {
  if (H.gso_type)
    return false; // segmentation was not offered
  if (!(H.flags & net::NeedsCsum))
    return true;
  size_t Start = H.csum_start, Field = Start + H.csum_offset;
  if (!(DriverFeatures & net::FeatureCsum) || Field + 2 > F.size())
    return false;
  // The field holds the pseudo-header's sum; the sum from Start covers it. A result of
  // 0 goes out as 0xffff, its other form: in UDP, 0 would mean "no checksum".
  uint16_t Sum =
      uint16_t(~net::checksum_fold(net::checksum_add(F.data() + Start, F.size() - Start)));
  if (!Sum)
    Sum = 0xffff;
  std::memcpy(F.data() + Field, &Sum, 2);
  ++Count.Summed;
  return true;
}

bool VirtioNet::queueLive(uint16_t Index) const {
  return (Status & mmio::StatusDriverOk) && Broken.empty() && Queues[Index].Ready;
}

void VirtioNet::transmit(std::vector<Frame> &Out) {
  std::lock_guard<std::mutex> Guard(Lock);
  if (!queueLive(TransmitQueue))
    return;
  Virtqueue &Q = Queues[TransmitQueue];
  Chain C;
  const char *Why = nullptr;
  // At most one ring's worth per call: a guest that refills as fast as the device
  // drains cannot keep this thread here; the caller comes back while more is queued.
  for (unsigned N = 0; N < Q.Size; ++N) {
    Virtqueue::Take T = Q.take(Memory, C, Why);
    if (T == Virtqueue::Take::Empty)
      break;
    if (T == Virtqueue::Take::Broken)
      return markBroken(Why);
    if (C.WritableBytes)
      return markBroken("a transmit chain has device-writable buffers");
    if (C.ReadableBytes > HeaderSize) {
      net::Header H;
      Frame F;
      gather(C, H, F);
      if (completeChecksum(H, F)) {
        Out.push_back(std::move(F));
        ++Count.Sent;
      } else {
        ++Count.Dropped;
      }
    }
    if (!Q.put(Memory, C.Head, 0))
      return markBroken("the used ring is outside guest memory");
  }
  if (Q.interruptWanted(Memory))
    raise(mmio::InterruptUsed);
}

void VirtioNet::receive(std::deque<Frame> &Backlog) {
  std::lock_guard<std::mutex> Guard(Lock);
  if (!queueLive(ReceiveQueue))
    return;
  Virtqueue &Q = Queues[ReceiveQueue];
  Chain C;
  const char *Why = nullptr;
  while (!Backlog.empty()) {
    Virtqueue::Take T = Q.take(Memory, C, Why);
    if (T == Virtqueue::Take::Empty)
      break;
    if (T == Virtqueue::Take::Broken)
      return markBroken(Why);
    if (C.ReadableBytes)
      return markBroken("a receive chain has device-readable buffers");
    const Frame &F = Backlog.front();
    uint32_t Written = 0;
    // Without MRG_RXBUF every buffer must hold a whole frame; one that cannot is
    // returned empty and the frame dropped.
    if (C.WritableBytes >= HeaderSize + F.size()) {
      net::Header H = {};
      H.buffers = 1;
      if ((DriverFeatures & net::FeatureGuestCsum) && checksumRight(F)) {
        H.flags = net::DataValid;
        ++Count.Checked;
      }
      const uint8_t *Parts[2] = {reinterpret_cast<const uint8_t *>(&H), F.data()};
      size_t Lengths[2] = {HeaderSize, F.size()};
      size_t Part = 0, PartAt = 0;
      for (const ChainSegment &S : C.Segments) {
        uint32_t At = 0;
        while (At < S.Length && Part < 2) {
          size_t N = std::min<size_t>(S.Length - At, Lengths[Part] - PartAt);
          std::memcpy(S.Data + At, Parts[Part] + PartAt, N);
          At += uint32_t(N);
          PartAt += N;
          if (PartAt == Lengths[Part])
            ++Part, PartAt = 0;
        }
      }
      Written = uint32_t(HeaderSize + F.size());
      ++Count.Received;
    } else {
      ++Count.Dropped;
    }
    Backlog.pop_front();
    if (!Q.put(Memory, C.Head, Written))
      return markBroken("the used ring is outside guest memory");
  }
  if (Q.interruptWanted(Memory))
    raise(mmio::InterruptUsed);
}

bool VirtioNet::transmitPending() const {
  std::lock_guard<std::mutex> Guard(Lock);
  return queueLive(TransmitQueue) && Queues[TransmitQueue].hasAvailable(Memory);
}

VirtioNet::Counters VirtioNet::counters() const {
  std::lock_guard<std::mutex> Guard(Lock);
  return Count;
}

bool VirtioNet::broken() const {
  std::lock_guard<std::mutex> Guard(Lock);
  return !Broken.empty();
}

std::string VirtioNet::brokenReason() const {
  std::lock_guard<std::mutex> Guard(Lock);
  return Broken;
}

uint32_t VirtioNet::status() const {
  std::lock_guard<std::mutex> Guard(Lock);
  return Status;
}

bool VirtioNet::running() const {
  std::lock_guard<std::mutex> Guard(Lock);
  return (Status & mmio::StatusDriverOk) && Broken.empty();
}

} // namespace ukcxx
