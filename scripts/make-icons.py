#!/usr/bin/env python3
"""Writes the home-screen icons (public/icons/*.png) without any image
library: a dark tile with the cockpit's progress bar. Run once; the PNGs are
committed."""
import struct, zlib, os

def png(size, path):
    bg, bar, fill = (15, 23, 42), (51, 65, 85), (56, 189, 248)
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            fx, fy = x / size, y / size
            c = bg
            if 0.18 <= fx <= 0.82:
                for top, end in ((0.30, 0.82), (0.47, 0.62), (0.64, 0.45)):
                    if top <= fy <= top + 0.09:
                        c = fill if fx <= end else bar
            row += bytes(c)
        rows.append(bytes(row))
    raw = b"".join(rows)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)

here = os.path.join(os.path.dirname(__file__), "..", "public", "icons")
for size in (180, 192, 512):
    png(size, os.path.join(here, f"icon-{size}.png"))
