"""glibc malloc in a build: freed tensor memory is reused batch to batch, given back chunk to chunk."""

from __future__ import annotations

import ctypes
import functools
import os

# mallopt parameters, from glibc's malloc.h.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

# Blocks below this come from the heap and are reused batch after batch. glibc's own threshold
# moves with the blocks it sees freed, and with it how much of the heap it trims: while encoding,
# that mapped, unmapped and zero-filled the same tensors over and over (twice the page faults).
# 32 MiB is the largest value glibc documents.
MMAP_THRESHOLD = 32 * 2**20
# Free memory at the top of the heap kept for the next batch rather than returned to the system.
TRIM_THRESHOLD = 256 * 2**20


def keep_freed_memory() -> bool:
    """Set the thresholds for the rest of the process; False where the C library is not glibc."""
    libc = _glibc()
    if libc is None:
        return False
    return bool(
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


def release_free_memory() -> None:
    """Give the free pages anywhere in the heap back to the system (glibc's malloc_trim)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
    except (ValueError, OSError, AttributeError):  # not a glibc system
        return None
    return ctypes.CDLL(None)
