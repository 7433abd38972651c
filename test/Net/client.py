#!/usr/bin/env python3
"""client.py: the host side of the network tests: starts `ukrun` (or a native program)
serving on a port, talks to it over 127.0.0.1 (or --host, the guest's address on a tap
in a network namespace the test made), and checks what comes back.

usage: client.py MODE --out FILE [--size N] [--count N] [--slow] [--host A --port N] -- COMMAND...
  tcp-echo   send SIZE bytes (a seeded pattern), half-close, expect them back exactly,
             COUNT times, a connection each (a stall fails after 30 s); with --slow,
             read them back 4 KiB at a time, 5 ms apart, so that the server's sending
             waits on a full window again and again
  many       COUNT connections one after the other, each a small echo
  parallel   COUNT connections at once, each echoing SIZE bytes
  udp-echo   COUNT datagrams of SIZE bytes, each answered exactly, then "quit"
The host port is a free one chosen here (or --port); the word PORT in COMMAND (alone or inside a
word, as in -p PORT:7) becomes it. Prints one line of results; exits 1 on any
mismatch.
The command's standard output is saved to --out."""
import argparse
import random
import socket
import subprocess
import sys
import threading
import time


HOST = "127.0.0.1"


def connect(port, deadline):
    """Connects as soon as the guest listens (QEMU's forward accepts before that and
    then resets: retry on both)."""
    while True:
        try:
            s = socket.create_connection((HOST, port), timeout=30)
            return s
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def echo_once(port, data, deadline, slow=False):
    s = connect(port, deadline)
    received = bytearray()

    def send():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=send)
    sender.start()
    while True:
        chunk = s.recv(4096 if slow else 1 << 16)
        if not chunk:
            break
        received += chunk
        if slow:
            time.sleep(0.005)
    sender.join()
    s.close()
    return bytes(received)


def free_port(kind):
    """A port of 127.0.0.1 that nothing uses now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_listener(log_path, deadline, server=None):
    """The server prints 'listening' once it listens; QEMU's forward would accept
    earlier and reset. A server that ended first never will."""
    while time.monotonic() < deadline:
        try:
            with open(log_path) as f:
                if "listening" in f.read():
                    return
        except OSError:
            pass
        if server is not None and server.poll() is not None:
            break
        time.sleep(0.05)
    raise TimeoutError("the server never said it was listening")


def server_status(server, deadline):
    """The server's exit status, once it ended (killed at Deadline)."""
    try:
        return server.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        server.kill()
        return server.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["tcp-echo", "many", "parallel", "udp-echo"])
    parser.add_argument("--size", type=int, default=1)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--slow", action="store_true", help="tcp-echo: a slow reader")
    parser.add_argument("--out", required=True, help="where the command's stdout goes")
    parser.add_argument("--host", default="127.0.0.1", help="the server's address")
    parser.add_argument("--port", type=int, help="the server's port (default: a free one)")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    global HOST
    HOST = args.host
    port = args.port or free_port(
        socket.SOCK_DGRAM if args.mode == "udp-echo" else socket.SOCK_STREAM)
    args.port = port
    command = [word.replace("PORT", str(port)) for word in argv[split + 1:]]
    deadline = time.monotonic() + 120
    with open(args.out, "w") as out:
        server = subprocess.Popen(command, stdout=out)
    ok = True
    try:
        wait_for_listener(args.out, deadline, server)
        pattern = random.Random(args.size).randbytes(args.size)
        if args.mode == "tcp-echo":
            for _ in range(args.count):
                start = time.monotonic()
                back = echo_once(args.port, pattern, deadline, args.slow)
                elapsed = time.monotonic() - start
                ok = ok and back == pattern
                print(f"tcp-echo: sent {len(pattern)} bytes, received {len(back)}, "
                      f"{'identical' if back == pattern else 'DIFFERENT'}", flush=True)
                print(f"time: {elapsed:.3f} s", file=sys.stderr)
        elif args.mode == "parallel":
            results = [None] * args.count

            def one(i):
                data = random.Random(i).randbytes(args.size)
                results[i] = echo_once(args.port, data, deadline) == data

            # Opened one after another (QEMU's forward has a backlog of 1), then all
            # echo at once.
            threads = [threading.Thread(target=one, args=(i,)) for i in range(args.count)]
            for t in threads:
                t.start()
                time.sleep(0.05)
            for t in threads:
                t.join()
            same = sum(bool(r) for r in results)
            ok = same == args.count
            print(f"parallel: {same} of {args.count} connections echoed exactly", flush=True)
        elif args.mode == "many":
            same = 0
            for i in range(args.count):
                message = f"connection {i}\n".encode()
                same += echo_once(args.port, message, deadline) == message
            ok = same == args.count
            print(f"many: {same} of {args.count} connections echoed exactly", flush=True)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(2)

            def ask(datagram):
                """Sends until answered: the first may race the guest's ARP, as on a LAN."""
                for attempt in range(5):
                    s.sendto(datagram, (HOST, args.port))
                    try:
                        return s.recvfrom(1 << 16)[0]
                    except socket.timeout:
                        pass
                return None

            same = 0
            for i in range(args.count):
                datagram = pattern[: args.size - 1] + bytes([i % 256])
                same += ask(datagram) == datagram
            ok = ask(b"quit") == b"bye"
            ok = ok and same == args.count
            print(f"udp-echo: {same} of {args.count} datagrams echoed exactly", flush=True)
    finally:
        status = server_status(server, deadline)
    print(f"server status: {status}", flush=True)
    sys.exit(0 if ok and status == 0 else 1)


if __name__ == "__main__":
    main()
