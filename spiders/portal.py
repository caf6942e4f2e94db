"""The generic portal spider: list pages, sitemaps and feeds lead to article pages, all driven by config."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import fetch_errors
from crawler.extraction import ExtractOptions
from crawler.items import PageItem
from crawler.middlewares import ARCHIVE_ERROR, ROBOTS_UNREACHABLE
from crawler.portals import Portal
from crawler.sitemaps import SitemapError, read_sitemap
from crawler.portal_run import crawl_archive
from storage.dedup import without_tracking

# Let 4xx/5xx answers reach the callbacks so they are recorded (3xx stay with the redirect middleware).
HTTP_ERRORS = list(range(400, 600))
_HREF = re.compile(r"""href\s*=\s*["']([^"'<>\s]+)["']""", re.IGNORECASE)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class PortalSpider(Spider):
    """Crawls one portal. The spider loader makes a subclass per portals.toml entry with `portal` set."""

    name = "portal"
    portal: Portal

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.allowed_domains = list(spider.portal.allowed_domains)
        spider.extract_options = spider.portal.extract_options(crawler.settings.getint("EXTRACT_MIN_CHARS"))
        return spider

    extract_options: ExtractOptions = ExtractOptions()

    async def start(self) -> AsyncIterator[Request]:
        for url in self.portal.start_urls:
            yield self._list_request(url, self.parse_list, depth=1)
        for url in self.portal.sitemaps:
            yield self._list_request(url, self.parse_sitemap, depth=1)
        for url in self.portal.feeds:
            yield self._list_request(url, self.parse_feed, depth=1)
        for url in self._recent_articles():
            yield Request(url, callback=self.parse_article, errback=self.on_error,
                          meta={"archive_kind": "article", "archive_refetch": True,
                                "handle_httpstatus_list": [304, *HTTP_ERRORS]})  # 304: conditional GET

    def _recent_articles(self) -> list[str]:
        """Articles to re-visit for corrections (portal `revisit_days`); a changed text becomes a new version."""
        archive = crawl_archive(self.crawler)
        if not self.portal.revisit_days or archive is None:
            return []
        return archive.recent_article_urls(self.name, self.portal.revisit_days)

    # Discovery ---------------------------------------------------------------------------------------------

    def parse_list(self, response: Response) -> Iterator[Request | PageItem]:
        page = self._page(response, outcome="list")
        yield page
        if page.outcome != "list":
            return
        yield from self._article_requests(self._article_links(response))
        if response.meta["list_depth"] < self.portal.max_list_pages:
            for url in self._next_list_links(response):
                yield self._list_request(url, self.parse_list, response.meta["list_depth"] + 1)

    def parse_sitemap(self, response: Response) -> Iterator[Request | PageItem]:
        page = self._page(response, outcome="list")
        sitemap = None
        if page.outcome == "list":
            settings = self.crawler.settings
            try:
                sitemap = read_sitemap(response,
                                       response.meta.get("download_maxsize", settings.getint("DOWNLOAD_MAXSIZE")),
                                       response.meta.get("download_warnsize", settings.getint("DOWNLOAD_WARNSIZE")))
            except SitemapError as exc:
                page.outcome, page.reason = "error", f"sitemap: {exc}"
        yield page
        if sitemap is None:
            return
        if sitemap.kind == "sitemapindex":
            for url in sitemap.locations:
                if self.portal.owns(url):
                    yield self._list_request(url, self.parse_sitemap, response.meta["list_depth"] + 1)
        else:
            yield from self._article_requests(sitemap.locations)

    def parse_feed(self, response: Response) -> Iterator[Request | PageItem]:
        page = self._page(response, outcome="list")
        yield page
        if page.outcome != "list":
            return
        try:
            root = etree.fromstring(response.body, parser=etree.XMLParser(recover=True, resolve_entities=False))
        except etree.XMLSyntaxError as exc:
            self.logger.warning("feed %s is not valid XML: %s", response.url, exc)
            return
        if root is None:
            return
        links = root.xpath("//*[local-name()='item']/*[local-name()='link']/text()")
        links += root.xpath("//*[local-name()='entry']/*[local-name()='link']/@href")
        yield from self._article_requests(link.strip() for link in links)

    def _article_links(self, response: Response) -> list[str]:
        selector = self.portal.link_selector  # a selector ending in ::attr(NAME) reads that attribute, not href
        hrefs = response.css(selector if "::attr(" in selector else f"{selector}::attr(href)").getall()
        if self.portal.links_in_scripts:
            hrefs += _HREF.findall(response.text)
        return [response.urljoin(h.strip()) for h in hrefs]

    def _next_list_links(self, response: Response) -> list[str]:
        urls = []
        for link in response.css("a"):
            href = link.attrib.get("href")
            if not href:
                continue
            url = response.urljoin(href.strip())
            text = "".join(link.css("::text").getall()).strip()
            if (text in self.portal.next_page_texts or self.portal.is_list_url(url)) and self.portal.owns(url):
                urls.append(url)
        if self.portal.links_in_scripts:  # a JCMS list names its next group inside its XML datastore
            urls += [url for href in _HREF.findall(response.text)
                     if self.portal.is_list_url(url := response.urljoin(html.unescape(href.strip())))
                     and self.portal.owns(url) and url not in urls]
        return urls

    def _article_requests(self, urls) -> Iterator[Request]:
        stats = self.crawler.stats
        for url in urls:
            if not self.portal.owns(url):
                continue
            stats.inc_value("archive/list_links")  # the share of these that match tells a changed URL pattern
            if not self.portal.is_article_url(url):
                continue
            stats.inc_value("archive/article_links")
            # Requested once per crawl, and not at all once archived: DUPEFILTER_CLASS (crawler.requests_seen).
            yield Request(
                without_tracking(url),
                callback=self.parse_article,
                errback=self.on_error,
                meta={"archive_kind": "article", "handle_httpstatus_list": HTTP_ERRORS},
            )

    def _list_request(self, url: str, callback, depth: int) -> Request:
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={"archive_kind": "list", "list_depth": depth, "handle_httpstatus_list": [304, *HTTP_ERRORS]},
        )

    # Fetch outcomes ----------------------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[PageItem]:
        yield self._page(response)  # extraction decides what it is

    def on_error(self, failure: Failure) -> Iterator[PageItem]:
        request: Request = failure.request
        if failure.check(IgnoreRequest) and failure.getErrorMessage() == "Forbidden by robots.txt":
            self.crawler.stats.inc_value("archive/robots_forbidden")
            return
        outcome, message = "error", failure.getErrorMessage()  # robots.txt unreachable: the next run asks again
        replica = self.crawler.settings.get("REPLICA_URL", "").rstrip("/")
        if not failure.check(IgnoreRequest) or not failure.getErrorMessage().startswith(ROBOTS_UNREACHABLE):
            outcome, message = fetch_errors.describe(failure, request.url, connected_to=replica or None)
        if replica:  # say which portal URL failed, not the loopback address it was sent to
            parts = urlsplit(request.url)
            message = message.replace(replica, f"{parts.scheme}://{parts.netloc}")
        yield PageItem(
            url=request.meta.get("redirect_urls", [request.url])[0],
            portal=self.name,
            fetched_at=utc_now(),
            final_url=request.url,
            outcome=outcome,
            reason=message[:500],
            revisit=bool(request.meta.get("archive_refetch")),
        )

    def _page(self, response: Response, outcome: str | None = None) -> PageItem:
        status = response.status
        error = response.meta.get(ARCHIVE_ERROR)  # a middleware's word on why this answer is an error
        if status >= 400 and outcome == "list":
            outcome, reason = "error", f"list page: {error or f'http {status}'}"
        elif status == 304 and outcome == "list":
            reason = "not modified (links read from the archived copy)"
        elif status == 304 and "archive_cached" not in response.meta:  # no validators were sent (ConditionalRequests)
            outcome, reason = "error", "http 304 (not modified) to a request that was not conditional"
        elif status == 304:  # a re-visited article: the archive counts it on its page (Archive.write_batch)
            reason = "not modified"
        elif error or status >= 500:
            outcome, reason = "error", error or f"http {status}"
        else:
            reason = None
        content_type = response.headers.get("Content-Type")
        return PageItem(
            url=response.meta.get("redirect_urls", [response.url])[0],
            portal=self.name,
            fetched_at=utc_now(),
            final_url=response.url,
            http_status=status,
            content_type=content_type.decode("latin-1") if content_type else None,
            headers={k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()},
            body=response.body,
            outcome=outcome,
            reason=reason,
            revisit=bool(response.meta.get("archive_refetch")),
        )
