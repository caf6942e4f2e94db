"""Middlewares: who we say we are, and which requests are not worth sending at all."""

from __future__ import annotations

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from storage import Archive


class ContactUserAgentMiddleware(UserAgentMiddleware):
    """Sends USER_AGENT with {contact} replaced by CONTACT_URL, so a webmaster knows whom to ask."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        settings = crawler.settings
        return cls(settings.get("USER_AGENT", "").replace("{contact}", settings.get("CONTACT_URL", "")))


class ArchivedUrlFilter(BaseSpiderMiddleware):
    """Drops requests for article URLs the archive already settled, before they are scheduled.

    List pages are always fetched (they are how new articles are found). A request opts out with
    meta {"archive_refetch": True}. Skips are counted in the stat `archive/skipped_known`.
    """

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        if not crawler.settings.getbool("ARCHIVE_SKIP_KNOWN"):
            raise NotConfigured("ARCHIVE_SKIP_KNOWN is off")
        self.db_path = crawler.settings.get("ARCHIVE_DB")
        self.archive: Archive | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_opened(self) -> None:
        self.archive = Archive.open(self.db_path)

    def spider_closed(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if (
            request.meta.get("archive_kind") == "article"
            and not request.meta.get("archive_refetch")
            and self.archive is not None
            and self.archive.is_known(request.url)
        ):
            self.crawler.stats.inc_value("archive/skipped_known")
            return None
        if request.meta.get("archive_kind") == "article":
            self.crawler.stats.inc_value("archive/new_links")
        return request
