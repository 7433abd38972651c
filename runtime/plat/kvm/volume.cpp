// volume.cpp: host volumes on the built-in monitor: a 9P message's buffers by their
// physical addresses, one hypercall per message.
#include "kvm.h"

#include "uk/paging.h"
#include "uk/volume.h"

#include <asm-generic/errno.h>

extern "C" char __uk_kernel_start[], __uk_kernel_end[];

namespace uk {
namespace {

uint32_t volume_count; // from the boot info: 0 unless a monitor with volumes booted us

// Kernel statics: identity-mapped below 4 GiB, so that their address fits the OUT. The
// kernel is never preempted, so one of each is enough.
uk_hc_volume volume_call;
uk_hc_volume_info info_call;

/// The guest-physical address of [p, +len), if it is kernel memory whose physical
/// address the kernel knows.
bool physical(const void *p, size_t len, uint64_t &phys) {
  uint64_t virt = reinterpret_cast<uint64_t>(p);
  if (virt + len < virt)
    return false;
  if (virt >= DirectMapBase) {
    phys = virt - DirectMapBase;
    return true;
  }
  if (virt >= reinterpret_cast<uint64_t>(__uk_kernel_start) &&
      virt + len <= reinterpret_cast<uint64_t>(__uk_kernel_end)) {
    phys = virt;
    return true;
  }
  return false;
}

} // namespace

void kvm_volumes_init(uint32_t count) { volume_count = count; }

long kvm_volume_transact(unsigned volume, const void *request, size_t len, void *reply,
                         size_t cap) {
  if (volume >= volume_count)
    return -ENODEV;
  uint64_t request_phys, reply_phys;
  if (!physical(request, len, request_phys) || !physical(reply, cap, reply_phys))
    return -EFAULT;
  volume_call = {};
  volume_call.volume = volume;
  volume_call.request = request_phys;
  volume_call.request_len = len;
  volume_call.reply = reply_phys;
  volume_call.reply_cap = cap;
  hypercall(UK_HC_VOLUME, &volume_call);
  return volume_call.result;
}

bool kvm_volume_tag(unsigned index, char *tag, size_t cap) {
  if (index >= volume_count || !cap)
    return false;
  info_call = {};
  info_call.size = sizeof info_call;
  info_call.volume = index;
  hypercall(UK_HC_VOLUME_INFO, &info_call);
  if (info_call.result != 0)
    return false;
  // The monitor's string, bounded here all the same.
  size_t n = 0;
  while (n < sizeof info_call.tag && info_call.tag[n])
    ++n;
  if (n == sizeof info_call.tag || n >= cap)
    return false;
  memcpy(tag, info_call.tag, n);
  tag[n] = '\0';
  return true;
}

} // namespace uk
