"""Extensions: what the crawl log says about failures a person cannot act on mid-run, and a scheduled crawl
that ends with its scheduler."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object
from twisted.internet import task

from crawler.locks import process_alive
from crawler.processes import peak_rss_bytes
from storage.records import INTERRUPTED

ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


class _NoTraceback(logging.Filter):
    def __init__(self, errors: tuple[type[BaseException], ...]):
        super().__init__()
        self.errors = errors

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self.errors):
            record.exc_info, record.exc_text = None, None
        return True


class DownloadErrorsInOneLine:
    """A robots.txt that cannot be downloaded (connection refused, DNS, timeout) is one log line, not a traceback.

    Scrapy's robots.txt middleware logs the failure with its traceback, after the retry middleware has said in
    one line why the download failed; for the errors Scrapy retries (RETRY_EXCEPTIONS) the line is kept and the
    traceback dropped. Other exceptions keep theirs.
    """

    def __init__(self, crawler: Crawler):
        errors = tuple(load_object(e) if isinstance(e, str) else e
                       for e in crawler.settings.getlist("RETRY_EXCEPTIONS"))
        self.filter = _NoTraceback(errors)
        logging.getLogger(ROBOTS_LOGGER).addFilter(self.filter)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DownloadErrorsInOneLine:
        return cls(crawler)

    def spider_closed(self) -> None:
        logging.getLogger(ROBOTS_LOGGER).removeFilter(self.filter)


class PeakMemory:
    """The crawl process's own peak memory in its stats (`memusage/peak_rss`, bytes), read from VmHWM when the
    spider closes. Scrapy's `memusage/max` is `ru_maxrss`, which on Linux starts at the size of the process
    that spawned the crawl."""

    def __init__(self, crawler: Crawler):
        if peak_rss_bytes() is None:
            raise NotConfigured("no /proc/self/status to read the peak memory from")
        self.stats = crawler.stats
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PeakMemory:
        return cls(crawler)

    def spider_closed(self) -> None:
        self.stats.set_value("memusage/peak_rss", peak_rss_bytes())


class StopWithScheduler:
    """A crawl the scheduler started stops when the scheduler is gone (ARCHIVE_SCHEDULER_PID).

    Each run has a process group of its own, so a scheduler killed with SIGKILL takes no run with it, and
    nothing would stop a run past its time budget: instead the run notices within WATCH_SECONDS, writes what it
    fetched and records itself interrupted, so the next scheduler finds no live run of its predecessor.
    """

    WATCH_SECONDS = 1.0

    def __init__(self, crawler: Crawler):
        self.pid = crawler.settings.getint("ARCHIVE_SCHEDULER_PID")
        if not self.pid:
            raise NotConfigured  # not started by a scheduler: nothing to watch (no message: Scrapy would warn)
        self.crawler = crawler
        self.watch = task.LoopingCall(self.check)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopWithScheduler:
        return cls(crawler)

    def spider_opened(self) -> None:
        self.watch.start(self.WATCH_SECONDS, now=True)

    def check(self) -> None:
        if process_alive(self.pid):
            return
        self.watch.stop()
        logging.getLogger(__name__).error("the scheduler (pid %d) is gone: stopping this run", self.pid)
        self.crawler.stats.set_value("archive/scheduler_gone", self.pid)
        if self.crawler.engine is not None and self.crawler.engine.spider is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=INTERRUPTED))

    def spider_closed(self) -> None:
        if self.watch.running:
            self.watch.stop()
