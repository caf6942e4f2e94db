"""Item pipelines, in data-flow order: extraction (page → verdict + article), then the archive."""

from __future__ import annotations

import logging
import sqlite3
import time
from concurrent.futures.process import BrokenProcessPool
from collections.abc import Callable
from typing import TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.extraction import ExtractOptions
from crawler.extraction_pool import ExtractionPool, pool_size
from storage import Archive, ArchiveError, Article, Page
from storage.records import FAILED, FINISHED, INTERRUPTED

logger = logging.getLogger(__name__)
T = TypeVar("T")


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
        try:
            result, item.signature = await self.pool.extract(
                item.body, item.url, item.http_status or 200, item.content_type, item.final_url, options)
        except BrokenProcessPool as exc:  # a worker died (out of memory, killed): the page is fetched again next run
            item.outcome, item.reason = "error", f"extraction worker died ({exc or 'killed'})"
            self.crawler.stats.inc_value("extract/worker_died")
            return item
        item.outcome, item.reason, item.charset = result.status, result.reason, result.charset
        if result.status == "article":
            item.article = Article(result.title, result.published, result.source, result.author, result.text)
        self.crawler.stats.inc_value(f"extract/{result.status}")
        return item

    def close_spider(self) -> None:
        self.pool.release()


class ArchivePipeline:
    """Writes pages and articles to the archive in batches, and the run's totals to `runs`."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.db_path: str = settings.get("ARCHIVE_DB")
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.batch_seconds = settings.getfloat("ARCHIVE_BATCH_SECONDS")
        self.trigger = settings.get("ARCHIVE_RUN_TRIGGER")
        self.given_run_id = settings.getint("ARCHIVE_RUN_ID") or None
        self.lock_timeout = settings.getfloat("ARCHIVE_LOCK_TIMEOUT")
        self.attempts = max(1, settings.getint("ARCHIVE_WRITE_ATTEMPTS"))
        self.failure: str | None = None  # set when a batch could not be written: the run ends failed
        self.fetched = 0  # pages that came back (any outcome but error)
        self.first_error: str | None = None  # the reason of the first page that could not be fetched
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.buffer: list[Page] = []
        self._timer: task.LoopingCall | None = None
        self._on_stop: object | None = None  # the reactor's before-shutdown trigger, while the spider is open
        self._oldest = 0.0
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        try:
            self.archive = Archive.open(self.db_path, self.lock_timeout)
            self.run_id = self.given_run_id or self._write(
                "record the run", lambda: self.archive.start_run(self.crawler.spider.name, self.trigger))
        except (ArchiveError, sqlite3.Error) as exc:
            raise CloseSpider(f"archive_db_unavailable: {exc}") from None
        self.crawler.stats.set_value("archive/run_id", self.run_id)
        self._timer = task.LoopingCall(self._flush_if_old)
        self._timer.start(max(0.5, self.batch_seconds / 2), now=False)
        from twisted.internet import reactor  # the one Scrapy installed (importing it at module level would pick one)

        self._on_stop = reactor.addSystemEventTrigger("before", "shutdown", self._reactor_stopping)

    @property
    def _log_extra(self) -> dict:
        """Names the spider in a log record, so it goes to this run's log file (run_logs)."""
        return {"spider": self.crawler.spider}

    def _reactor_stopping(self) -> None:
        """The reactor stops before the spider could close (a second SIGTERM or Ctrl-C): store what was fetched
        and record the run as interrupted, rather than leave the batch unwritten and the run 'running'."""
        self._on_stop = None
        if self.archive is None:
            return
        logger.warning("stopped before the crawl could close: writing the %d pages fetched so far",
                       len(self.buffer), extra=self._log_extra)
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
        """Run one archive write, trying again when it fails (another process holding the write lock past
        ARCHIVE_LOCK_TIMEOUT, a disk that is briefly full); the last failure is raised."""
        for attempt in range(1, self.attempts + 1):
            try:
                return write()
            except sqlite3.Error as exc:
                if attempt == self.attempts:
                    raise
                logger.warning("could not %s in the archive (%s); attempt %d of %d follows", what, exc,
                               attempt + 1, self.attempts, extra=self._log_extra)
                time.sleep(min(2.0, 0.1 * 2**attempt))
        raise AssertionError("unreachable")

    def flush(self) -> None:
        if not self.buffer or self.archive is None or self.failure:
            return
        batch = self.buffer
        try:
            result = self._write(f"write a batch of {len(batch)} pages",
                                 lambda: self.archive.write_batch(batch, self.run_id))
        except sqlite3.Error as exc:
            self._fail(f"{len(batch)} fetched pages could not be written to the archive after {self.attempts} "
                       f"attempts ({exc}); they will be fetched again by the next run")
            return
        self.buffer = []
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
            page.body, page.signature = b"", None  # stored; do not keep them in memory for signals or exporters

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
            list_pages=stats.get_value("archive/list_pages", 0), new_links=stats.get_value("archive/new_links", 0)))

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()

    def _outcome(self, spider: Spider, reason: str) -> tuple[str, str | None]:
        """How the run ended, and why in one line when it failed: a batch not written, or not one page fetched."""
        if self.failure:
            return FAILED, self.failure
        if reason == FINISHED and self.first_error and not self.fetched:
            why = f"no page of {spider.name} could be fetched: {self.first_error}"
            logger.error("%s", why, extra=self._log_extra)
            return FAILED, why
        return reason, None

    def spider_closed(self, spider: Spider, reason: str, why: str | None = None) -> None:
        if self._on_stop is not None:
            from twisted.internet import reactor

            reactor.removeSystemEventTrigger(self._on_stop)
            self._on_stop = None
        if self.archive is None:
            return
        outcome, why = self._outcome(spider, reason) if why is None else (reason, why)
        try:
            self._update_run(outcome, why)
        except sqlite3.Error as exc:
            logger.error("the run's outcome (%s) could not be recorded in the archive: %s", outcome, exc,
                         extra=self._log_extra)
            self.crawler.stats.set_value("archive/failure", f"run outcome not recorded: {exc}")
        self.archive.close()
        self.archive = None
