// transport.cpp: volumes on QEMU: each virtio-9p device carries 9P messages, one
// request and its reply at a time, as a chain of two descriptors (the request, then
// the reply buffer the device writes). The caller blocks until the device's
// interrupt says the reply is there.
#include "virtio.h"

#include "uk/cpu.h"
#include "uk/irq.h"
#include "uk/paging.h"
#include "uk/print.h"
#include "uk/sched.h"
#include "uk/time.h"
#include "uk/volume.h"

#include <asm-generic/errno.h>

namespace uk {
namespace {

constexpr uint32_t NineP = 9;                       // virtio device type
constexpr uint64_t FeatureMountTag = 1ull << 0;     // the config space has the tag
constexpr uint64_t ReplyTimeoutNs = 60'000'000'000; // then the device is taken as dead
constexpr uint64_t SpinNs = 50'000;                 // polling for a reply before sleeping
constexpr unsigned MaxDevices = 8;

struct Volume {
  virtio::Device device;
  virtio::Queue queue;
  Thread *waiter; // the thread waiting for this device's reply
  bool broken;    // it did not answer in time: its buffers may still be written
  char tag[64];
};
Volume volumes[MaxDevices];
unsigned volume_count;
bool probed;

uint64_t physical(const void *kernel_address) {
  return reinterpret_cast<uint64_t>(kernel_address) - direct_map_base;
}

void on_interrupt(TrapFrame &) {
  for (unsigned i = 0; i < volume_count; ++i)
    if (virtio::device_interrupt_status(volumes[i].device) && volumes[i].waiter)
      wake(volumes[i].waiter);
  irq_done();
}

bool start(Volume &v) {
  uint64_t features = virtio::device_begin(v.device, FeatureMountTag);
  if (!features || !virtio::device_queue_size(v.device, 0, 4) ||
      !virtio::queue_init(v.queue, 0, 4, features) ||
      !virtio::device_add_queue(v.device, v.queue))
    return false;
  size_t len = 0;
  if (features & FeatureMountTag)
    len = virtio::device_config8(v.device, 0) | size_t(virtio::device_config8(v.device, 1))
                                                    << 8;
  if (len >= sizeof v.tag)
    len = 0; // no name a manifest or ukrun would give: the volume is not mounted
  for (size_t i = 0; i < len; ++i)
    v.tag[i] = char(virtio::device_config8(v.device, unsigned(2 + i)));
  v.tag[len] = 0;
  route_irq(v.device.gsi, on_interrupt);
  virtio::device_ready(v.device);
  return true;
}

void probe() {
  if (probed)
    return;
  probed = true;
  for (unsigned skip = 0; volume_count < MaxDevices; ++skip) {
    Volume &v = volumes[volume_count];
    if (!virtio::find_device(NineP, skip, v.device))
      break;
    if (start(v))
      ++volume_count;
    else
      print("ukc++: a virtio-9p device could not be set up; its volume is left out\n");
  }
}

} // namespace

bool virtio_volume_tag(unsigned index, char *tag, size_t cap) {
  probe();
  if (index >= volume_count)
    return false;
  size_t len = strlen(volumes[index].tag);
  if (len >= cap)
    return false;
  memcpy(tag, volumes[index].tag, len + 1);
  return true;
}

long virtio_volume_transact(unsigned index, const void *request, size_t len, void *reply,
                            size_t cap) {
  probe();
  if (index >= volume_count || volumes[index].broken)
    return -EIO;
  Volume &v = volumes[index];
  VERIFY(!v.waiter); // the client sends one message at a time
  v.queue.descriptors[0] = {physical(request), uint32_t(len), virtio::DescNext, 1};
  v.queue.descriptors[1] = {physical(reply), uint32_t(cap), virtio::DescWrite, 0};
  virtio::queue_offer(v.queue, 0);
  if (virtio::queue_needs_notify(v.queue))
    virtio::device_notify(v.device, v.queue);
  virtio::UsedElement used;
  // A reply often comes sooner than an interrupt's delivery and the wake-up would
  // take: look for it a while before sleeping.
  uint64_t now = monotonic_ns(), spin_until = tsc_at(now + SpinNs);
  uint64_t deadline = tsc_at(now + ReplyTimeoutNs);
  bool replied;
  while (!(replied = virtio::queue_take(v.queue, used)) && rdtsc() < spin_until)
    asm volatile("pause");
  while (!replied) {
    if (rdtsc() >= deadline) {
      v.broken = true;
      print("ukc++: volume '%s' did not answer in 60 s; its files now fail with EIO\n", v.tag);
      return -EIO;
    }
    v.waiter = current_thread();
    block("a volume's reply", deadline, false);
    v.waiter = nullptr;
    replied = virtio::queue_take(v.queue, used);
  }
  return used.length <= cap ? long(used.length) : -EIO;
}

} // namespace uk
