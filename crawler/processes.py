"""The processes below a process (a crawl's extraction pool), read from /proc for measurements and checks, and
the stop signals of processes a crawl or the scheduler spawns."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def peak_rss_bytes(pid: int | str = "self") -> int | None:
    """A process's own peak resident memory (VmHWM), None where /proc does not say.

    Not `ru_maxrss`: Linux carries that over an exec from the process that forked, so a crawl started by a large
    process (a test runner, a scheduler) would report the parent's size as its own peak."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM")), None)


def descendants(pid: int) -> list[int]:
    """Every live process below `pid`, children first."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(0), []):
            found.append(child)
            todo.append(child)
    return found


@contextlib.contextmanager
def children_ignore_stop_signals() -> Iterator[None]:
    """Processes spawned inside (an extraction pool's server and its resource tracker, the scheduler's crawl
    template) ignore SIGINT and SIGTERM from their first instruction: an ignored signal stays ignored across exec,
    and a forkserver hands its dispositions on to every process it forks. (A signal mask would not do: the spawn
    clears it in the child.) The spawner's own handlers are back once the spawn returns, within milliseconds; a
    stop signal in that window is held while this thread blocks it, but one that another of its threads takes then
    is lost (the scheduler's kill after its grace, or a second Ctrl-C, still stops a crawl)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
