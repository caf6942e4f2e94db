"""Every setting of the archiver, declared once with its default and what it is for.

Override any of them with `-s NAME=VALUE` (scrapy) or `--set NAME=VALUE` (python -m crawler crawl).
"""

import os

from scrapy.settings import default_settings as _scrapy_defaults

from storage import transactions as _transactions

BOT_NAME = "police_news_archiver"

# Spiders: one per portal of PORTALS_FILE, built by the loader; hand-written ones live in spiders/.
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
SPIDER_LOADER_CLASS = "crawler.spiderloader.PortalSpiderLoader"
# The portal registry (TOML). Empty means the one shipped in crawler/portals.toml.
PORTALS_FILE = ""

# The archive. Change ARCHIVE_DB to keep several archives; the folder must exist.
ARCHIVE_DB = "data/archive.db"
# Items written per transaction: a kill -9 loses at most this many pages, and a re-run fetches them again.
ARCHIVE_BATCH_SIZE = 50
# A batch is also written when its oldest item is this old, so a slow crawl still commits often.
ARCHIVE_BATCH_SECONDS = 5.0
# Skip article URLs that already have a final outcome in the archive (before requesting them).
# Turn off to re-fetch everything; one request can opt out with meta {"archive_refetch": True}.
ARCHIVE_SKIP_KNOWN = True
# A request is the same as another when its canonical URL (the archive's url_hash) is: `?from=` variants and
# argument order do not matter. Redirect hops count their place in the chain, so a redirect loop is recorded.
REQUEST_FINGERPRINTER_CLASS = "crawler.requests_seen.ArchiveFingerprinter"
# Drops requests seen before in this crawl and articles the archive has settled (ARCHIVE_SKIP_KNOWN); FRONTIER=redis
# puts its redis counterpart here.
DUPEFILTER_CLASS = "crawler.requests_seen.ArchiveDupeFilter"
# Re-fetch list pages and re-visit articles with If-None-Match / If-Modified-Since (an unchanged page costs a 304),
# and count a re-visit whose text did not change on the archived page instead of storing it again. Off: every
# request is plain and every re-visit stores a new page row (as before; `bench growth` compares the two).
ARCHIVE_CONDITIONAL_GET = True
# What started this crawl, stored in runs.trigger: manual, schedule, catch-up (a scrapyd job that does not set it:
# scrapyd).
ARCHIVE_RUN_TRIGGER = "manual"
# A write waits this many seconds for another process's write lock (several crawls share one archive), and a
# write that still fails is tried ARCHIVE_WRITE_ATTEMPTS times in all; then the run stops as failed, non-zero exit.
ARCHIVE_LOCK_TIMEOUT = _transactions.LOCK_TIMEOUT
ARCHIVE_WRITE_ATTEMPTS = 3
# The runs row to report into, when the scheduler created it before starting this process (0: make one).
ARCHIVE_RUN_ID = 0
# The scheduler that started this crawl (set by it; 0: none): when that process is gone (killed with SIGKILL,
# say), the crawl stops and records itself interrupted, rather than run on with nobody enforcing its time budget.
ARCHIVE_SCHEDULER_PID = 0

# Point every request at the local replica (e.g. "http://127.0.0.1:8765") instead of the internet.
# URLs keep the portals' real hosts; only the connection goes to the replica.
REPLICA_URL = ""
DOWNLOAD_HANDLERS = {
    "http": "crawler.replica_handler.ReplicaAwareDownloadHandler",
    "https": "crawler.replica_handler.ReplicaAwareDownloadHandler",
}

# Who we are: portals' webmasters see this. Set CONTACT_URL to a page that says how to reach you, in the
# environment as POLICE_NEWS_CONTACT_URL or with --set; while it is on an example domain, every run warns.
CONTACT_URL = os.environ.get("POLICE_NEWS_CONTACT_URL") or "https://example.org/police-news-archiver"
USER_AGENT = "PoliceNewsArchiver/0.1 (+{contact})"  # {contact} is replaced by CONTACT_URL

# Politeness: obey robots.txt, one or two requests at a time per site, adapt to the site's speed.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
# A response yields one page item (or a list page's requests): Scrapy's default of 100 starts 100 asyncio tasks
# per response to process them, about 6 % of the crawl's own CPU for nothing.
CONCURRENT_ITEMS = 1
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Failures: give up on a page after this long, retry transient errors twice, stop redirect loops.
DOWNLOAD_TIMEOUT = 30.0  # seconds (a float: 2.5 is a valid --set)
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
# A 429 or 503 answer's Retry-After is waited out before the retry, up to this many seconds; a server that asks
# for longer gets no retry this run (the page is recorded as an error saying so, and the next run fetches it).
RETRY_AFTER_MAX = 120
# Larger responses are abandoned and recorded as errors (a news page is far smaller); a gzipped sitemap is
# decompressed no further than DOWNLOAD_MAXSIZE either (a gzip bomb becomes a recorded error).
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024

# Our components, in data-flow order: no request off the portal's domains, none to a host whose robots.txt
# answered a server error, who we say we are, retries that honour Retry-After and conditional list requests
# (downloader), then extraction and the archive (pipelines). Duplicates and settled articles are never scheduled.
DOWNLOADER_MIDDLEWARES = {
    # Ours instead of Scrapy's offsite filter, which drops an off-portal redirect hop when it is scheduled, with no
    # record of why; ours records it (before robots.txt (100): not even that is asked off-domain).
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.AllowedDomainsGuard": 50,
    "crawler.middlewares.RobotsTxtUnreachable": 110,  # after robots.txt (100): a 5xx robots.txt disallows all
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "crawler.middlewares.ContactUserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,  # Scrapy's retries, honouring Retry-After
    "crawler.middlewares.ConditionalRequests": 580,  # after retries (550), before redirects (600)
}
ITEM_PIPELINES = {
    "crawler.pipelines.ExtractionPipeline": 300,
    "crawler.pipelines.ArchivePipeline": 800,
}

# The portal's lock and its runs row, taken when the spider opens, so `scrapy crawl` and scrapyd jobs keep the
# archive's rules as `python -m crawler crawl` does (the archive pipeline needs it); a robots.txt that cannot be
# downloaded is one log line (the retry middleware's), not a traceback; each run logs to logs/PORTAL/run-N.log
# beside the archive (the scheduler's runs too).
EXTENSIONS = {
    "crawler.portal_run.PortalRun": 0,
    "crawler.extensions.DownloadErrorsInOneLine": 0,
    "crawler.extensions.PeakMemory": 0,
    "crawler.run_logs.RunLogFile": 0,
    "crawler.extensions.StopWithScheduler": 0,
    "crawler.frontier.SharedFrontier": 0,  # FRONTIER=redis only
}
# Scrapy's remote control (a web server that runs code in the crawl) has no place on an unattended machine, like the
# telnet console: off, and taken out of Scrapy's base list, since Scrapy imports every extension it lists (and one
# switched off with None in EXTENSIONS), and that module imports aiohttp, a third of a second of every crawl's start.
REMOTE_CONTROL_ENABLED = False
EXTENSIONS_BASE = {path: order for path, order in _scrapy_defaults.EXTENSIONS_BASE.items()
                   if path != "scrapy.extensions.remote_control.RemoteControl"}

# Several crawl processes share one frontier: "redis" switches SCHEDULER and DUPEFILTER_CLASS to scrapy-redis's
# (through the add-on below), on the Redis at REDIS_URL; each worker then writes its own ARCHIVE_DB shard, folded
# into the main archive by `python -m crawler merge`. Empty: this process's own frontier.
FRONTIER = ""
ADDONS = {"crawler.frontier.Frontier": 0}
REDIS_URL = "redis://127.0.0.1:6379/0"
# The name of one shared crawl: its workers share the queue and fingerprints kept under it. Empty: today's UTC date.
FRONTIER_RUN = ""
# A worker that finds the shared queue empty waits this many seconds for another worker to add to it before closing
# (more than 5: Scrapy's engine looks at an idle worker's queue every 5 s).
FRONTIER_IDLE_CLOSE = 10.0

# Pages smaller than this many characters of body text are recorded as not_article.
EXTRACT_MIN_CHARS = 60
# Measure the crawl's CPU by stage (decode, parse, extraction, trafilatura, archive write, indexes): each process
# writes its totals to CPU_STAGES_FILE.<pid>.json (bench crawl sets it). Empty: not measured, at no cost.
CPU_STAGES_FILE = ""

# Worker processes that extract pages beside the crawl, so the reactor keeps downloading while pages are parsed:
# -1 is one per CPU core this process may use, 0 extracts inside the crawl's own process.
EXTRACT_PROCESSES = -1

# No telnet console on a machine that runs unattended; INFO logs show progress every minute.
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
# Log lines carry this machine's time with its UTC offset (+0800 in China, +0000 on a UTC server), so a run's log,
# the scheduler's and the archive's UTC times can be read side by side.
LOG_DATEFORMAT = "%Y-%m-%d %H:%M:%S%z"
FEED_EXPORT_ENCODING = "utf-8"
