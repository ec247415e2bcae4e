#!/usr/bin/env python3
"""A tiny HTTP CONNECT proxy for the integration tests (RFC 9110 9.3.6).

    connect-proxy.py --listen 127.0.0.1:3128 [--auth USER:PASSWORD] [--allow HOST:PORT]

Prints "listening PORT" once bound (port 0 picks one) and one line per
request: "CONNECT host:port -> 200|403|407|502". With --auth every request
needs `Proxy-Authorization: Basic` with those credentials, else 407. With
--allow only that one target is relayed (a test proxy must not become an
open relay). Stops on SIGTERM.
"""
import argparse
import base64
import select
import signal
import socket
import sys
import threading

MAX_HEAD = 8192


def reply(conn, status, text, extra=b""):
    conn.sendall(b"HTTP/1.1 %d %s\r\n%sContent-Length: 0\r\n\r\n" % (status, text, extra))


def relay(a, b):
    socks = [a, b]
    while True:
        r, _, _ = select.select(socks, [], [], 300)
        if not r:
            return
        for s in r:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


def handle(conn, args):
    target = "?"
    try:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk or len(head) + len(chunk) > MAX_HEAD:
                return
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        parts = lines[0].split()
        if len(parts) != 3 or parts[0] != "CONNECT":
            reply(conn, 405, b"Method Not Allowed")
            print(f"{lines[0][:80]} -> 405", flush=True)
            return
        target = parts[1]
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if args.auth:
            want = "Basic " + base64.b64encode(args.auth.encode()).decode()
            if headers.get("proxy-authorization") != want:
                reply(conn, 407, b"Proxy Authentication Required",
                      b'Proxy-Authenticate: Basic realm="sstpc-test"\r\n')
                print(f"CONNECT {target} -> 407", flush=True)
                return
        if args.allow and target != args.allow:
            reply(conn, 403, b"Forbidden")
            print(f"CONNECT {target} -> 403", flush=True)
            return
        host, _, port = target.rpartition(":")
        try:
            up = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except (OSError, ValueError):
            reply(conn, 502, b"Bad Gateway")
            print(f"CONNECT {target} -> 502", flush=True)
            return
        up.settimeout(None)
        reply(conn, 200, b"Connection Established")
        print(f"CONNECT {target} -> 200", flush=True)
        rest = head.split(b"\r\n\r\n", 1)[1]
        if rest:
            up.sendall(rest)
        with up:
            relay(conn, up)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--auth")
    ap.add_argument("--allow")
    args = ap.parse_args()
    host, _, port = args.listen.rpartition(":")
    srv = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host.strip("[]"), int(port)))
    srv.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening {srv.getsockname()[1]}", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn, args), daemon=True).start()


if __name__ == "__main__":
    main()
