"""How the scheduler starts a crawl process: forked from a warm template, or as a new Python process.

Scrapy's reactor cannot restart in one process, so every run is a process of its own; but a new Python process
spends about a second importing Scrapy and the crawl's modules before it fetches anything, which is most of a
re-crawl that finds nothing new. So the scheduler keeps one template process (multiprocessing's forkserver, with
crawler.scheduling.preload as its preload) that has imported all that once and holds no reactor, no archive
connection and no thread; each run is a fork of it, in a process group of its own, its output in the run's log,
running `python -m crawler crawl …`'s own main(). A fork of the template is the same program as the new process:
restart the scheduler after upgrading the code, as for the scheduler itself. In `ps` a forked run shows the
template's command line (`… multiprocessing.forkserver …`); its pid is in the scheduler's log and in the portal's
lock file. `cold=True` (`schedule --cold-start`) starts each run as `python -m crawler crawl …` instead.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import multiprocessing.process
import multiprocessing.resource_tracker
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Protocol

from crawler.locks import process_alive
from crawler.processes import children_ignore_stop_signals

ROOT = Path(__file__).resolve().parents[2]
PRELOAD = ["crawler.scheduling.preload"]
READY_SECONDS = 30.0  # how long start() waits for a fork to say it has its process group and signal handlers
LOST_STATUS = 255  # what multiprocessing reports when the template died; the run's real status is lost with it


class LaunchError(OSError):
    """The crawl process could not be started (no processes or file descriptors left, the template gone)."""


class Job(Protocol):
    """A run's process as the scheduler sees it: a local process group or a scrapyd job."""

    pid: object

    def poll(self) -> int | None: ...

    def signal(self, sig: signal.Signals) -> None: ...

    def why_unrecorded(self, code: int) -> str:
        """Why the run's row still says `running` after the job ended, in one line."""


class LocalProcess:
    """A crawl process in a process group of its own, so a signal reaches its extraction workers too."""

    def __init__(self, pid: int, process: subprocess.Popen | multiprocessing.process.BaseProcess):
        self.pid = pid
        self._process = process
        self._code: int | None = None
        self._orphaned = False  # forked, and its template died: only /proc can say when it ends

    def poll(self) -> int | None:
        if self._code is not None:
            return self._code
        if isinstance(self._process, subprocess.Popen):
            self._code = self._process.poll()
        elif self._orphaned:
            self._code = None if process_alive(self.pid) else LOST_STATUS
        elif self._process.exitcode is not None:
            code = self._process.exitcode
            self._process.close()  # its status pipe: a scheduler starts thousands of runs
            if code == LOST_STATUS and process_alive(self.pid):  # the template died, the run did not
                self._orphaned = True
                return None
            self._code = code
        return self._code

    def signal(self, sig: signal.Signals) -> None:
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            pass

    def why_unrecorded(self, code: int) -> str:
        if self._orphaned:
            return (f"the crawl (pid {self.pid}) ended without recording how the run ended, after the scheduler's "
                    "template process was gone (its exit status with it); see its log")
        return f"the crawl (pid {self.pid}) exited with status {code} without recording how the run ended; see its log"


def crawl_command(argv: list[str]) -> list[str]:
    return [sys.executable, "-m", "crawler", *argv]


class Launcher:
    """Starts crawl processes: `start(argv, log_path)` runs `python -m crawler ARGV` with its output in log_path."""

    def __init__(self, cold: bool = False):
        self.cold = cold
        self._context: multiprocessing.context.BaseContext | None = None

    def warm_up(self) -> None:
        """Start the template now (its imports take about a second, in the background), or again if it died."""
        if self.cold:
            return
        if self._context is None:
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload(PRELOAD)
        with children_ignore_stop_signals():  # a Ctrl-C at the scheduler is the scheduler's to handle
            multiprocessing.forkserver.ensure_running()

    def start(self, argv: list[str], log_path: Path) -> LocalProcess:
        """The started process; LaunchError when it could not be started."""
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        try:
            with open(log_path, "ab") as out:  # opened here too, so a log that cannot be written is our error
                if self.cold:
                    process = subprocess.Popen(crawl_command(argv), cwd=ROOT, env=env, stdout=out,
                                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                               start_new_session=True)
                    return LocalProcess(process.pid, process)
            return self._fork(argv, log_path, env)
        except (OSError, EOFError) as exc:  # EOFError: the template died forking (EAGAIN, say)
            raise LaunchError(f"could not start the crawl process: {exc or type(exc).__name__}") from exc

    def _fork(self, argv: list[str], log_path: Path, env: dict[str, str]) -> LocalProcess:
        self.warm_up()
        assert self._context is not None
        ready, told = self._context.Pipe(duplex=False)
        forked = self._context.Process(target=run_forked_crawl, args=(argv, str(log_path), env, told),
                                       name=f"crawl {' '.join(argv[1:2])}")
        forked.start()
        told.close()
        # The scheduler follows the run through LocalProcess; left in multiprocessing's list, a scheduler that
        # exits on an error would wait for every run to end (and nothing would stop them: it is still alive).
        multiprocessing.process._children.discard(forked)
        try:  # until the fork has its own process group and signal handlers, a stop signal would be lost
            if ready.poll(READY_SECONDS):
                ready.recv()
        except EOFError:
            pass  # it ended before it was ready: poll() reports how
        finally:
            ready.close()
        assert forked.pid is not None
        return LocalProcess(forked.pid, forked)


def run_forked_crawl(argv: list[str], log_path: str, env: dict[str, str],
                     ready: multiprocessing.connection.Connection) -> None:
    """In the fork of the template: become what `python -m crawler ARGV` would have been, then run it."""
    os.setsid()  # a process group of its own, as start_new_session gives the cold start
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the template ignores the stop signals; a crawl
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # takes them (Scrapy installs its handlers over these)
    _forget_the_templates_helpers()
    out = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    if sys.stdout is None or sys.stderr is None:  # a scheduler started with its output closed
        sys.stdout, sys.stderr = open(1, "w", closefd=False), open(2, "w", closefd=False)
    os.chdir(ROOT)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [*crawl_command([])[:3], *argv]
    ready.send(True)
    ready.close()
    from crawler.cli import main
    from crawler.extraction_pool import ExtractionPool

    try:
        code = main(argv)
    finally:
        ExtractionPool.close_all()
        sys.stdout.flush()
    sys.exit(code)


def _forget_the_templates_helpers() -> None:
    """Let go of the template's pipe to the scheduler and of the scheduler's resource tracker: the crawl's own
    extraction pool starts its own (so the semaphores of a crawl killed outright are cleaned up when it dies, not
    when the scheduler does), and a scheduler killed outright takes its template with it at once."""
    server = multiprocessing.forkserver._forkserver
    tracker = multiprocessing.resource_tracker._resource_tracker
    for owner, name in ((server, "_forkserver_alive_fd"), (tracker, "_fd")):
        fd = getattr(owner, name, None)
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
            setattr(owner, name, None)
    tracker._pid = None
