// VirtioNet: the virtio-mmio register file of one network device, and its two queues.
#include "VirtioNet.h"

#include <algorithm>
#include <cstring>

namespace ukcxx {
namespace {

constexpr uint32_t Magic = 0x74726976, NetworkDeviceId = 1;
constexpr uint32_t VendorId = 0x756b6378; // "ukcx"
constexpr uint32_t DriverOk = 4, FeaturesOk = 8;
constexpr uint64_t FeatureMtu = 1ull << 3, FeatureMac = 1ull << 5, FeatureVersion1 = 1ull << 32;
constexpr uint64_t Offered = FeatureMtu | FeatureMac | FeatureVersion1;
constexpr uint16_t Mtu = 1500;
constexpr uint32_t InterruptUsed = 1, InterruptConfig = 2;

enum Register : uint64_t {
  MagicValue = 0x000,
  Version = 0x004,
  DeviceId = 0x008,
  Vendor = 0x00c,
  DeviceFeatures = 0x010,
  DeviceFeaturesSel = 0x014,
  DriverFeaturesReg = 0x020,
  DriverFeaturesSel = 0x024,
  QueueSel = 0x030,
  QueueNumMax = 0x034,
  QueueNum = 0x038,
  QueueReady = 0x044,
  QueueNotify = 0x050,
  InterruptStatusReg = 0x060,
  InterruptAck = 0x064,
  StatusReg = 0x070,
  QueueDescLow = 0x080,
  QueueDescHigh = 0x084,
  QueueDriverLow = 0x090,
  QueueDriverHigh = 0x094,
  QueueDeviceLow = 0x0a0,
  QueueDeviceHigh = 0x0a4,
  ConfigGeneration = 0x0fc,
  Config = 0x100,
};

void setLow(uint64_t &Field, uint32_t Value) { Field = (Field & ~0xffffffffull) | Value; }
void setHigh(uint64_t &Field, uint32_t Value) {
  Field = (Field & 0xffffffffull) | uint64_t(Value) << 32;
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
  if (Offset >= Config)
    return Size == 1 || Size == 2 || Size == 4 ? config(Offset - Config, Size) : 0;
  if (Size != 4 || Offset % 4)
    return 0;
  const Virtqueue *Q = QueueSelect < 2 ? &Queues[QueueSelect] : nullptr;
  switch (Offset) {
  case MagicValue:
    return Magic;
  case Version:
    return 2;
  case DeviceId:
    return NetworkDeviceId;
  case Vendor:
    return VendorId;
  case DeviceFeatures:
    return DeviceFeaturesSelect < 2 ? uint32_t(Offered >> (32 * DeviceFeaturesSelect)) : 0;
  case QueueNumMax:
    return Q ? QueueSizeMax : 0;
  case QueueReady:
    return Q && Q->Ready;
  case InterruptStatusReg:
    return InterruptStatus;
  case StatusReg:
    return Status;
  case ConfigGeneration:
    return 0;
  default:
    return 0; // write-only or reserved
  }
}

void VirtioNet::write(uint64_t Offset, uint32_t Value, unsigned Size) {
  std::unique_lock<std::mutex> Guard(Lock);
  if (Offset >= Config || Size != 4 || Offset % 4)
    return; // the configuration space is read-only; other widths are not registers
  switch (Offset) {
  case DeviceFeaturesSel:
    DeviceFeaturesSelect = Value;
    return;
  case DriverFeaturesReg:
    // Features are fixed once the driver set FEATURES_OK.
    if (!(Status & FeaturesOk) && DriverFeaturesSelect < 2) {
      unsigned Shift = 32 * DriverFeaturesSelect;
      DriverFeatures = (DriverFeatures & ~(0xffffffffull << Shift)) | uint64_t(Value) << Shift;
    }
    return;
  case DriverFeaturesSel:
    DriverFeaturesSelect = Value;
    return;
  case QueueSel:
    QueueSelect = Value;
    return;
  case QueueNotify:
    // The ioeventfd takes these without an exit; this is the slow path.
    if (Value < 2 && Notify) {
      Guard.unlock();
      Notify(uint16_t(Value));
    }
    return;
  case InterruptAck:
    InterruptStatus &= ~Value;
    return;
  case StatusReg:
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
  if (Offset == QueueReady) {
    if (!Value) {
      Q.Ready = false;
      return;
    }
    if (Q.Ready)
      return;
    if (!Q.valid(Memory))
      return markBroken("a queue's size or rings are invalid or outside guest memory");
    Q.Ready = true;
    return;
  }
  if (Q.Ready)
    return; // the driver may not move a live queue
  switch (Offset) {
  case QueueNum:
    Q.Size = Value <= QueueSizeMax ? uint16_t(Value) : 0;
    return;
  case QueueDescLow:
    return setLow(Q.DescriptorTable, Value);
  case QueueDescHigh:
    return setHigh(Q.DescriptorTable, Value);
  case QueueDriverLow:
    return setLow(Q.AvailRing, Value);
  case QueueDriverHigh:
    return setHigh(Q.AvailRing, Value);
  case QueueDeviceLow:
    return setLow(Q.UsedRing, Value);
  case QueueDeviceHigh:
    return setHigh(Q.UsedRing, Value);
  }
}

void VirtioNet::setStatus(uint32_t Value) {
  if (Value == 0)
    return reset();
  // FEATURES_OK only for a subset of what was offered that includes VERSION_1 (this
  // is a modern-only device); the driver reads the status back to learn the verdict.
  if ((Value & FeaturesOk) && !(Status & FeaturesOk) &&
      ((DriverFeatures & ~Offered) || !(DriverFeatures & FeatureVersion1)))
    Value &= ~FeaturesOk;
  if ((Value & DriverOk) && !(Value & FeaturesOk))
    Value &= ~DriverOk;
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
  if (Status & DriverOk)
    raise(InterruptConfig);
}

void VirtioNet::raise(uint32_t Bits) {
  InterruptStatus |= Bits;
  if (Interrupt)
    Interrupt();
}

bool VirtioNet::queueLive(uint16_t Index) const {
  return (Status & DriverOk) && Broken.empty() && Queues[Index].Ready;
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
      Frame F;
      F.reserve(C.ReadableBytes - HeaderSize);
      uint64_t Skip = HeaderSize;
      for (const ChainSegment &S : C.Segments) {
        uint64_t From = std::min<uint64_t>(Skip, S.Length);
        Skip -= From;
        F.insert(F.end(), S.Data + From, S.Data + S.Length);
      }
      Out.push_back(std::move(F));
    }
    if (!Q.put(Memory, C.Head, 0))
      return markBroken("the used ring is outside guest memory");
  }
  if (Q.interruptWanted(Memory))
    raise(InterruptUsed);
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
      uint8_t Header[HeaderSize] = {};
      Header[10] = 1; // num_buffers
      const uint8_t *Parts[2] = {Header, F.data()};
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
    }
    Backlog.pop_front();
    if (!Q.put(Memory, C.Head, Written))
      return markBroken("the used ring is outside guest memory");
  }
  if (Q.interruptWanted(Memory))
    raise(InterruptUsed);
}

bool VirtioNet::transmitPending() const {
  std::lock_guard<std::mutex> Guard(Lock);
  return queueLive(TransmitQueue) && Queues[TransmitQueue].hasAvailable(Memory);
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
  return (Status & DriverOk) && Broken.empty();
}

} // namespace ukcxx
