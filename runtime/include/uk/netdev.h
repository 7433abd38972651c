// netdev.h: network devices as the network stack sees them: Ethernet frames in (from
// the device's interrupt) and out (queued, then sent in one notification).
#pragma once

#include "uk/base.h"

namespace uk {

struct NetDevice;

/// Receives one frame (the device's buffer, valid during the call); Checked if the
/// device verified its TCP or UDP checksum (or it comes unsummed from a local sender).
using FrameHandler = void (*)(const uint8_t *frame, size_t length, bool checked);

/// Finds and starts the first network device; null if the machine has none. Each
/// frame it receives goes to Receive, from its interrupt handler, and Batch_end runs
/// after each interrupt's frames (where the stack sends what they caused).
NetDevice *net_device_start(FrameHandler receive, void (*batch_end)());

/// The device's MAC address and MTU.
void net_device_address(const NetDevice &device, uint8_t mac[6]);
uint16_t net_device_mtu(const NetDevice &device);

/// Whether the device takes over TCP and UDP checksums: it fills in those of the TCP
/// segments sent (the stack leaves them 0) and says which frames received it checked.
bool net_device_checksums(const NetDevice &device);

/// Part of a frame to send (frames are gathered from a stack's buffer chain).
struct FramePart {
  const void *data;
  size_t length;
};

/// Copies a frame gathered from Count parts into the send ring; false if the ring is
/// full or the frame too long. The device learns of it at net_device_flush().
bool net_device_send(NetDevice &device, const FramePart *parts, int count);

/// Notifies the device of the frames queued since the last flush, once for the burst.
void net_device_flush(NetDevice &device);

/// True once the device has sent every frame queued.
bool net_device_idle(NetDevice &device);

} // namespace uk
