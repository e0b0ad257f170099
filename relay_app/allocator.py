"""glibc malloc settings for a serving relay: freed memory is reused or goes back to the OS.

Two glibc defaults made the soak benchmark's relay hold ~11-14 MB of freed heap after a few
minutes, its RSS still climbing (bench/README.md, "Soak"):

- Up to 8 heaps ("arenas") per core, a thread sticking to one: each heap keeps the free memory
  of its own peak, and one thread's free memory is of no use to a thread on another heap. The
  relay's 64 workers allocate almost only while holding the GIL, so the extra heaps buy little
  concurrency: two are enough (sqlite does allocate outside the GIL).
- The dynamic mmap threshold: a state view with 100 tasks' output is a few hundred KB of JSON;
  glibc maps blocks of 128 KiB and up at first, but each one freed raises the threshold to its
  size, so later views come from the heaps and their memory stays there. Setting the threshold
  explicitly turns that off: big buffers are mapped and unmapped, a few syscalls per view.

Only glibc has `mallopt`; elsewhere (musl, macOS) nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

M_MMAP_THRESHOLD = -3  # <malloc.h>
M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's own starting value, now kept
ARENAS = 2


def tune_malloc() -> bool:
    """Cap glibc's heaps at two and fix its mmap threshold at 128 KiB; True when both were set
    (False: not glibc). Call it before the worker threads start: a thread picks its heap once."""
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    return libc.mallopt(M_ARENA_MAX, ARENAS) == 1 and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
