#!/usr/bin/env python3
"""Independent RADIUS computations for test_radius (RFC 2865, 2548, 3579).

  radius_oracle.py msgauth SECRET PACKET_HEX
      HMAC-MD5 of the packet with its Message-Authenticator zeroed: hex.
  radius_oracle.py reply SECRET ID REQ_AUTH_HEX CODE EAP_HEX SEND_KEY_HEX RECV_KEY_HEX SALT1_HEX SALT2_HEX
      a reply with EAP-Message(s), MS-MPPE-Send/Recv-Key (encrypted),
      State, Message-Authenticator and Response Authenticator: hex.
"""
import hashlib
import hmac
import struct
import sys


def attr(t, v):
    return bytes([t, 2 + len(v)]) + v


def mppe_encrypt(secret, req_auth, salt, key):
    plain = bytes([len(key)]) + key
    plain += b"\0" * (-len(plain) % 16)
    out, prev = b"", req_auth + salt
    for i in range(0, len(plain), 16):
        b = hashlib.md5(secret + prev).digest()
        c = bytes(x ^ y for x, y in zip(plain[i:i + 16], b))
        out += c
        prev = c
    return salt + out


def vsa_ms(t, v):
    return attr(26, struct.pack(">I", 311) + bytes([t, 2 + len(v)]) + v)


def main():
    cmd, secret = sys.argv[1], sys.argv[2].encode()
    if cmd == "msgauth":
        pkt = bytearray(bytes.fromhex(sys.argv[3]))
        i = 20
        while i < len(pkt):
            if pkt[i] == 80:
                pkt[i + 2:i + 18] = b"\0" * 16
            i += pkt[i + 1]
        print(hmac.new(secret, bytes(pkt), hashlib.md5).hexdigest())
        return
    ident, req_auth, code = int(sys.argv[3]), bytes.fromhex(sys.argv[4]), int(sys.argv[5])
    eap, skey, rkey = (bytes.fromhex(x) for x in sys.argv[6:9])
    salt1, salt2 = bytes.fromhex(sys.argv[9]), bytes.fromhex(sys.argv[10])
    attrs = b""
    for i in range(0, len(eap), 253):
        attrs += attr(79, eap[i:i + 253])
    attrs += attr(24, b"state-0123")
    if skey:
        attrs += vsa_ms(16, mppe_encrypt(secret, req_auth, salt1, skey))
    if rkey:
        attrs += vsa_ms(17, mppe_encrypt(secret, req_auth, salt2, rkey))
    attrs += attr(80, b"\0" * 16)
    length = 20 + len(attrs)
    pkt = bytearray(struct.pack(">BBH", code, ident, length) + req_auth + attrs)
    ma = hmac.new(secret, bytes(pkt), hashlib.md5).digest()
    pkt[length - 16:] = ma
    pkt[4:20] = hashlib.md5(bytes(pkt) + secret).digest()
    print(pkt.hex())


main()
