#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a 128x128 RGB PNG with enough structure for a useful PDQ hash
(quality above 50), from the standard library only. Usage: make_png.py OUT."""
import math
import struct
import sys
import zlib

W = H = 128
rows = bytearray()
for y in range(H):
    rows.append(0)
    for x in range(W):
        v = int(127 + 120 * math.sin(x / 9.0) * math.cos(y / 13.0))
        rows += bytes([v, (x * 2) % 256, (y * 2) % 256])


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)) +
       chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b""))
with open(sys.argv[1], "wb") as f:
    f.write(png)
