"""Write files so that a reader never sees half of one: write beside it, flush it to disk, then
rename it into place (as pooch's download_action does)."""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

# renameat2(2) flag: swap two paths in one atomic step (Linux 3.15+).
RENAME_EXCHANGE = 2
AT_FDCWD = -100


@lru_cache(maxsize=1)
def file_mode() -> int:
    # What open() would give a new file: mkstemp creates 0600, which is wrong for a site or a
    # config file that others read.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def file_sha256(path: Path) -> str:
    """A file's sha256, read in blocks: what a written file is checked against when read back."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fsync_dir(folder: Path) -> None:
    """Make a rename inside `folder` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically: same-folder temp file, fsync, os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


@lru_cache(maxsize=1)
def _renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step; False where the system cannot."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def replace_dir(staged: Path, target: Path, old: Path) -> None:
    """Put the finished folder `staged` in place of `target`.

    Where the system can swap two folders atomically, there is no moment without a complete
    `target`; the old folder ends up at `staged` and is removed. Elsewhere `target` is first moved
    to `old` (which the next build restores if it finds no `target`), then `staged` takes its
    place.
    """
    if target.exists():
        if exchange(staged, target):
            fsync_dir(target.parent)
            shutil.rmtree(staged, ignore_errors=True)
            return
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
        try:
            os.replace(staged, target)
        except BaseException:
            os.replace(old, target)
            raise
        fsync_dir(target.parent)
        shutil.rmtree(old, ignore_errors=True)
        return
    os.replace(staged, target)
    fsync_dir(target.parent)
