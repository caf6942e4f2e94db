"""Extensions: what the crawl log says about failures a person cannot act on mid-run."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object

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
