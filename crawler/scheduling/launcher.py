"""How the scheduler starts a crawl process: forked from a warm template, or as a new Python process.

Scrapy's reactor cannot restart in one process, so every run is a process of its own; but a new Python process
spends about a second importing Scrapy and the crawl's modules before it fetches anything, which is most of a
re-crawl that finds nothing new. So the scheduler keeps one template process (multiprocessing's forkserver, with
crawler.scheduling.preload as its preload) that has imported all that once and holds no reactor, no archive
connection and no thread; each run is a fork of it, in a process group of its own, its output in the run's log,
running `python -m crawler crawl …`'s own main(). A fork of the template is the same program as the new process:
restart the scheduler after upgrading the code, as for the scheduler itself. `cold=True` (`schedule
--cold-start`) starts each run as `python -m crawler crawl …` instead.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Protocol

ROOT = Path(__file__).resolve().parents[2]
PRELOAD = ["crawler.scheduling.preload"]


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

    def poll(self) -> int | None:
        if self._code is None:
            if isinstance(self._process, subprocess.Popen):
                self._code = self._process.poll()
            elif self._process.exitcode is not None:
                self._code = self._process.exitcode
                self._process.close()  # its status pipe: a scheduler starts thousands of runs
        return self._code

    def signal(self, sig: signal.Signals) -> None:
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            pass

    def why_unrecorded(self, code: int) -> str:
        return f"the crawl (pid {self.pid}) exited with status {code} without recording how the run ended; see its log"


def crawl_command(argv: list[str]) -> list[str]:
    return [sys.executable, "-m", "crawler", *argv]


class Launcher:
    """Starts crawl processes: `start(argv, log_path)` runs `python -m crawler ARGV` with its output in log_path."""

    def __init__(self, cold: bool = False):
        self.cold = cold
        self._context: multiprocessing.context.BaseContext | None = None

    def warm_up(self) -> None:
        """Start the template now (its imports take about a second, in the background), not at the first run."""
        if self.cold or self._context is not None:
            return
        from crawler.processes import children_ignore_stop_signals

        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        with children_ignore_stop_signals():  # a Ctrl-C at the scheduler is the scheduler's to handle
            multiprocessing.forkserver.ensure_running()

    def start(self, argv: list[str], log_path: Path) -> LocalProcess:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        if self.cold:
            with open(log_path, "ab") as out:
                process = subprocess.Popen(crawl_command(argv), cwd=ROOT, env=env, stdout=out,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
            return LocalProcess(process.pid, process)
        self.warm_up()
        assert self._context is not None
        forked = self._context.Process(target=run_forked_crawl, args=(argv, str(log_path), env),
                                       name=f"crawl {' '.join(argv[1:2])}")
        forked.start()
        assert forked.pid is not None
        return LocalProcess(forked.pid, forked)


def run_forked_crawl(argv: list[str], log_path: str, env: dict[str, str]) -> None:
    """In the fork of the template: become what `python -m crawler ARGV` would have been, then run it."""
    os.setsid()  # a process group of its own, as start_new_session gives the cold start
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the template ignores the stop signals; a crawl
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # takes them (Scrapy installs its handlers over these)
    out = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    os.chdir(ROOT)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [*crawl_command([])[:3], *argv]
    from crawler.cli import main

    code = main(argv)
    sys.stdout.flush()
    sys.exit(code)
