"""glibc malloc settings for a serving relay: large transient buffers go back to the OS.

A state view with 100 tasks' output is a few hundred KB of JSON, built and freed on whichever
of the relay's 64 worker threads answered. glibc serves blocks of 128 KiB and up by mmap at
first, but every such block freed raises that threshold to its size (the "dynamic mmap
threshold"), so from then on these buffers come from the per-thread heaps, which keep the freed
memory. In bench/soak.py that held ~14 MB of free heap memory after a few minutes and RSS kept
climbing (bench/README.md). Setting the threshold explicitly turns the dynamic adjustment off:
big buffers are mapped and unmapped each time, a few syscalls per state view.

Only glibc has `mallopt`; elsewhere (musl, macOS) nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

M_MMAP_THRESHOLD = -3  # <malloc.h>
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's own starting value, now kept


def keep_mmap_threshold() -> bool:
    """Fix glibc's mmap threshold at 128 KiB; True when it was set (False: not glibc)."""
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    return libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
