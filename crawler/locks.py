"""Locks beside the archive that hold across processes: one run per portal, one scheduler per archive.

flock() locks vanish with the process that held them, so a crawl killed with SIGKILL never leaves a
stale lock behind. A lock file names the process holding it while it is held, and is emptied on release.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class LockBusyError(RuntimeError):
    """Another process holds the lock."""


def _folder(db: Path) -> Path:
    folder = db.parent / f".{db.name}.locks"
    folder.mkdir(exist_ok=True)
    return folder


@contextlib.contextmanager
def _locked(path: Path, busy_message: str) -> Iterator[None]:
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise LockBusyError(busy_message + (f" (pid {holder})" if holder else "")) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    try:
        yield
    finally:
        handle.truncate(0)  # still holding the lock: a released lock names no process, so none is dead
        handle.close()


def process_alive(pid: int) -> bool:
    """Whether process `pid` is running (a zombie, dead but not yet reaped by its parent, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return True


@contextlib.contextmanager
def portal_locks(db: Path, portals: list[str]) -> Iterator[None]:
    """Hold each portal's lock for the archive, or fail naming the portal already being crawled."""
    with contextlib.ExitStack() as stack:
        for portal in portals:
            stack.enter_context(_locked(
                _folder(db) / f"portal-{portal}.lock",
                f"portal {portal} is already being crawled into {db}; wait for that run to end",
            ))
        yield


@contextlib.contextmanager
def scheduler_lock(db: Path) -> Iterator[None]:
    with _locked(_folder(db) / "scheduler.lock",
                 f"another scheduler is already running on {db}; stop it first or use another --db"):
        yield
