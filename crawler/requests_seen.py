"""Which requests are not worth scheduling: the same canonical URL twice in one crawl, or an article the archive has
already settled. Scrapy's own hooks (REQUEST_FINGERPRINTER_CLASS, DUPEFILTER_CLASS), so the shared frontier of
scrapy-redis (crawler.frontier) applies the same rules across workers."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.job import job_dir

from crawler.portal_run import crawl_archive
from storage.dedup import url_hash

if TYPE_CHECKING:
    from scrapy import Spider


class ArchiveFingerprinter:
    """A request's fingerprint is its canonical URL hash (storage.dedup.url_hash: tracking parameters, order and
    fragments do not matter), as the archive keys pages. A redirect hop also counts its place in its chain, so the
    second visit of a redirect loop is not swallowed as a duplicate: REDIRECT_MAX_TIMES ends the loop, and the page
    is recorded as an error with that reason."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveFingerprinter:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        parts = [request.method.encode(), url_hash(request.url).encode(), request.body or b""]
        if hops := request.meta.get("redirect_urls"):
            parts += [url_hash(hops[0]).encode(), str(len(hops)).encode()]
        return hashlib.sha1(b"\0".join(parts)).digest()


class SettledInArchive:
    """The "already settled" test: an article request (meta archive_kind "article") whose URL has a final outcome
    in the crawl's archive is not scheduled. List pages, re-visits (meta archive_refetch) and redirect hops are
    never skipped. Stats: `archive/skipped_known`, and `archive/new_links` for each new article link let through."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("ARCHIVE_SKIP_KNOWN")
        self.last_settled: Request | None = None  # the duplicate filter logs duplicates, not settled articles

    @staticmethod
    def checks(request: Request) -> bool:
        """Whether the test applies: to a newly found article link, not a list page, re-visit or redirect hop."""
        meta = request.meta
        return meta.get("archive_kind") == "article" and not meta.get("archive_refetch") and not meta.get(
            "redirect_urls")

    def settled(self, request: Request) -> bool:
        if not self.checks(request):
            return False
        archive = crawl_archive(self.crawler)
        if self.enabled and archive is not None and archive.is_known(request.url):
            self.crawler.stats.inc_value("archive/skipped_known")
            self.last_settled = request
            return True
        return False

    def counted_new(self, request: Request) -> None:
        if self.checks(request):
            self.crawler.stats.inc_value("archive/new_links")  # a re-visit is not a new link


class ArchiveDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter (fingerprints in memory, or in JOBDIR) that also drops settled articles.

    A settled article is not added to the fingerprints, so a re-visit of it in the same crawl still goes out."""

    def __init__(self, crawler: Crawler):
        super().__init__(job_dir(crawler.settings), crawler.settings.getbool("DUPEFILTER_DEBUG"),
                         fingerprinter=crawler.request_fingerprinter)
        self.archive_rule = SettledInArchive(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveDupeFilter:
        return cls(crawler)

    def request_seen(self, request: Request) -> bool:
        if self.archive_rule.settled(request):
            return True
        if super().request_seen(request):
            return True
        self.archive_rule.counted_new(request)
        return False

    def log(self, request: Request, spider: Spider) -> None:
        if request is not self.archive_rule.last_settled:  # a settled article is counted as skipped_known only
            super().log(request, spider)
