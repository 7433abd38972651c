#!/usr/bin/env python3
"""webclient.py: runs a web server image (COMMAND, with PORT for a free host port)
and asks it over 127.0.0.1 with Python's HTTP client: two greetings on one kept-alive
connection, a body of --check-bytes bytes compared with the pattern the server makes,
--concurrent connections open at once, then /quit."""
import argparse
import http.client
import os
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from client import free_port, wait_for_listener  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--out", required=True)
parser.add_argument("--check-bytes", type=int, default=1000)
parser.add_argument("--concurrent", type=int, default=0,
                    help="also hold this many connections open at once, each asking once")
argv = sys.argv[1:]
split = argv.index("--")
args = parser.parse_args(argv[:split])
port = free_port(socket.SOCK_STREAM)
command = [word.replace("PORT", str(port)) for word in argv[split + 1:]]
with open(args.out, "w") as out:
    server = subprocess.Popen(command, stdout=out)
try:
    wait_for_listener(args.out, time.monotonic() + 60)
    # Python's HTTP client (no curl needed): requests on one kept-alive connection.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(path):
        connection.request("GET", path)
        return connection.getresponse().read()

    sys.stdout.write((get("/") + get("/")).decode())
    body = get(f"/bytes/{args.check_bytes}")
    pattern = bytes(ord("a") + i % 26 for i in range(args.check_bytes))
    print(f"bytes: {len(body)}, {'identical' if body == pattern else 'DIFFERENT'}")
    if args.concurrent:
        # One at a time while they open (QEMU's forward listens with a backlog of 1,
        # and a SYN it drops costs a second), then all of them again while all open.
        def ask(s):
            s.sendall(b"GET / HTTP/1.1\r\nHost: guest\r\n\r\n")
            reply = b""
            while not reply.endswith(b"hello from the unikernel\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
            return reply.endswith(b"hello from the unikernel\n")

        held = []
        for _ in range(args.concurrent):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=60))
            ask(held[-1])
        answered = sum(ask(s) for s in held)
        for s in held:
            s.close()
        print(f"concurrent: {answered} of {args.concurrent} connections answered")
    sys.stdout.write(get("/quit").decode())
    connection.close()
finally:
    try:
        status = server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        status = server.wait()
print(f"server status: {status}")
