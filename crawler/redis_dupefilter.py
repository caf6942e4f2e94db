"""The duplicate filter of a frontier shared through Redis (FRONTIER=redis, see crawler.frontier), in a module of its
own: scrapy-redis and redis are imported only by the crawls that use them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter as RedisDupeFilter

from crawler.frontier import settled_key
from crawler.requests_seen import SettledInArchive
from storage.dedup import url_hash

if TYPE_CHECKING:
    from scrapy import Spider


class RedisArchiveDupeFilter(RedisDupeFilter):
    """scrapy-redis's duplicate filter, with our fingerprints (REQUEST_FINGERPRINTER_CLASS) and the settled test
    of crawler.requests_seen: an article is skipped when this worker's archive shard, or any worker's (the set in
    Redis that SharedFrontier fills), has settled it."""

    def __init__(self, server, key: str, crawler: Crawler):
        super().__init__(server, key, debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))
        self.crawler = crawler
        self.archive_rule = SettledInArchive(crawler)

    @classmethod
    def from_spider(cls, spider: Spider) -> RedisArchiveDupeFilter:
        settings = spider.settings
        key = settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider.name}
        return cls(get_redis_from_settings(settings), key, spider.crawler)

    def request_fingerprint(self, request: Request) -> str:
        return self.crawler.request_fingerprinter.fingerprint(request).hex()

    def request_seen(self, request: Request) -> bool:
        rule = self.archive_rule
        if rule.settled(request):
            return True
        if (rule.enabled and rule.checks(request)
                and self.server.sismember(settled_key(self.crawler.spider.name), url_hash(request.url))):
            self.crawler.stats.inc_value("archive/skipped_known")
            rule.last_settled = request
            return True
        if super().request_seen(request):
            return True
        rule.counted_new(request)
        return False

    def log(self, request: Request, spider: Spider) -> None:
        if request is not self.archive_rule.last_settled:
            super().log(request, spider)
