"""Draws the packages' icon (icon.png, 128 x 128) from plain geometry: a coin inside a shield on a teal tile.

Run from the repository root: python3 eng/icon/make_icon.py. Standard library only; the PNG is written
deterministically, so a rerun reproduces the committed file byte for byte.
"""
import math
import struct
import sys
import zlib

SIZE = 128
SAMPLES = 4  # supersampling per axis, for smooth edges

TILE = (14, 92, 99)
SHIELD = (240, 244, 245)
COIN = (232, 170, 36)
COIN_RIM = (176, 118, 16)


def inside_tile(x, y):
    r = 22
    cx = min(max(x, r), SIZE - r)
    cy = min(max(y, r), SIZE - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def inside_shield(x, y):
    # A flat top from y=20, straight sides to y=64, then two arcs meeting in a point at y=112.
    left, right, top, shoulder, tip = 28, 100, 20, 64, 112
    if y < top or y > tip or x < left or x > right:
        return False
    if y <= shoulder:
        return True
    # Each side curves from its shoulder to the tip: a circle through (side, shoulder) and (centre, tip).
    centre = (left + right) / 2
    half = centre - left
    t = (y - shoulder) / (tip - shoulder)
    width = half * math.sqrt(max(0.0, 1 - t * t))
    return abs(x - centre) <= width


def colour(x, y):
    coin_d = math.hypot(x - 64, y - 60)
    if coin_d <= 22:
        return COIN if coin_d <= 17 else COIN_RIM
    if inside_shield(x, y):
        return SHIELD
    if inside_tile(x, y):
        return TILE
    return None


def pixel(px, py):
    total = [0.0, 0.0, 0.0, 0.0]
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            c = colour(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)
            if c is not None:
                total[0] += c[0]
                total[1] += c[1]
                total[2] += c[2]
                total[3] += 255
    n = SAMPLES * SAMPLES
    alpha = total[3] / n
    if alpha == 0:
        return (0, 0, 0, 0)
    covered = total[3] / 255
    return tuple(round(v / covered) for v in total[:3]) + (round(alpha),)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def main(path):
    rows = bytearray()
    for py in range(SIZE):
        rows.append(0)  # no filter
        for px in range(SIZE):
            rows.extend(pixel(px, py))
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(rows), 9))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "eng/icon/icon.png")
