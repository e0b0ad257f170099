"""A serving relay fixes glibc's mmap threshold (relay_app/allocator.py, bench/README.md "Soak"):
a large buffer freed on one thread must not turn the next ones into heap memory that stays."""

from __future__ import annotations

import ctypes
import platform

from mobile_codex.relay_app.allocator import MMAP_THRESHOLD_BYTES, keep_mmap_threshold


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
    )]  # fmt: skip


def _mapped_bytes() -> int:
    """glibc's count of bytes it holds in mmap'd blocks (mallinfo2().hblkhd)."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    return libc.mallinfo2().hblkhd


def test_large_buffers_stay_mapped_after_one_was_freed():
    assert platform.libc_ver()[0] == "glibc"  # the relay's platform; elsewhere keep_mmap_threshold is a no-op
    assert keep_mmap_threshold() is True
    # Larger than any free block the test process's heap may hold (those are reused first),
    # far below glibc's 32 MiB ceiling for the dynamic threshold.
    size = 64 * MMAP_THRESHOLD_BYTES
    for _ in range(3):  # without the fixed threshold the first free raises it above `size`
        before = _mapped_bytes()
        buffer = bytearray(size)
        assert _mapped_bytes() >= before + size
        del buffer
        assert _mapped_bytes() < before + size  # unmapped at once: back to the OS
