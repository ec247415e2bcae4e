#!/usr/bin/env python3
"""resolv_watch.py FILE MARKER: prints one line per write of FILE that the
kernel reports (inotify: a rename onto it or a close after writing),
"install" when the new content holds MARKER, else "restore". Runs until
killed. Used to count how often a test's resolv.conf is rewritten."""
import ctypes
import os
import struct
import sys
import time

IN_CLOSE_WRITE = 0x08
IN_MOVED_TO = 0x80

path, marker = sys.argv[1], sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init()
if fd < 0:
    sys.exit("inotify_init failed")
wd = libc.inotify_add_watch(fd, os.path.dirname(path).encode(), IN_CLOSE_WRITE | IN_MOVED_TO)
if wd < 0:
    sys.exit("inotify_add_watch failed")
name = os.path.basename(path).encode()
print("watching", flush=True)
while True:
    buf = os.read(fd, 65536)
    off = 0
    while off < len(buf):
        _, mask, _, ln = struct.unpack_from("iIII", buf, off)
        ev = buf[off + 16:off + 16 + ln].rstrip(b"\0")
        off += 16 + ln
        if ev != name:
            continue
        try:
            with open(path) as f:
                content = f.read()
        except OSError:
            continue
        kind = "install" if marker in content else "restore"
        print("%.3f %s" % (time.time(), kind), flush=True)
