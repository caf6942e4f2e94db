"""Item pipelines, in data-flow order: extraction (page → verdict + article), then the archive."""

from __future__ import annotations

import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from twisted.internet import task

from crawler.extraction import ExtractOptions, extract_page
from storage import Archive, ArchiveError, Article, BatchResult, Page


class ExtractionPipeline:
    """Decides each article page's outcome and fills its article fields; list and error pages pass."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        return cls(crawler)

    def process_item(self, item: Page) -> Page:
        if item.outcome in ("list", "error") or item.reason:  # decided by the spider (an off-portal redirect)
            return item
        spider = self.crawler.spider
        options: ExtractOptions = getattr(spider, "extract_options", ExtractOptions())
        result = extract_page(item.body, item.url, item.http_status or 200, item.content_type,
                              item.final_url, options)
        item.outcome, item.reason, item.charset = result.status, result.reason, result.charset
        if result.status == "article":
            item.article = Article(result.title, result.published, result.source, result.author, result.text)
        self.crawler.stats.inc_value(f"extract/{result.status}")
        return item


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
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.buffer: list[Page] = []
        self.totals = BatchResult()
        self.pages = 0
        self._timer: task.LoopingCall | None = None
        self._oldest = 0.0
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        try:
            self.archive = Archive.open(self.db_path)
        except ArchiveError as exc:
            raise CloseSpider(f"archive_db_unavailable: {exc}") from None
        self.run_id = self.given_run_id or self.archive.start_run(self.crawler.spider.name, self.trigger)
        self.crawler.stats.set_value("archive/run_id", self.run_id)
        self._timer = task.LoopingCall(self._flush_if_old)
        self._timer.start(max(0.5, self.batch_seconds / 2), now=False)

    def process_item(self, item: Page) -> Page:
        if item.outcome == "list":
            self.crawler.stats.inc_value("archive/list_pages")
        if not self.buffer:
            self._oldest = time.monotonic()
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def _flush_if_old(self) -> None:
        if self.buffer and time.monotonic() - self._oldest >= self.batch_seconds:
            self.flush()

    def flush(self) -> None:
        if not self.buffer or self.archive is None:
            return
        batch, self.buffer = self.buffer, []
        result = self.archive.write_batch(batch, self.run_id)
        self.pages += len(batch)
        self.totals.new += result.new
        self.totals.alias += result.alias
        self.totals.refetch += result.refetch
        self.totals.revised += result.revised
        self.totals.errors += result.errors
        self.totals.rejections.update(result.rejections)
        self._update_run()
        stats = self.crawler.stats
        for key in ("new", "alias", "refetch", "revised", "errors"):
            stats.inc_value(f"archive/{key}", getattr(result, key))
        for reason, count in result.rejections.items():
            stats.inc_value(f"archive/rejected/{reason}", count)
        for page in batch:
            page.body = b""  # the raw page is stored; do not keep it in memory for signals or exporters

    def _update_run(self, outcome: str | None = None) -> None:
        stats = self.crawler.stats
        self.archive.update_run(self.run_id, self.totals, self.pages, outcome,
                                list_pages=stats.get_value("archive/list_pages", 0),
                                new_links=stats.get_value("archive/new_links", 0))

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.archive is None:
            return
        self._update_run(outcome=reason)
        self.archive.close()
        self.archive = None
