"""Memory that a stage frees goes back to the system, so that stages side by side can use it.

A build runs its stages in threads of one process, and glibc's malloc, the allocator of Linux
builds, serves each thread from one of up to 8 × cores arenas. What a thread frees stays in its
arena, for that arena's later use, unless it lies at the arena's top. Two defaults make a forest
on many genres leave much of its memory there:

- A block larger than the mmap threshold is mapped on its own and unmapped when freed, but the
  threshold rises to the size of each such block freed, up to 32 MB. After the first tree of a
  forest is dropped, the next trees' arrays (1 to 32 MB each on 114 genres) are carved from an
  arena instead.
- Freed pages inside an arena are kept, even when another thread, served by another arena,
  needs memory.

So `return_large_blocks` fixes the threshold: every block of `LARGE` bytes or more is mapped and
unmapped on its own, whatever was freed before. Fixing it also freezes the threshold beyond
which an arena's free top is given back, which the frees before had raised too; so that one is
set back to glibc's starting value. And `trim` gives the free pages inside every arena back; the
build calls it when a stage ends. Neither changes a result: they only decide where memory comes
from.

Elsewhere (macOS, musl) both do nothing and say so.
"""

from __future__ import annotations

import ctypes
import functools
import sys

# glibc's mallopt parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# Blocks this large or larger are mapped on their own. Below it: a song column of 114,000
# rows (0.9 MB) and everything smaller, which are reused far too often to map each time.
LARGE = 1 << 20
# Free memory at an arena's top beyond this goes back at once: glibc's own starting value,
# which setting M_MMAP_THRESHOLD would otherwise freeze wherever it had risen to (up to 64 MB).
TRIM = 128 * 1024


@functools.lru_cache(maxsize=1)
def _glibc():
    # Looked up on first use, not at import. The process's own symbols (dlopen(NULL)): finding
    # libc by name would run ldconfig, and fail in slim images that lack it.
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    # musl has neither mallopt nor gnu_get_libc_version.
    if not all(hasattr(libc, f) for f in ("mallopt", "malloc_trim", "gnu_get_libc_version")):
        return None
    libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    libc.mallopt.restype = ctypes.c_int
    libc.malloc_trim.argtypes = (ctypes.c_size_t,)
    libc.malloc_trim.restype = ctypes.c_int
    return libc


def available() -> bool:
    """Whether glibc's malloc functions are there to be set (under a preloaded jemalloc or
    tcmalloc they are, and setting them changes nothing)."""
    return _glibc() is not None


def return_large_blocks(threshold: int = LARGE) -> bool:
    """Map every block of `threshold` bytes or more on its own, and unmap it when it is freed
    (glibc's M_MMAP_THRESHOLD, which also stops the threshold from rising), and give back free
    memory at an arena's top beyond `TRIM`. For the rest of the process's life. Returns whether
    both were set."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(M_MMAP_THRESHOLD, int(threshold)) == 1
                and libc.mallopt(M_TRIM_THRESHOLD, TRIM) == 1)


def trim() -> bool:
    """Give the free pages of every arena back to the system. Returns whether any were."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0) == 1)
