#!/usr/bin/env python3
"""clienthello.py HOST PORT OUTFILE: accepts one TCP connection, reads the
first TLS record, and writes the cipher suites of the ClientHello in it to
OUTFILE, one lowercase 4-digit hex code a line; then closes. Every length is
checked against what was received (a bounded parse); a record that is no
ClientHello writes "error: WHY" instead. Prints "listening" once bound."""
import os
import socket
import sys


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ValueError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def suites(conn):
    hdr = read_exact(conn, 5)
    if hdr[0] != 22:
        raise ValueError("record type %d, not handshake" % hdr[0])
    body = read_exact(conn, int.from_bytes(hdr[3:5], "big"))
    if len(body) < 4 or body[0] != 1:
        raise ValueError("handshake type is not ClientHello")
    hs_len = int.from_bytes(body[1:4], "big")
    if hs_len > len(body) - 4:
        raise ValueError("ClientHello spans records")
    p = 4 + 2 + 32  # legacy_version, random
    if p >= len(body):
        raise ValueError("truncated before the session id")
    p += 1 + body[p]  # session id
    if p + 2 > len(body):
        raise ValueError("truncated before the cipher suites")
    n = int.from_bytes(body[p:p + 2], "big")
    p += 2
    if n % 2 or p + n > len(body):
        raise ValueError("bad cipher suite length %d" % n)
    return ["%04x" % int.from_bytes(body[i:i + 2], "big") for i in range(p, p + n, 2)]


def main():
    host, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(1)
    print("listening", flush=True)
    conn, _ = srv.accept()
    conn.settimeout(10)
    try:
        text = "\n".join(suites(conn)) + "\n"
    except (ValueError, OSError) as e:
        text = "error: %s\n" % e
    with open(out + ".tmp", "w") as f:
        f.write(text)
    os.rename(out + ".tmp", out)
    conn.close()
    srv.close()


if __name__ == "__main__":
    main()
