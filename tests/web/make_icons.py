"""Draw the app icons (a terminal prompt `>_` on teal) as real PNGs, stdlib only (zlib + struct).

Run once after changing the design: `python tests/web/make_icons.py` (writes web/icons/*.png,
which are committed). `icon-*.png` have rounded corners on transparency ("any");
`icon-maskable-512.png` is full bleed with the glyph inside the maskable safe circle (radius 40%).
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parents[2] / "web" / "icons"
BACKGROUND = (15, 95, 90)
GLYPH = (255, 255, 255)
STROKE = 0.075  # line thickness, as a fraction of the icon size
SEGMENTS = [((0.28, 0.33), (0.46, 0.50)), ((0.46, 0.50), (0.28, 0.67)), ((0.53, 0.67), (0.73, 0.67))]
SAMPLES = 3  # per axis: 9 samples per pixel for smooth edges


def segment_distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def inside_rounded_square(x: float, y: float, radius: float) -> bool:
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return math.hypot(x - cx, y - cy) <= radius


def pixel(x: float, y: float, maskable: bool) -> tuple[float, float]:
    """(background coverage, glyph coverage) at a point of the unit square."""
    background = 1.0 if maskable or inside_rounded_square(x, y, 0.22) else 0.0
    glyph = 1.0 if background and any(segment_distance(x, y, a, b) <= STROKE / 2 for a, b in SEGMENTS) else 0.0
    return background, glyph


def render(size: int, maskable: bool) -> bytes:
    rows = bytearray()
    step = 1 / (size * SAMPLES)
    for row in range(size):
        rows.append(0)  # filter: none
        for col in range(size):
            bg = fg = 0.0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    b, g = pixel((col * SAMPLES + sx + 0.5) * step, (row * SAMPLES + sy + 0.5) * step, maskable)
                    bg += b
                    fg += g
            n = SAMPLES * SAMPLES
            alpha, mix = bg / n, (fg / bg if bg else 0.0)
            rgb = [round(c0 + (c1 - c0) * mix) for c0, c1 in zip(BACKGROUND, GLYPH)]
            rows.extend((*rgb, round(alpha * 255)))
    return png(size, size, bytes(rows))


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, raw_rows: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw_rows, 9)) + chunk(b"IEND", b"")


def main() -> int:
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False), ("icon-maskable-512.png", 512, True)):
        (ICONS / name).write_bytes(render(size, maskable))
        print(f"wrote {ICONS / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
