"""A frontier shared by several crawl processes (on one machine or several) through Redis, with scrapy-redis.

FRONTIER=redis switches Scrapy's scheduler and duplicate filter to scrapy-redis's, keyed by the spider and the crawl's
name (FRONTIER_RUN), so every worker of one crawl pops from one queue and adds to one set of fingerprints: a URL is
requested once across them. Each worker writes its own archive shard (ARCHIVE_DB); `python -m crawler merge` folds
the shards into the main archive. Which URLs an archive has settled is shared too: each worker adds the URLs it
settled to a set in Redis that outlives the crawl, so no worker asks again for what another one archived.
"""

from __future__ import annotations

import logging
import time
import warnings
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured, ScrapyDeprecationWarning
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.misc import load_object

from crawler.pipelines import batch_written
from storage.dedup import url_hash
from storage.records import FINAL_OUTCOMES

if TYPE_CHECKING:  # scrapy-redis (and redis) are imported only when FRONTIER=redis: half a second of every crawl's start
    from scrapy import Spider

    from storage import Page

logger = logging.getLogger(__name__)
REDIS = "redis"  # the FRONTIER value that shares the crawl through Redis


class FrontierUnavailable(Exception):
    """FRONTIER=redis, and the Redis at REDIS_URL does not answer."""


def check_reachable(settings: BaseSettings) -> None:
    """With FRONTIER=redis, that its Redis answers (a wrong REDIS_URL is one line, not a crawl's traceback)."""
    if settings.get("FRONTIER") != REDIS:
        return
    from redis import RedisError
    from scrapy_redis.connection import get_redis_from_settings

    try:
        get_redis_from_settings(settings).ping()
    except RedisError as exc:
        raise FrontierUnavailable(f"the shared frontier's Redis at {settings.get('REDIS_URL')} does not answer "
                                  f"({exc}); start it, or correct REDIS_URL") from None


def run_name(settings: BaseSettings) -> str:
    """The name every worker of one crawl shares: FRONTIER_RUN, or today's UTC date."""
    return settings.get("FRONTIER_RUN") or datetime.now(timezone.utc).date().isoformat()


def settled_key(spider_name: str) -> str:
    """The Redis set of url_hashes that some worker's archive settled (kept across crawls)."""
    return f"{spider_name}:settled"


class Frontier:
    """Scrapy add-on (ADDONS): with FRONTIER=redis, the scheduler and duplicate filter become scrapy-redis's.

    Each worker takes no more requests than it can send at once (CONCURRENT_REQUESTS becomes
    CONCURRENT_REQUESTS_PER_DOMAIN), so the others get their share. The queue and fingerprints persist when a
    worker closes (SCHEDULER_PERSIST): a worker that ends first must not
    empty the frontier under the others. A new FRONTIER_RUN starts from an empty frontier; the old keys stay until
    removed (`redis-cli del SPIDER:RUN:requests SPIDER:RUN:dupefilter`)."""

    def update_settings(self, settings: BaseSettings) -> None:
        if settings.get("FRONTIER") != REDIS:
            return
        # scrapy-redis 0.9.1 still calls APIs Scrapy deprecated (Spider.log, stats with spider=): a warning line per
        # worker says nothing the user can act on.
        warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")
        run = run_name(settings)
        for name, value in {
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            "DUPEFILTER_CLASS": "crawler.redis_dupefilter.RedisArchiveDupeFilter",
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": f"%(spider)s:{run}:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"%(spider)s:{run}:dupefilter",
            # A worker takes from the shared queue only what it can send at once, and stops taking while it has
            # 1 MB of pages to process: a worker that took all it may hold would leave the others nothing.
            "CONCURRENT_REQUESTS": settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            "SCRAPER_SLOT_MAX_ACTIVE_SIZE": 1_000_000,
        }.items():
            if (settings.getpriority(name) or 0) <= SETTINGS_PRIORITIES["project"]:  # not given on the command line
                settings.set(name, value, priority="project")


class SharedFrontier:
    """The workers' side of a shared crawl (FRONTIER=redis), an extension:

    - a worker with nothing to do stays while the shared queue holds requests, and FRONTIER_IDLE_CLOSE seconds
      after it ran dry, since another worker may still be reading a list page that adds more (a new worker also
      finds its start pages already taken, and waits for the articles they lead to);
    - the URLs each archive batch settled go to the Redis set of settled URLs, for every worker of this and later
      crawls.
    """

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if settings.get("FRONTIER") != REDIS:
            raise NotConfigured  # the default: no line in every crawl's log
        from scrapy_redis.connection import get_redis_from_settings

        self.crawler = crawler
        self.idle_close = settings.getfloat("FRONTIER_IDLE_CLOSE")
        self.server = get_redis_from_settings(settings)
        self.idle_since: float | None = None
        self.queue = None  # the shared queue (a scrapy-redis queue), to ask its length
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.busy, signal=signals.response_received)
        crawler.signals.connect(self.batch_written, signal=batch_written)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedFrontier:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        from scrapy_redis.defaults import SCHEDULER_QUEUE_CLASS

        settings = self.crawler.settings
        self.queue = load_object(settings.get("SCHEDULER_QUEUE_CLASS") or SCHEDULER_QUEUE_CLASS)(
            server=self.server, spider=spider, key=settings.get("SCHEDULER_QUEUE_KEY") % {"spider": spider.name})

    def busy(self) -> None:
        self.idle_since = None

    def spider_idle(self) -> None:
        """Stay while the shared queue holds requests (the engine takes them on its next heartbeat), and for
        FRONTIER_IDLE_CLOSE seconds after it ran dry."""
        now = time.monotonic()
        if self.queue is not None and len(self.queue):
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_close:
            raise DontCloseSpider

    def batch_written(self, pages: list[Page]) -> None:
        settled = {url_hash(url) for page in pages if page.outcome in FINAL_OUTCOMES
                   for url in (page.url, page.final_url) if url}
        if not settled:
            return
        from redis import RedisError

        try:
            self.server.sadd(settled_key(self.crawler.spider.name), *settled)
        except RedisError as exc:  # archived all the same: other workers may fetch these again, merge keeps one
            logger.warning("could not tell the shared frontier of %d settled URLs: %s", len(settled), exc,
                           extra={"spider": self.crawler.spider})

