/* The virtio network device's feature bits and frame header, and the Internet
 * checksum of IPv4 TCP and UDP, as the guest's driver (runtime/drivers/virtio-net) and
 * the built-in monitor's device (monitor/net) share them. C++ only. */
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace uk::virtio_net {

constexpr uint32_t DeviceId = 1;

/* Feature bits (virtio 1.2, 5.1.3). Csum: the device completes the checksums of frames
 * sent with NeedsCsum. GuestCsum: the driver takes frames marked DataValid (checked by
 * the device) or NeedsCsum (from a local sender, never checksummed) as they are. */
constexpr uint64_t FeatureCsum = 1ull << 0, FeatureGuestCsum = 1ull << 1,
                   FeatureMtu = 1ull << 3, FeatureMac = 1ull << 5;

/* struct virtio_net_hdr, with num_buffers as VERSION_1 has it; little-endian. */
struct Header {
  uint8_t flags, gso_type;
  uint16_t header_length, gso_size, csum_start, csum_offset, buffers;
};
static_assert(sizeof(Header) == 12, "virtio_net_hdr is 12 bytes");
constexpr uint8_t NeedsCsum = 1, DataValid = 2;

/* The Internet checksum (RFC 1071) is a ones'-complement sum of 16-bit words; it comes
 * out the same whatever the words' byte order, so words are added as they lie in memory
 * (little-endian here) and the folded sum is stored the same way. */
inline uint64_t checksum_add(const uint8_t *data, size_t length, uint64_t sum = 0) {
  for (; length >= 2; data += 2, length -= 2)
    sum += uint16_t(data[0] | data[1] << 8);
  if (length)
    sum += data[0];
  return sum;
}

inline uint16_t checksum_fold(uint64_t sum) {
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(sum);
}

constexpr uint8_t Tcp = 6, Udp = 17;

/* Where the checksum of an Ethernet frame's IPv4 TCP or UDP packet lies. */
struct Transport {
  size_t start, length; /* the TCP or UDP header's offset in the frame, and its length */
  uint8_t protocol;     /* Tcp or Udp */
  uint16_t csum_offset; /* the checksum's offset in that header */
  uint64_t pseudo;      /* the sum of the pseudo-header (addresses, protocol, length) */
};

/* Finds it: false for other frames, for truncated or inconsistent headers, and for
 * fragments, whose checksum covers other frames too. The IP header's total length
 * bounds the packet, so an Ethernet frame's padding is not summed. */
inline bool find_transport(const uint8_t *frame, size_t length, Transport &out) {
  constexpr size_t Ethernet = 14;
  if (length < Ethernet + 20 || frame[12] != 0x08 || frame[13] != 0x00)
    return false;
  const uint8_t *ip = frame + Ethernet;
  size_t ip_header = size_t(ip[0] & 0xf) * 4, total = size_t(ip[2]) << 8 | ip[3];
  if (ip[0] >> 4 != 4 || ip_header < 20 || total < ip_header || Ethernet + total > length)
    return false;
  if ((ip[6] & 0x3f) || ip[7]) /* more fragments, or an offset */
    return false;
  uint8_t protocol = ip[9];
  size_t transport = total - ip_header;
  if (protocol == Tcp && transport >= 20)
    out.csum_offset = 16;
  else if (protocol == Udp && transport >= 8)
    out.csum_offset = 6;
  else
    return false;
  out.protocol = protocol;
  out.start = Ethernet + ip_header;
  out.length = transport;
  out.pseudo = checksum_add(ip + 12, 8) + (uint64_t(protocol) << 8) +
               uint16_t(transport >> 8 | (transport & 0xff) << 8);
  return true;
}

} // namespace uk::virtio_net
