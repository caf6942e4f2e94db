"""Item pipelines, in data-flow order: extraction (page → verdict + article), then the archive."""

from __future__ import annotations

import logging
import sqlite3
import time
from concurrent.futures.process import BrokenProcessPool
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task
from twisted.internet.defer import Deferred

from crawler.extraction import ExtractOptions
from crawler.extraction_pool import ExtractionPool, pool_size
from crawler.portal_run import PortalRun, crawl_archive, run_started
from storage import Archive, Article, BatchResult, Page
from storage.records import FAILED, FINISHED, INTERRUPTED
from storage.transactions import retried

if TYPE_CHECKING:
    from crawler.extraction import Extraction
    from storage.bodies import PackedBody

logger = logging.getLogger(__name__)
# Stats (`archive/<name>`) written to the runs column of the same name: what discovery saw, for health rules.
RUN_COUNTERS = ("list_pages", "new_links", "list_links", "article_links")
# Counted by the batches written (BatchResult) and written to the runs column of the same name: for health rules.
HEALTH_COUNTERS = ("new_rejected", "body_own", "body_generic", "revisits", "rechecked")
T = TypeVar("T")
IN_FLIGHT = "extract/in_flight"  # pages handed to the extraction pool and not back yet (a stat, per crawl)
# Sent with pages= once a batch of them is committed to the archive (the shared frontier tells other workers).
batch_written = object()
STOP_GRACE = 10.0  # seconds a forced stop waits for pages still being extracted before writing what it has


class ExtractionPipeline:
    """Decides each article page's outcome and fills its article fields, in a pool of worker processes
    (EXTRACT_PROCESSES); list and error pages pass."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.pool = ExtractionPool.shared(pool_size(crawler.settings.getint("EXTRACT_PROCESSES")))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        return cls(crawler)

    async def process_item(self, item: Page) -> Page:
        if item.outcome in ("list", "error") or item.reason:  # decided by the spider (an off-portal redirect)
            return item
        spider = self.crawler.spider
        options: ExtractOptions = getattr(spider, "extract_options", ExtractOptions())
        stats = self.crawler.stats
        stats.inc_value(IN_FLIGHT)  # the archive pipeline waits for these when the reactor is stopped early
        try:
            extracted = await self.pool.extract(
                item.body, item.url, item.http_status or 200, item.content_type, item.final_url, options)
        except BrokenProcessPool as exc:  # a worker died (out of memory, killed): the page is fetched again next run
            item.outcome, item.reason = "error", f"extraction worker died ({exc or 'killed'})"
            stats.inc_value("extract/worker_died")
            return item
        finally:
            stats.inc_value(IN_FLIGHT, -1)
        fill(item, *extracted)
        self.crawler.stats.inc_value(f"extract/{item.outcome}")
        return item

    def close_spider(self) -> None:
        self.pool.release()


def fill(item: Page, result: Extraction, signature: Any, packed: PackedBody | None) -> None:
    """A page's fields from its extraction (extraction_pool.extract_for_archive's answer)."""
    item.signature, item.packed_body = signature, packed
    item.outcome, item.reason, item.charset = result.status, result.reason, result.charset
    item.body_by, item.story_missing = result.body_by, result.story_missing
    if result.status == "article":
        item.article = Article(result.title, result.published, result.source, result.author, result.text)


class ArchivePipeline:
    """Writes pages and articles to the archive in batches, and the run's totals and outcome to `runs` (the run that
    the PortalRun extension recorded when the spider opened)."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.batch_seconds = settings.getfloat("ARCHIVE_BATCH_SECONDS")
        self.attempts = max(1, settings.getint("ARCHIVE_WRITE_ATTEMPTS"))
        self.recheck = settings.getbool("ARCHIVE_CONDITIONAL_GET")  # an unchanged re-visit is counted, not stored
        self.failure: str | None = None  # set when a batch could not be written: the run ends failed
        self.fetched = 0  # pages that came back (any outcome but error)
        self.first_error: str | None = None  # the reason of the first page that could not be fetched
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.buffer: list[Page] = []
        self.totals = BatchResult()  # the health counters of the batches written (the run's other totals are
        # counted from its pages, storage.summary.run_totals)
        self._timer: task.LoopingCall | None = None
        self._on_stop: object | None = None  # the reactor's before-shutdown trigger, while the spider is open
        self._oldest = 0.0
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.run_started, signal=run_started)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if not any(isinstance(extension, PortalRun) for extension in self.crawler.extensions.middlewares):
            raise CloseSpider("archive_run_unrecorded: the extension crawler.portal_run.PortalRun is switched off")
        self._timer = task.LoopingCall(self._flush_if_old)
        self._timer.start(max(0.5, self.batch_seconds / 2), now=False)
        from twisted.internet import reactor  # the one Scrapy installed (importing it at module level would pick one)

        self._on_stop = reactor.addSystemEventTrigger("before", "shutdown", self._reactor_stopping)

    def run_started(self, run_id: int) -> None:
        """The run is recorded: write into it, through the crawl's archive handle (PortalRun owns it)."""
        self.run_id = run_id
        self.archive = crawl_archive(self.crawler)

    @property
    def _log_extra(self) -> dict:
        """Names the spider in a log record, so it goes to this run's log file (run_logs)."""
        return {"spider": self.crawler.spider}

    def _reactor_stopping(self) -> Deferred | None:
        """The reactor stops before the spider could close (a second SIGTERM or Ctrl-C): store what was fetched
        and record the run as interrupted, rather than leave the batch unwritten and the run 'running'. The
        reactor waits for the returned Deferred, so pages still being extracted are given STOP_GRACE seconds."""
        self._on_stop = None
        if self.archive is None:
            return None
        return Deferred.fromCoroutine(self._store_before_stop())

    async def _store_before_stop(self) -> None:
        from twisted.internet import reactor

        deadline = time.monotonic() + STOP_GRACE
        while self.crawler.stats.get_value(IN_FLIGHT, 0) and time.monotonic() < deadline:
            await task.deferLater(reactor, 0.05)
        await task.deferLater(reactor, 0.1)  # extracted pages reach this pipeline on the next turns of the loop
        if self.archive is None:  # the spider closed after all
            return
        left = self.crawler.stats.get_value(IN_FLIGHT, 0)
        logger.warning("stopped before the crawl could close: writing the %d pages fetched so far%s",
                       len(self.buffer), f" ({left} still in extraction are fetched again next run)" if left else "",
                       extra=self._log_extra)
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()
        self.spider_closed(self.crawler.spider, INTERRUPTED,
                           why="stopped by a second signal before the crawl could close; what was fetched is stored")

    def process_item(self, item: Page) -> Page:
        if item.outcome == "list":
            self.crawler.stats.inc_value("archive/list_pages")
        if item.outcome != "error":
            self.fetched += 1
        elif self.first_error is None:
            self.first_error = item.reason or "error"
        if not self.buffer:
            self._oldest = time.monotonic()
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def _flush_if_old(self) -> None:
        if self.buffer and time.monotonic() - self._oldest >= self.batch_seconds:
            self.flush()

    def _write(self, what: str, write: Callable[[], T]) -> T:
        return retried(what, write, self.attempts, extra=self._log_extra)

    def flush(self) -> None:
        if not self.buffer or self.archive is None or self.failure:
            return
        batch = self.buffer
        try:
            result = self._write(f"write a batch of {len(batch)} pages",
                                 lambda: self.archive.write_batch(batch, self.run_id, self.recheck))
        except sqlite3.Error as exc:
            self._fail(f"{len(batch)} fetched pages could not be written to the archive after {self.attempts} "
                       f"attempts ({exc}); they will be fetched again by the next run")
            return
        self.buffer = []
        self.totals.add(result)
        self.crawler.signals.send_catch_log(batch_written, pages=batch)
        try:
            self._update_run()
        except sqlite3.Error as exc:  # the batch is stored; the totals are written again after the next one
            logger.warning("could not record the run's totals in the archive: %s", exc, extra=self._log_extra)
        stats = self.crawler.stats
        for key in ("new", "alias", "refetch", "revised", "errors"):
            stats.inc_value(f"archive/{key}", getattr(result, key))
        for reason, count in result.rejections.items():
            stats.inc_value(f"archive/rejected/{reason}", count)
        for page in batch:
            page.body, page.signature, page.packed_body = b"", None, None  # stored: free the memory

    def _fail(self, reason: str) -> None:
        """Stop the crawl: pages fetched from now on could not be stored either."""
        logger.error("%s; stopping the crawl", reason, extra=self._log_extra)
        self.failure = reason
        self.crawler.stats.set_value("archive/failure", reason)
        if self.crawler.engine is not None and self.crawler.engine.spider is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=FAILED))

    def _update_run(self, outcome: str | None = None, reason: str | None = None) -> None:
        stats = self.crawler.stats
        self._write("record the run's totals", lambda: self.archive.update_run(
            self.run_id, outcome, reason,
            **{name: stats.get_value(f"archive/{name}", 0) for name in RUN_COUNTERS},
            **{name: getattr(self.totals, name) for name in HEALTH_COUNTERS}))

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()

    def _outcome(self, spider: Spider, reason: str) -> tuple[str, str | None]:
        """How the run ended, and why in one line when it failed: a batch not written, or not one page fetched
        (every request failed, or robots.txt refused them all)."""
        if self.failure:
            return FAILED, self.failure
        forbidden = self.crawler.stats.get_value("robotstxt/forbidden", 0)
        if reason == FINISHED and not self.fetched and (self.first_error or forbidden):
            why = (f"no page of {spider.name} could be fetched: {self.first_error}" if self.first_error else
                   f"robots.txt forbids every page {spider.name} asked for ({forbidden} refused): "
                   f"ask the site, or take the portal off")
            logger.error("%s", why, extra=self._log_extra)
            return FAILED, why
        return reason, None

    def spider_closed(self, spider: Spider, reason: str, why: str | None = None) -> None:
        if self._on_stop is not None:
            from twisted.internet import reactor

            reactor.removeSystemEventTrigger(self._on_stop)
            self._on_stop = None
        if self.archive is None:  # the run never started (its portal was busy): nothing was fetched or recorded
            return
        outcome, why = self._outcome(spider, reason) if why is None else (reason, why)
        try:
            self._update_run(outcome, why)
        except sqlite3.Error as exc:
            logger.error("the run's outcome (%s) could not be recorded in the archive: %s", outcome, exc,
                         extra=self._log_extra)
            self.crawler.stats.set_value("archive/failure", f"run outcome not recorded: {exc}")
        self.archive = None  # PortalRun closes the handle
