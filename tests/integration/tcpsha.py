#!/usr/bin/env python3
"""tcpsha.py -- one TCP stream with a SHA-256 on each end, one process each.

  tcpsha.py listen ADDR PORT ROLE OUT     accept one connection
  tcpsha.py connect ADDR PORT ROLE OUT    connect (retries for 5 s)

ROLE is `recv` (read to EOF), `send:N` (N random bytes, then close) or
`sendfor:SECONDS[:MIBPS]` (random bytes for that long, at most MIBPS MiB/s
(default 4), then close).
OUT receives "BYTES SHA256" when the stream is done. Single process so the
test can stop it by PID (a shell pipeline would leave nc running).
"""
import hashlib, os, socket, sys, time


def main():
    mode, addr, port, role, out = sys.argv[1:6]
    port = int(port)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    if mode == "listen":
        ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(1)
        s, _ = ls.accept()
        ls.close()
    else:
        deadline = time.time() + 5
        while True:
            try:
                s = socket.create_connection((addr, port), timeout=5)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        s.settimeout(None)
    h = hashlib.sha256()
    n = 0
    if role == "recv":
        while True:
            b = s.recv(1 << 18)
            if not b:
                break
            h.update(b)
            n += len(b)
    elif role.startswith("sendfor:"):
        parts = role.split(":")
        secs = float(parts[1])
        rate = float(parts[2]) if len(parts) > 2 else 4.0
        chunk = os.urandom(1 << 16)
        t0 = time.time()
        while time.time() - t0 < secs:
            b = os.urandom(16) + chunk[16:]
            s.sendall(b)
            h.update(b)
            n += len(b)
            ahead = n / (rate * (1 << 20)) - (time.time() - t0)
            if ahead > 0:
                time.sleep(ahead)
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
    else:
        total = int(role.split(":", 1)[1])
        chunk = os.urandom(1 << 20)
        while n < total:
            # A fresh random prefix per MiB so a stuck or repeated block
            # cannot produce the same hash by accident.
            b = (os.urandom(16) + chunk[16:])[:min(1 << 20, total - n)]
            s.sendall(b)
            h.update(b)
            n += len(b)
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
    s.close()
    with open(out, "w") as f:
        f.write("%d %s\n" % (n, h.hexdigest()))


if __name__ == "__main__":
    main()
