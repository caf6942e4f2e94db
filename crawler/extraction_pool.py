"""Extraction off the reactor: a pool of worker processes, one per core, so downloading never waits for parsing.

Everything CPU-heavy that one page needs before it can be written — decoding, parsing, trafilatura, the
near-duplicate signature, compressing the raw page — runs in a worker. The crawl's own process keeps the reactor, Scrapy and the
archive writes. The pool's server and workers ignore SIGINT and SIGTERM from their first instruction on: the
crawl decides when to stop (a terminal's Ctrl-C and the scheduler's signals reach the whole process group) and
closes the pool after the last page, so a stop while the pool is still starting is the crawl's one clean
shutdown, not a KeyboardInterrupt traceback from a half-started server; if the crawl is killed, each worker
notices within half a second that it is gone and exits (the server with it).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from crawler.extraction.options import ExtractOptions
from crawler.locks import process_alive
from crawler.processes import STOP_SIGNALS, children_ignore_stop_signals

if TYPE_CHECKING:
    from crawler.extraction import Extraction
    from storage.bodies import PackedBody

WATCH_SECONDS = 0.5  # how often a worker checks that its crawl is still there
PRELOAD = ["crawler.extraction.extract", "storage.neardup", "numpy"]  # imported once, in the server
_in_worker = False  # set in the pool's workers (a crawl forked by the scheduler is a multiprocessing child too)


def pool_size(setting: int) -> int:
    if setting >= 0:
        return setting
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def extract_for_archive(body: bytes, url: str, status: int, content_type: str | None, final_url: str | None,
                        options: ExtractOptions) -> tuple[Extraction, Any, PackedBody | None, tuple[str, str] | None]:
    """The page's extraction, the MinHash signature and search tokens of its text when it is an article, and its
    body packed for storage: all the CPU work a page needs before it is written."""
    from crawler.extraction import extract_page
    from storage import bodies, cpu_stages, fts, neardup

    result = extract_page(body, url, status, content_type, final_url, options)
    article = result.status == "article" and result.text
    with cpu_stages.stage(cpu_stages.NEARDUP):
        signature = neardup.signature(result.text) if article else None
    with cpu_stages.stage(cpu_stages.FTS):
        tokens = (fts.fts_tokens(result.title), fts.fts_tokens(result.text)) if article else None
    with cpu_stages.stage(cpu_stages.ARCHIVE):
        packed = bodies.pack(body) if body else None
    if _in_worker:  # a worker of the pool: its share of the stages
        cpu_stages.save("worker")
    return result, signature, packed, tokens


def _start_worker(crawl_pid: int) -> None:
    """Leave stopping to the crawl, and exit when the crawl is gone (killed with SIGKILL, say): a worker's
    queues never reach end-of-file, since each worker holds both ends."""
    global _in_worker
    _in_worker = True
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(crawl_pid,), daemon=True, name="watch-crawl").start()


def _exit_with(crawl_pid: int) -> None:
    while process_alive(crawl_pid):
        time.sleep(WATCH_SECONDS)
    os._exit(0)


class ExtractionPool:
    """A process pool started at the first page that needs it (a crawl with nothing new never pays for it).

    The portals crawled by one process share one pool (`shared`), so five portals do not start five pools."""

    _shared: dict[int, ExtractionPool] = {}

    def __init__(self, processes: int):
        self.processes = processes
        self.users = 0
        self._executor: ProcessPoolExecutor | None = None

    @classmethod
    def shared(cls, processes: int) -> ExtractionPool:
        pool = cls._shared.setdefault(processes, cls(processes))
        pool.users += 1
        return pool

    def release(self) -> None:
        """One user is done; the last one closes the pool."""
        self.users -= 1
        if self.users <= 0:
            self._shared.pop(self.processes, None)
            self.close()

    async def extract(self, *args: Any) -> tuple[Extraction, Any, PackedBody | None, tuple[str, str] | None]:
        if self.processes == 0:
            return extract_for_archive(*args)
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")  # workers start clean, not as copies of a reactor
            context.set_forkserver_preload(PRELOAD)
            with children_ignore_stop_signals():
                multiprocessing.forkserver.ensure_running()  # spawns the server, without waiting for its imports
            self._executor = ProcessPoolExecutor(self.processes, mp_context=context, initializer=_start_worker,
                                                 initargs=(os.getpid(),))
        return await asyncio.wrap_future(self._executor.submit(extract_for_archive, *args))

    @classmethod
    def close_all(cls) -> None:
        """Close the pools a crawl left open (stopped by a second signal before its pipelines closed): a process
        that exits through multiprocessing (a run the scheduler forked) waits for its children before it would
        tell the workers to stop."""
        for pool in list(cls._shared.values()):
            cls._shared.pop(pool.processes, None)
            pool.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
