"""Middlewares: who we say we are, which requests are not worth sending at all (off the portal, forbidden or
left undefined by robots.txt), conditional requests (lists, re-visited articles), and how long a server asks us
to wait. Articles already archived are not scheduled at all (crawler.requests_seen)."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.python.failure import Failure

from crawler.fetch_errors import OFF_PORTAL, describe, host_unreached
from crawler.portal_run import crawl_archive
from storage import Archive

logger = logging.getLogger(__name__)
# Request meta key: why a response that goes on to the spider is an error, said by the middleware that let it go.
ARCHIVE_ERROR = "archive_error"


class ContactUserAgentMiddleware(UserAgentMiddleware):
    """Sends USER_AGENT with {contact} replaced by CONTACT_URL, so a webmaster knows whom to ask; a run warns
    once when CONTACT_URL is still a placeholder (on a domain reserved for examples) and goes to real sites."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        settings = crawler.settings
        contact = settings.get("CONTACT_URL", "")
        middleware = cls(settings.get("USER_AGENT", "").replace("{contact}", contact))
        if is_placeholder(contact) and not settings.get("REPLICA_URL"):
            def warn(spider: Spider) -> None:
                logger.warning("CONTACT_URL is the placeholder %r: webmasters cannot reach you; set "
                               "POLICE_NEWS_CONTACT_URL in the environment or --set CONTACT_URL=URL", contact,
                               extra={"spider": spider})

            crawler.signals.connect(warn, signal=signals.spider_opened, weak=False)
        return middleware


def is_placeholder(contact: str) -> bool:
    """No contact, or one on a domain RFC 2606 reserves for examples."""
    parts = urlsplit(contact)
    host = (parts.path.rpartition("@")[2] if parts.scheme == "mailto" else parts.hostname or "").rstrip(".").lower()
    return not host or any(host == d or host.endswith("." + d) for d in ("example.org", "example.com",
                                                                          "example.net", "example"))




class AllowedDomainsGuard:
    """No request leaves the portal's allowed domains, however it was made: a redirect, a meta refresh or a retry
    (which carries dont_filter) is dropped before anything is sent, robots.txt included, and the page is recorded
    with the reason (Scrapy's offsite filter, which it replaces, drops a redirect hop silently when it is
    scheduled). Counted as `archive/offsite_blocked`."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AllowedDomainsGuard:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        domains = getattr(self.crawler.spider, "allowed_domains", None)
        host = (urlparse_cached(request).hostname or "").lower()  # a port is no other site
        if not domains or any(host == d.lower() or host.endswith("." + d.lower()) for d in domains):
            return None
        self.crawler.stats.inc_value("archive/offsite_blocked")
        if request.meta.get("redirect_urls"):
            raise IgnoreRequest(f"{OFF_PORTAL} (to {request.url})")
        raise IgnoreRequest(f"off the portal's domains ({request.url})")


ROBOTS_UNREACHABLE = "robots.txt unreachable"  # the start of the reason requests to such a host are dropped with


class RobotsTxtUnreachable:
    """A robots.txt that answers with a server error, or gives no usable answer at all (a timeout, an answer cut
    short or closed), means complete disallow (RFC 9309, section 2.3.1.4: unreachable through server or network
    errors; 429 too, as Google reads it), where Scrapy's RobotsTxtMiddleware reads the error page, or the failed
    download, as allow-all. A 4xx robots.txt still means allow-all (2.3.1.3), and a host whose connection is refused
    or whose name does not resolve is left to fail page by page, with that reason.

    Placed after that middleware, this one sees the robots.txt answers it asks for and then drops every request to a
    host whose robots.txt failed so: nothing is fetched from that host this run. A dropped request is recorded as an
    error with the reason, so the next run tries again. Counted as `archive/robots_unreachable`.
    """

    def __init__(self, crawler: Crawler):
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("ROBOTSTXT_OBEY is off")
        self.crawler = crawler
        self.unreachable: dict[str, str] = {}  # host (netloc, as RobotsTxtMiddleware keys it) → why

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsTxtUnreachable:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        why = self.unreachable.get(urlparse_cached(request).netloc)
        if why and not request.meta.get("dont_obey_robotstxt"):
            self.crawler.stats.inc_value("archive/robots_unreachable")
            raise IgnoreRequest(why)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status >= 500 or response.status == 429:
            self._disallow(request, f"http {response.status}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """Called once the retries are spent (RetryMiddleware sits nearer the downloader)."""
        _, reason = describe(Failure(exception), request.url)
        if not host_unreached(reason):
            self._disallow(request, reason)

    def _disallow(self, request: Request, cause: str) -> None:
        asked = urlsplit(request.meta.get("redirect_urls", [request.url])[0])  # robots.txt may redirect
        if not (request.meta.get("dont_obey_robotstxt") and asked.path == "/robots.txt"):
            return
        cause = cause.replace(" (", ": ", 1).removesuffix(")") if " (" in cause else cause  # one level of brackets
        why = f"{ROBOTS_UNREACHABLE} ({cause}): nothing is fetched from {asked.netloc} this run"
        if asked.netloc not in self.unreachable:
            logger.warning("%s (RFC 9309: a robots.txt that cannot be read means complete disallow)", why,
                           extra={"spider": self.crawler.spider})
        self.unreachable[asked.netloc] = why


class ConditionalRequests:
    """Re-fetches list pages, and re-visits archived articles (revisit_days), with If-None-Match /
    If-Modified-Since from the archived validators.

    An unchanged list costs a 304; its archived body is handed to the spider so pagination still works (the
    articles it links are already archived, so nothing else is requested). An unchanged article costs a 304 that
    the archive counts on the article's page (storage.Archive.write_batch), storing nothing new. Counted as
    `archive/list_not_modified` and `archive/article_not_modified`. Off with ARCHIVE_CONDITIONAL_GET = False.
    """

    def __init__(self, crawler: Crawler):
        if not crawler.settings.getbool("ARCHIVE_CONDITIONAL_GET"):
            raise NotConfigured("ARCHIVE_CONDITIONAL_GET is off")
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequests:
        return cls(crawler)

    @property
    def archive(self) -> Archive | None:
        return crawl_archive(self.crawler)  # the crawl's one handle (crawler.portal_run)

    def process_request(self, request: Request) -> None:
        archive = self.archive
        if archive is None or "archive_cached" in request.meta:
            return None
        if request.meta.get("archive_kind") == "list":
            cached = archive.list_validators(request.url)
        elif request.meta.get("archive_refetch"):
            cached = archive.article_validators(request.url)
        else:
            return None
        if cached:
            request.meta["archive_cached"] = cached
            if cached["etag"]:
                request.headers["If-None-Match"] = cached["etag"]
            if cached["last_modified"]:
                request.headers["If-Modified-Since"] = cached["last_modified"]
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        cached = request.meta.get("archive_cached")
        archive = self.archive
        if response.status != 304 or not cached or archive is None:
            return response
        if request.meta.get("archive_kind") != "list":
            self.crawler.stats.inc_value("archive/article_not_modified")
            return response  # the spider records it; the archive counts it on the article's page
        self.crawler.stats.inc_value("archive/list_not_modified")
        headers = {"Content-Type": cached["content_type"] or "text/html"}
        return HtmlResponse(url=response.url, status=304, headers=headers, request=request,
                            body=archive.raw_body(cached["body_sha1"]))


# The answers that may carry a Retry-After worth waiting for: 503 (RFC 9110, section 10.2.3) and 429 (RFC 6585).
RETRY_AFTER_STATUSES = (429, 503)


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """The wait a Retry-After header asks for (delay-seconds or an HTTP-date); None when absent or unreadable."""
    text = (value or b"").decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429 or 503 answer's Retry-After is honoured, up to RETRY_AFTER_MAX seconds.

    The retry is sent once the wait is over (Scrapy's own retry is immediate: scrapy/scrapy#3849). The wait holds
    this request only, not the site's download slot, and ends early when the crawl is stopped. A longer wait is
    not spent in this run: the answer goes on to the spider, which records it as an error with the reason, and
    the next run fetches the page again. Counted as `retry/retry_after_waited` and `retry/retry_after_too_long`.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX")

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        wait = None
        if response.status in RETRY_AFTER_STATUSES and response.status in self.retry_http_codes:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None or request.meta.get("dont_retry"):
            return super().process_response(request, response)
        stats = self.crawler.stats
        if wait > self.max_wait:
            stats.inc_value("retry/retry_after_too_long")
            request.meta[ARCHIVE_ERROR] = (f"server asked to retry after {wait:.0f} s, "
                                           f"more than RETRY_AFTER_MAX ({self.max_wait:g} s)")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        logger.info("waiting %.0f s before retrying %s, as its Retry-After asks", wait, request.url,
                    extra={"spider": self.crawler.spider})
        stats.inc_value("retry/retry_after_waited")
        if not await self._wait(wait):
            request.meta[ARCHIVE_ERROR] = f"server asked to retry after {wait:.0f} s; the crawl stopped before then"
            return response
        return retry

    async def _wait(self, seconds: float) -> bool:
        """Wait, a second at a time; False when the crawl is stopped (Ctrl-C, SIGTERM) in the meantime."""
        deadline = time.monotonic() + seconds
        while self.crawler.crawling and (left := deadline - time.monotonic()) > 0:
            await sleep(min(left, 1.0))
        return self.crawler.crawling
