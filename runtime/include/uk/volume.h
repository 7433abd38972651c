// volume.h: host folders that the hypervisor serves in 9P2000.L (virtio-9p on QEMU, a
// hypercall per message on the built-in monitor): the transports as the 9P client
// (fs/p9.cpp) sees them.
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

/// Tag of the monitor's Index-th volume (as virtio_volume_tag: a manifest volume's
/// name, or the one ukrun gave it), NUL-terminated in Tag; false past the last volume
/// or when the tag does not fit in Cap. Volumes are numbered from 0 without gaps.
bool kvm_volume_tag(unsigned index, char *tag, size_t cap);

/// Sends 9P message Request (Len bytes) to the monitor's Index-th volume, which writes
/// its reply into Reply (Cap bytes), in one exit (UK_HC_VOLUME, uk/abi/kvm.h): returns
/// the reply's length, -ENODEV for no such volume, -EFAULT for a buffer whose physical
/// address the kernel does not know. Both buffers must be kernel memory, each
/// contiguous in physical memory: the direct map (phys_to_virt) or the kernel image
/// (identity-mapped); they may overlap. A request the monitor cannot frame (its size
/// field is not Len, it exceeds the msize agreed by Tversion) or Cap below 11 ends the
/// guest.
long kvm_volume_transact(unsigned index, const void *request, size_t len, void *reply,
                         size_t cap);

} // namespace uk
