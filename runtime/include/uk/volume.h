// volume.h: host folders that the hypervisor serves in 9P2000.L (virtio-9p on QEMU):
// the transports as the 9P client (fs/p9.cpp) sees them.
#pragma once

#include "uk/base.h"

namespace uk {

/// Tag of the Index-th virtio-9p device (what the host named the folder: a manifest
/// volume's name, or the one ukrun gave it); false past the last device.
[[gnu::weak]] bool virtio_volume_tag(unsigned index, char *tag, size_t cap);

/// Sends 9P message Request (Len bytes) to the Index-th device and waits for its
/// reply, written to Reply (Cap bytes): returns the reply's length, or -EIO if the
/// device failed or did not answer. Both buffers are kernel memory of the direct map,
/// contiguous in physical memory. One message at a time per device.
[[gnu::weak]] long virtio_volume_transact(unsigned index, const void *request, size_t len,
                                          void *reply, size_t cap);

} // namespace uk
