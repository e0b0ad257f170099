"""A serving relay tunes glibc malloc (relay_app/allocator.py, bench/README.md "Soak"): at most
two heaps, and a large buffer freed must not turn the next ones into heap memory that stays."""

from __future__ import annotations

import ctypes
import platform
import subprocess
import sys

from mobile_codex.relay_app.allocator import ARENAS, MMAP_THRESHOLD_BYTES, tune_malloc

# 24 threads each allocate once; malloc_stats() prints an "Arena N:" block per heap to stderr.
COUNT_HEAPS = """
import ctypes, threading, sys
from mobile_codex.relay_app.allocator import tune_malloc
if sys.argv[1] == "tuned":
    assert tune_malloc()
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
barrier = threading.Barrier(24)
def work():
    barrier.wait()
    libc.malloc(4096)
    barrier.wait()  # every thread holds its heap until all have allocated
threads = [threading.Thread(target=work) for _ in range(24)]
[t.start() for t in threads]
[t.join() for t in threads]
libc.malloc_stats()
"""


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
    )]  # fmt: skip


def _mapped_bytes() -> int:
    """glibc's count of bytes it holds in mmap'd blocks (mallinfo2().hblkhd)."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    return libc.mallinfo2().hblkhd


def _heaps(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", COUNT_HEAPS, mode], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stderr.count("Arena ")


def test_a_tuned_process_keeps_at_most_two_heaps():
    assert _heaps("default") > ARENAS  # what glibc does by itself (8 per core)
    assert _heaps("tuned") <= ARENAS


def test_large_buffers_stay_mapped_after_one_was_freed():
    assert platform.libc_ver()[0] == "glibc"  # the relay's platform; elsewhere tune_malloc is a no-op
    assert tune_malloc() is True
    # Larger than any free block the test process's heap may hold (those are reused first),
    # far below glibc's 32 MiB ceiling for the dynamic threshold.
    size = 64 * MMAP_THRESHOLD_BYTES
    for _ in range(3):  # without the fixed threshold the first free raises it above `size`
        before = _mapped_bytes()
        buffer = bytearray(size)
        assert _mapped_bytes() >= before + size
        del buffer
        assert _mapped_bytes() < before + size  # unmapped at once: back to the OS
