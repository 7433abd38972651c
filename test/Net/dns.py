#!/usr/bin/env python3
"""dns.py: a tiny DNS responder for the name lookup tests, on 127.0.0.1 of a network
namespace the test made (never anywhere else).

usage: dns.py --log FILE [--port 53] [--seconds N] NAME=A.B.C.D...
Answers A queries for the NAMEs given, an empty answer (no data) for other types of
those names, and "no such name" for every other name. Writes "ready" to the log once
it listens, then one line per query ("query NAME TYPE"); stops after --seconds."""
import argparse
import socket
import struct
import time

TYPES = {1: "A", 28: "AAAA"}


def parse_question(packet):
    """The query's id, flags, name (lower case, no final dot), type and the question's
    bytes, or None if it is not a well-formed one-question query."""
    if len(packet) < 12:
        return None
    ident, flags, questions = struct.unpack("!HHH", packet[:6])
    if questions != 1 or flags & 0x8000:
        return None
    labels, at = [], 12
    while at < len(packet) and packet[at]:
        length = packet[at]
        if length > 63:
            return None
        labels.append(packet[at + 1:at + 1 + length].decode("ascii", "replace"))
        at += 1 + length
    if at + 5 > len(packet):
        return None
    qtype, qclass = struct.unpack("!HH", packet[at + 1:at + 5])
    return ident, flags, ".".join(labels).lower(), qtype, packet[12:at + 5]


def answer(query, table):
    ident, flags, name, qtype, question = query
    known = name in table
    rcode = 0 if known else 3  # NXDOMAIN
    records = []
    if known and qtype == 1:
        # The name by a pointer to the question (offset 12), class IN, TTL 60.
        records.append(struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(table[name]))
    # Response, authoritative, recursion desired copied, recursion available.
    out_flags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
    header = struct.pack("!HHHHHH", ident, out_flags, 1, len(records), 0, 0)
    return header + question + b"".join(records)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--port", type=int, default=53)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    table = {}
    for entry in args.names:
        name, address = entry.split("=")
        table[name.lower().rstrip(".")] = address
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", args.port))
    deadline = time.monotonic() + args.seconds
    with open(args.log, "a", buffering=1) as log:
        log.write("ready\n")
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                packet, sender = s.recvfrom(4096)
            except socket.timeout:
                break
            query = parse_question(packet)
            if not query:
                continue
            log.write(f"query {query[2]} {TYPES.get(query[3], query[3])}\n")
            s.sendto(answer(query, table), sender)


if __name__ == "__main__":
    main()
