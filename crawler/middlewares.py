"""Middlewares: who we say we are, and which requests are not worth sending at all."""

from __future__ import annotations

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.url import url_is_from_any_domain

from crawler.fetch_errors import OFF_PORTAL
from storage import Archive


class ContactUserAgentMiddleware(UserAgentMiddleware):
    """Sends USER_AGENT with {contact} replaced by CONTACT_URL, so a webmaster knows whom to ask."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        settings = crawler.settings
        return cls(settings.get("USER_AGENT", "").replace("{contact}", settings.get("CONTACT_URL", "")))




class AllowedDomainsGuard:
    """No request leaves the portal's allowed domains, however it was made: a redirect, a meta refresh or a retry
    of an article request (which carries dont_filter, so Scrapy's offsite filter lets it pass) is dropped before
    anything is sent, robots.txt included. Counted as `archive/offsite_blocked`."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AllowedDomainsGuard:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        domains = getattr(self.crawler.spider, "allowed_domains", None)
        if not domains or url_is_from_any_domain(request.url, domains):
            return None
        self.crawler.stats.inc_value("archive/offsite_blocked")
        if request.meta.get("redirect_urls"):
            raise IgnoreRequest(f"{OFF_PORTAL} (to {request.url})")
        raise IgnoreRequest(f"off the portal's domains ({request.url})")


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


class ConditionalListRequests:
    """Re-fetches list pages with If-None-Match / If-Modified-Since from the archived headers.

    An unchanged list costs a 304; its archived body is handed to the spider so pagination still works
    (the articles it links are already archived, so nothing else is requested). Counted as
    `archive/list_not_modified`. Off with ARCHIVE_CONDITIONAL_LISTS = False.
    """

    def __init__(self, crawler: Crawler):
        if not crawler.settings.getbool("ARCHIVE_CONDITIONAL_LISTS"):
            raise NotConfigured("ARCHIVE_CONDITIONAL_LISTS is off")
        self.crawler = crawler
        self.db_path = crawler.settings.get("ARCHIVE_DB")
        self.archive: Archive | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalListRequests:
        return cls(crawler)

    def spider_opened(self) -> None:
        self.archive = Archive.open(self.db_path)

    def spider_closed(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def process_request(self, request: Request) -> None:
        if request.meta.get("archive_kind") != "list" or self.archive is None or "archive_cached" in request.meta:
            return None
        cached = self.archive.list_validators(request.url)
        if cached:
            request.meta["archive_cached"] = cached
            if cached["etag"]:
                request.headers["If-None-Match"] = cached["etag"]
            if cached["last_modified"]:
                request.headers["If-Modified-Since"] = cached["last_modified"]
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        cached = request.meta.get("archive_cached")
        if response.status != 304 or not cached or self.archive is None:
            return response
        self.crawler.stats.inc_value("archive/list_not_modified")
        headers = {"Content-Type": cached["content_type"] or "text/html"}
        return HtmlResponse(url=response.url, status=304, headers=headers, request=request,
                            body=self.archive.raw_body(cached["body_sha1"]))
