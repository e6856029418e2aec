#!/usr/bin/env python3
"""v2vectors.py -- the v2 transport's test vectors, computed apart from the C code.

An independent implementation of docs/PROTOCOL.md "Encrypted transport (v2)"
on Python's hmac/hashlib and the `cryptography` package (X25519, ChaCha20,
ChaCha20-Poly1305).  It prints the values that docs/PROTOCOL.md lists and
tests/unit/test_v2transport.c checks, so that a mistake in the C code cannot
hide in vectors the C code produced itself.

    python3 tests/tools/v2vectors.py
"""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.asymmetric.x25519 import (X25519PrivateKey,
                                                              X25519PublicKey)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

MAGIC = bytes.fromhex("ac4e7cfa")  # regtest
SALT = b"agentchain_v2_shared_secret" + MAGIC
REKEY = 224


def hkdf_extract(salt, ikm):
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand(prk, info, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:n]


def keystream(key, nonce, n):
    c = Cipher(algorithms.ChaCha20(key, struct.pack("<I", 0) + nonce), mode=None)
    return c.encryptor().update(b"\0" * n)


def nonce(n, epoch):
    return struct.pack("<IQ", n, epoch)


class Dir:
    """One direction's cipher: length key, packet key, counters."""

    def __init__(self, lkey, pkey):
        self.lkey, self.pkey, self.n, self.epoch = lkey, pkey, 0, 0

    def seal(self, header, contents, garbage=b""):
        ln = len(contents)
        ks = keystream(self.lkey, nonce(self.n, self.epoch), 3)
        enc_len = bytes(a ^ b for a, b in zip(struct.pack("<I", ln)[:3], ks))
        ct = ChaCha20Poly1305(self.pkey).encrypt(nonce(self.n, self.epoch),
                                                 bytes([header]) + contents,
                                                 enc_len + garbage)
        self.n += 1
        if self.n == REKEY:
            rk = nonce(0xFFFFFFFF, self.epoch)
            self.lkey = keystream(self.lkey, rk, 32)
            self.pkey = keystream(self.pkey, rk, 32)
            self.n, self.epoch = 0, self.epoch + 1
        return enc_len + ct


def pub(priv, topbit):
    k = bytearray(X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes_raw())
    if topbit:
        k[31] |= 0x80
    return bytes(k)


def ecdh(priv, their):
    t = bytearray(their)
    t[31] &= 0x7F
    return X25519PrivateKey.from_private_bytes(priv).exchange(
        X25519PublicKey.from_public_bytes(bytes(t)))


def main():
    priv_i = bytes(range(1, 33))
    priv_r = bytes(range(33, 65))
    garbage_i = bytes(range(5))
    garbage_r = b""
    ki, kr = pub(priv_i, True), pub(priv_r, False)
    shared = ecdh(priv_i, kr)
    assert shared == ecdh(priv_r, ki)
    prk = hkdf_extract(SALT, shared + ki + kr)
    keys = {label: hkdf_expand(prk, label.encode(), 32) for label in
            ("initiator_L", "initiator_P", "responder_L", "responder_P",
             "garbage_terminators", "session_id")}
    ini = Dir(keys["initiator_L"], keys["initiator_P"])
    res = Dir(keys["responder_L"], keys["responder_P"])
    term_i, term_r = keys["garbage_terminators"][:16], keys["garbage_terminators"][16:]

    out = [("priv_initiator", priv_i), ("priv_responder", priv_r),
           ("key_initiator", ki), ("key_responder", kr), ("ecdh", shared), ("prk", prk)]
    out += [(k, v) for k, v in keys.items()]
    out.append(("initiator_opening", ki + garbage_i))
    out.append(("responder_opening",
                kr + garbage_r + term_r + res.seal(0, b"", garbage_r)))
    out.append(("initiator_first", term_i + ini.seal(0, b"", garbage_i)))
    ping = bytes([7]) + struct.pack("<Q", 0x0102030405060708)
    out.append(("initiator_ping", ini.seal(0, ping)))
    for i in range(2, REKEY):
        ini.seal(0, bytes([7]) + struct.pack("<Q", i))
    out.append(("initiator_ping_after_rekey",
                ini.seal(0, bytes([7]) + struct.pack("<Q", REKEY))))
    out.append(("responder_decoy", res.seal(0x80, b"\xff" * 4)))
    for name, v in out:
        print(f"{name} {v.hex()}")
    # RFC 5869 test case 1, the HKDF code's own check.
    prk1 = hkdf_extract(bytes(range(13)), b"\x0b" * 22)
    assert hkdf_expand(prk1, bytes(range(0xf0, 0xfa)), 42).hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        "34007208d5b887185865")


if __name__ == "__main__":
    main()
