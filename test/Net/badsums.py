#!/usr/bin/env python3
"""badsums.py: a peer on the tap that sends frames with wrong TCP or UDP checksums,
which the guest must drop, between frames with right ones, which it must answer. Where
the device takes checksums over (the monitor, QEMU on a tap), the guest's stack skips
them for frames the device marked checked, and checks the rest itself; this finds out
whether a wrong sum gets through. Frames go out raw on the tap's host side (AF_PACKET)
and the answers are read there.

usage: badsums.py tcp|udp --iface TAP --host GUEST --port N --out FILE -- COMMAND...
  tcp  a SYN to the echo server's port: a right one gets a SYN-ACK, a wrong one nothing;
       then one echo through a real connection, which ends a server started for one
  udp  a datagram to the echo server: a right one comes back, a wrong one does not,
       whole or in two IP fragments (which no device checks: the guest checks the
       datagram it reassembles); then "quit"
Prints one line per frame sent; exits 1 if any answer is not as it should be."""
import argparse
import os
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client  # noqa: E402

TCP, UDP = 6, 17
SYN, ACK = 0x02, 0x10


def ones_sum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return total


def ip_address(text):
    return socket.inet_aton(text)


def frames(src_mac, dst_mac, src, dst, protocol, transport, right, ident, fragmented):
    """Ethernet frames carrying Transport (its checksum field 0) in IPv4, the transport
    checksum filled in right, or off by one: one frame, or two fragments split after
    the first 16 bytes."""
    pseudo = src + dst + struct.pack("!BBH", 0, protocol, len(transport))
    total = ~ones_sum(pseudo + transport) & 0xffff
    if not right:
        total ^= 1
    at = 16 if protocol == TCP else 6
    transport = transport[:at] + struct.pack("!H", total) + transport[at + 2:]
    pieces = [(transport[:16], 0x2000), (transport[16:], 16 // 8)] if fragmented else \
        [(transport, 0x4000)]  # more fragments / fragment offset, or don't fragment
    out = []
    for data, flags in pieces:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(data), ident, flags, 64,
                         protocol, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", ~ones_sum(ip) & 0xffff) + ip[12:]
        out.append(dst_mac + src_mac + b"\x08\x00" + ip + data)
    return out


def answer(raw, guest, protocol, sport, wanted, seconds):
    """The first frame from the guest's address to port Sport of Protocol for which
    wanted(transport header and data) holds, within Seconds; None if none came."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        raw.settimeout(max(0.01, end - time.monotonic()))
        try:
            data = raw.recv(65536)
        except socket.timeout:
            return None
        if len(data) < 34 or data[12:14] != b"\x08\x00" or data[23] != protocol:
            continue
        if data[26:30] != guest:
            continue
        start = 14 + (data[14] & 0xf) * 4
        transport = data[start:]
        if len(transport) >= 4 and struct.unpack("!H", transport[2:4])[0] == sport:
            if wanted(transport):
                return transport
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("protocol", choices=["tcp", "udp"])
    parser.add_argument("--iface", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    argv = sys.argv[1:]
    split = argv.index("--")
    args = parser.parse_args(argv[:split])
    deadline = time.monotonic() + 120
    with open(args.out, "w") as out:
        server = subprocess.Popen(argv[split + 1:], stdout=out)
    ok = True
    try:
        client.wait_for_listener(args.out, deadline, server)
        guest = ip_address(args.host)
        # The host's side of the tap, whose address the guest knows (ARP) after any
        # exchange: one real one first, so that no answer waits on ARP.
        raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        raw.bind((args.iface, 0))
        ours = raw.getsockname()[4]
        src = socket.inet_aton(
            subprocess.run(["ip", "-4", "-o", "addr", "show", args.iface], check=True,
                           capture_output=True, text=True).stdout.split()[3].split("/")[0])
        client.HOST = args.host
        if args.protocol == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(2)
            for _ in range(5):
                s.sendto(b"hello", (args.host, args.port))
                try:
                    s.recvfrom(100)
                    break
                except socket.timeout:
                    pass
        else:
            client.echo_once(args.port, b"warm-up", deadline)
        guest_mac = None
        # The guest's MAC, from the host's neighbour table, now filled.
        for line in subprocess.run(["ip", "neigh", "show", "dev", args.iface],
                                   capture_output=True, text=True).stdout.splitlines():
            words = line.split()
            if words and words[0] == args.host and "lladdr" in words:
                guest_mac = bytes.fromhex(words[words.index("lladdr") + 1].replace(":", ""))
        if not guest_mac:
            print("badsums: the guest's MAC is not known", flush=True)
            ok = False
        cases = [(40001, True, False), (40002, False, False), (40003, True, False),
                 (40004, False, False)]
        if args.protocol == "udp":
            cases += [(40005, True, True), (40006, False, True)]
        for sport, right, fragmented in cases:
            if not ok:
                break
            if args.protocol == "tcp":
                header = struct.pack("!HHIIBBHHH", sport, args.port, 1000, 0, 5 << 4, SYN,
                                     65535, 0, 0)
                wanted = lambda t: len(t) >= 14 and t[13] & (SYN | ACK) == SYN | ACK  # noqa: E731
                what = "SYN"
            else:
                payload = f"a datagram from port {sport}".encode()
                header = struct.pack("!HHHH", sport, args.port, 8 + len(payload), 0) + payload
                wanted = lambda t, p=payload: t[8:] == p  # noqa: E731
                what = "datagram"
            for f in frames(ours, guest_mac, src, guest, TCP if args.protocol == "tcp" else UDP,
                            header, right, sport, fragmented):
                raw.send(f)
            got = answer(raw, guest, TCP if args.protocol == "tcp" else UDP, sport, wanted,
                         5 if right else 2)
            print(f"{'right' if right else 'wrong'} checksum: {what}"
                  f"{' in 2 fragments' if fragmented else ''} "
                  f"{'answered' if got else 'not answered'}", flush=True)
            ok = ok and bool(got) == right
        # The end of the run: a server started for one connection (tcp) or until "quit".
        if args.protocol == "tcp":
            client.echo_once(args.port, b"bye", deadline)
        else:
            s.sendto(b"quit", (args.host, args.port))
    finally:
        status = client.server_status(server, deadline)
    print(f"server status: {status}", flush=True)
    sys.exit(0 if ok and status == 0 else 1)


if __name__ == "__main__":
    main()
