"""The archive's rules for one portal's crawl, inside Scrapy: whoever starts it (`python -m crawler crawl`,
`scrapy crawl`, a scrapyd job), a crawl holds its portal's lock, is recorded in `runs` with its trigger, and has
one archive handle, opened here once and shared by every component (`crawl_archive`)."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.locks import LockBusyError, portal_locks
from storage import Archive, ArchiveError
from storage.transactions import retried

logger = logging.getLogger(__name__)

# The close reason of a crawl whose portal another process is crawling into the same archive.
PORTAL_BUSY = "portal_busy"
# Sent with run_id= once the run is recorded; the archive pipeline reports into that run.
run_started = object()


class PortalRun:
    """Takes the portal's lock when the spider opens, before anything is fetched, and records the run; a portal
    already being crawled into this archive closes the spider with reason `portal_busy` and a run recorded as
    skipped, with the holder's pid as the reason. The lock is held until the run's outcome is written.

    The trigger is ARCHIVE_RUN_TRIGGER, or `scrapyd` for a scrapyd job that did not set it. Stats:
    `archive/run_id`, and `archive/busy` (the reason) when the portal was held.
    """

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.db_path = Path(settings.get("ARCHIVE_DB"))
        self.trigger: str = settings.get("ARCHIVE_RUN_TRIGGER")
        self.trigger_given = (settings.getpriority("ARCHIVE_RUN_TRIGGER") or 0) > SETTINGS_PRIORITIES["project"]
        self.given_run_id = settings.getint("ARCHIVE_RUN_ID") or None
        self.lock_timeout = settings.getfloat("ARCHIVE_LOCK_TIMEOUT")
        self.attempts = max(1, settings.getint("ARCHIVE_WRITE_ATTEMPTS"))
        self.log_file: str | None = settings.get("LOG_FILE") or None
        self._lock: contextlib.ExitStack | None = None
        self.archive: Archive | None = None  # the crawl's one handle, open from the lock until the run's end
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalRun:
        return cls(crawler)

    def _trigger(self, spider: Spider) -> str:
        if not self.trigger_given and getattr(spider, "_job", None):  # scrapyd passes -a _job=JOB_ID
            return "scrapyd"
        return self.trigger

    def spider_opened(self, spider: Spider) -> None:
        if not self.db_path.parent.is_dir():
            self._unavailable(f"folder {self.db_path.parent} does not exist; create it or choose another ARCHIVE_DB")
        lock = contextlib.ExitStack()
        try:
            lock.enter_context(portal_locks(self.db_path, [spider.name]))
        except LockBusyError as exc:
            self._skip(spider, str(exc))
            raise CloseSpider(PORTAL_BUSY) from None
        except OSError as exc:  # the archive's folder is missing or cannot be written
            self._unavailable(f"cannot lock {spider.name} beside {self.db_path}: {exc}")
        try:
            self.archive = self._open()
            run_id = self._record("record the run", lambda archive: self.given_run_id or archive.start_run(
                spider.name, self._trigger(spider), self.log_file))
        except CloseSpider:
            self._close_archive()
            lock.close()
            raise
        self._lock = lock
        # Connected now, after the archive pipeline's handler: the lock is released once the outcome is written.
        self.crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        self.crawler.stats.set_value("archive/run_id", run_id)
        self.crawler.signals.send_catch_log(run_started, run_id=run_id)

    def _skip(self, spider: Spider, reason: str) -> None:
        logger.error("%s: nothing is fetched", reason)
        self.crawler.stats.set_value("archive/busy", reason)
        self.archive = self._open()
        try:
            run_id = self._record("record the skipped run", lambda archive: archive.skip_run(
                spider.name, self._trigger(spider), reason, self.given_run_id))
        finally:
            self._close_archive()  # the crawl stops here: no other component gets the archive
        self.crawler.stats.set_value("archive/run_id", run_id)

    def _unavailable(self, why: str) -> None:
        """Stop the crawl before anything is fetched, with one log line saying why."""
        logger.error("the archive cannot be used: %s; nothing is fetched", why)
        self.crawler.stats.set_value("archive/failure", why)
        raise CloseSpider(f"archive_db_unavailable: {why}")

    def _open(self) -> Archive:
        try:
            return Archive.open(self.db_path, self.lock_timeout)
        except ArchiveError as exc:
            self._unavailable(str(exc))
            raise  # not reached: _unavailable raises

    def _record(self, what: str, write: Callable[[Archive], int]) -> int:
        archive = self.archive
        assert archive is not None
        try:
            return retried(what, lambda: write(archive), self.attempts)
        except sqlite3.Error as exc:
            self._unavailable(str(exc))
            raise  # not reached

    def _close_archive(self) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None

    def spider_closed(self) -> None:
        """After the archive pipeline wrote the run's outcome: the handle is closed, then the lock released."""
        self._close_archive()
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def crawl_archive(crawler: Crawler) -> Archive | None:
    """The crawl's archive handle (None before the spider opened, after it closed, or when it could not open)."""
    for extension in crawler.extensions.middlewares if crawler.extensions else ():
        if isinstance(extension, PortalRun):
            return extension.archive
    return None
