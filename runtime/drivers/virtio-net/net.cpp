// net.cpp: the virtio network device: a receive queue kept full of 2 KiB buffers and
// a send queue whose buffers are reclaimed as frames go out. Frames are copied in and
// out (one copy each way), which keeps buffers fixed to descriptors and the rings
// simple; a burst of frames costs one notification. Where the device offers checksum
// offload both ways, TCP checksums are left to it: a sum over every byte sent and
// received is the costliest work the stack does per byte, and where ring 0 is emulated
// each of its instructions counts.
#include "virtio.h"

#include "uk/abi/virtio_net.h"

#include "uk/irq.h"
#include "uk/memory.h"
#include "uk/netdev.h"
#include "uk/paging.h"
#include "uk/platform.h"
#include "uk/print.h"

namespace uk {

struct NetDevice {
  virtio::Device device;
  virtio::Queue receive, send;
  uint8_t *receive_buffers[128], *send_buffers[128];
  uint64_t receive_phys[128], send_phys[128];
  uint16_t free_sends[128]; // send descriptors the device gave back
  uint16_t free_count;
  uint8_t mac[6];
  uint16_t mtu;
  bool offload; // checksums by the device: TCP ones it sends, all it receives
  FrameHandler on_frame;
  void (*on_batch_end)();
};

namespace {

using namespace virtio_net;

constexpr uint16_t QueueSize = 128;
constexpr size_t BufferSize = 2048;
constexpr size_t HeaderSize = sizeof(Header);
// Offload needs both ways: a frame sent to the interface's own address comes back
// through the stack's loopback unsummed, and must then not be checked either.
constexpr uint64_t Offload = FeatureCsum | FeatureGuestCsum;

NetDevice the_device;
bool started;

/// Buffers of BufferSize, two to a page, with their physical addresses.
bool allocate_buffers(uint8_t **buffers, uint64_t *phys) {
  for (unsigned i = 0; i < QueueSize; i += 2) {
    uint64_t frame = frame_alloc();
    if (!frame)
      return false;
    for (unsigned half = 0; half < 2; ++half) {
      phys[i + half] = frame + half * BufferSize;
      buffers[i + half] = static_cast<uint8_t *>(phys_to_virt(phys[i + half]));
    }
  }
  return true;
}

/// Takes back the send buffers the device is done with.
void reclaim_sends(NetDevice &n) {
  virtio::UsedElement used;
  while (virtio::queue_take(n.send, used))
    n.free_sends[n.free_count++] = uint16_t(used.id);
}

void on_interrupt(TrapFrame &) {
  NetDevice &n = the_device;
  // On QEMU the line is acknowledged first: a later frame raises it again. The
  // monitor's interrupts are messages, one per event: the handler below drains both
  // queues whatever caused it, so it needs no status either.
  if (!platform->device_interrupts_are_messages)
    virtio::device_interrupt_status(n.device);
  virtio::UsedElement used;
  do {
    while (virtio::queue_take(n.receive, used)) {
      uint16_t id = uint16_t(used.id);
      if (id < QueueSize && used.length > HeaderSize && used.length <= BufferSize) {
        const uint8_t *buffer = n.receive_buffers[id];
        bool checked = n.offload && (buffer[0] & (DataValid | NeedsCsum));
        n.on_frame(buffer + HeaderSize, used.length - HeaderSize, checked);
      }
      virtio::queue_offer(n.receive, id);
    }
  } while (virtio::queue_arm_interrupt(n.receive));
  reclaim_sends(n);
  if (virtio::queue_needs_notify(n.receive))
    virtio::device_notify(n.device, n.receive);
  n.on_batch_end();
  irq_done();
}

bool start(NetDevice &n) {
  // Event indexes only where the guest's fences reach the device (Platform says why).
  uint64_t event_idx = platform->device_sees_guest_fences ? virtio::FeatureEventIdx : 0;
  uint64_t features =
      virtio::device_begin(n.device, FeatureMac | FeatureMtu | event_idx | Offload);
  if (!features)
    return false;
  n.offload = (features & Offload) == Offload;
  uint16_t receive_size = virtio::device_queue_size(n.device, 0, QueueSize);
  uint16_t send_size = virtio::device_queue_size(n.device, 1, QueueSize);
  if (receive_size != QueueSize || send_size != QueueSize ||
      !virtio::queue_init(n.receive, 0, QueueSize, features) ||
      !virtio::queue_init(n.send, 1, QueueSize, features) ||
      !allocate_buffers(n.receive_buffers, n.receive_phys) ||
      !allocate_buffers(n.send_buffers, n.send_phys))
    return false;
  for (uint16_t i = 0; i < QueueSize; ++i) {
    n.receive.descriptors[i] = {n.receive_phys[i], BufferSize, virtio::DescWrite, 0};
    n.send.descriptors[i] = {n.send_phys[i], 0, 0, 0};
    virtio::queue_offer(n.receive, i);
    n.free_sends[i] = uint16_t(QueueSize - 1 - i);
  }
  n.free_count = QueueSize;
  virtio::queue_mute_interrupts(n.send); // sent buffers are reclaimed when sending
  if (!virtio::device_add_queue(n.device, n.receive) ||
      !virtio::device_add_queue(n.device, n.send))
    return false;
  for (unsigned i = 0; i < 6; ++i)
    n.mac[i] = features & FeatureMac ? virtio::device_config8(n.device, i) : uint8_t(0x52 + i);
  n.mtu = 1500;
  if (features & FeatureMtu) {
    uint16_t mtu = uint16_t(virtio::device_config8(n.device, 10) |
                            virtio::device_config8(n.device, 11) << 8);
    if (mtu >= 576 && mtu < n.mtu)
      n.mtu = mtu;
  }
  route_irq(n.device.gsi, on_interrupt);
  virtio::device_ready(n.device);
  virtio::device_notify(n.device, n.receive);
  return true;
}

} // namespace

NetDevice *net_device_start(FrameHandler receive, void (*batch_end)()) {
  if (started)
    return &the_device;
  NetDevice &n = the_device;
  if (!virtio::find_device(DeviceId, 0, n.device))
    return nullptr;
  n.on_frame = receive;
  n.on_batch_end = batch_end;
  if (!start(n)) {
    print("ukc++: the virtio network device could not be set up\n");
    return nullptr;
  }
  started = true;
  return &n;
}

void net_device_address(const NetDevice &device, uint8_t mac[6]) { memcpy(mac, device.mac, 6); }

uint16_t net_device_mtu(const NetDevice &device) { return device.mtu; }

bool net_device_checksums(const NetDevice &device) { return device.offload; }

bool net_device_send(NetDevice &n, const FramePart *parts, int count) {
  if (!n.free_count)
    reclaim_sends(n);
  if (!n.free_count)
    return false;
  size_t total = 0;
  for (int i = 0; i < count; ++i)
    total += parts[i].length;
  if (total > BufferSize - HeaderSize)
    return false;
  uint16_t id = n.free_sends[--n.free_count];
  uint8_t *buffer = n.send_buffers[id];
  Header header = {};
  size_t at = HeaderSize;
  for (int i = 0; i < count; ++i) {
    memcpy(buffer + at, parts[i].data, parts[i].length);
    at += parts[i].length;
  }
  Transport t;
  if (n.offload && find_transport(buffer + HeaderSize, total, t) && t.protocol == Tcp) {
    // The device sums from csum_start to the end into the field, which holds the
    // pseudo-header's sum meanwhile (virtio 1.2, 5.1.6.2).
    uint16_t pseudo = checksum_fold(t.pseudo);
    memcpy(buffer + HeaderSize + t.start + t.csum_offset, &pseudo, 2);
    header.flags = NeedsCsum;
    header.csum_start = uint16_t(t.start);
    header.csum_offset = t.csum_offset;
  }
  memcpy(buffer, &header, HeaderSize);
  n.send.descriptors[id].length = uint32_t(at);
  virtio::queue_offer(n.send, id);
  return true;
}

bool net_device_idle(NetDevice &n) {
  reclaim_sends(n);
  return n.free_count == QueueSize;
}

void net_device_flush(NetDevice &n) {
  if (virtio::queue_needs_notify(n.send))
    virtio::device_notify(n.device, n.send);
}

} // namespace uk
