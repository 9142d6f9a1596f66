"""Keep freed memory in the process for the next upload (glibc malloc tuning).

Every upload allocates a few megabytes of short-lived buffers: the request body, the
downscaled page and the numpy temporaries of the checks. With glibc's defaults, blocks
above the mmap threshold are mapped and unmapped each time, and freed heap above the trim
threshold goes back to the kernel, so each upload page-faults its buffers in again
(measured on the benchmark's A4 scans: ~1 300 minor faults and ~2.7 ms of system CPU per
upload, a seventh of the service's CPU). With the thresholds raised, those buffers are
reused; blocks above 4 MB (full-size photos decoded for normalisation) are still mapped
and returned at once, and at most 32 MB of free heap is kept per arena.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 4 * 1024 * 1024
TRIM_THRESHOLD = 32 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds; False where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
