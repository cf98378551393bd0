"""Write a file so that a crash at any moment leaves either the old or the new content, never half."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Temporary file beside the target, fsync, rename over the target, fsync the directory."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_stale_temporaries(directory: Path) -> int:
    """Temporary files left by a process that died mid-write; the target file is intact."""
    removed = 0
    for tmp in directory.glob(".*.tmp"):
        try:
            pid = int(tmp.name.split(".")[-3])
        except (ValueError, IndexError):
            continue
        if pid == os.getpid() or not process_alive(pid):
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (it may belong to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
