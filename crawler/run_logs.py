"""One log file per run, beside the archive: `logs/PORTAL/run-N.log`, the newest LOG_KEEP kept per portal.

The scheduler sends a whole crawl process's output to its run's file. A `crawl` of several portals runs them in
one process, so the RunLogFile extension gives each run its own file with the records of its spider (and any
warning that names no spider, which may concern them all), whatever the console shows.
"""

from __future__ import annotations

import logging
import logging.handlers
import sqlite3
from pathlib import Path

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.portal_run import crawl_archive

LOG_KEEP = 50  # log files kept per portal; older ones are deleted
SCHEDULER_LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"
SCHEDULER_LOG_BYTES = 5_000_000  # the scheduler's log rotates at this size ...
SCHEDULER_LOG_BACKUPS = 5  # ... keeping this many older files (scheduler.log.1 ... .5)


def log_dir(db: Path) -> Path:
    """Where the runs of the archive at `db` keep their logs."""
    return Path(db).parent / "logs"


def scheduler_log_handler(db: Path, max_bytes: int = SCHEDULER_LOG_BYTES,
                          backups: int = SCHEDULER_LOG_BACKUPS) -> logging.Handler:
    """The scheduler's own log, `logs/scheduler.log` beside the archive: it runs for months, so the file rotates
    (at `max_bytes`, `backups` older files kept) instead of growing without end."""
    folder = log_dir(db)
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(folder / "scheduler.log", maxBytes=max_bytes,
                                                   backupCount=backups, encoding="utf-8")
    handler.setFormatter(scheduler_log_formatter())
    return handler


def scheduler_log_formatter() -> logging.Formatter:
    """The scheduler's lines, stamped as the crawls' are (LOG_DATEFORMAT: this machine's time with its offset)."""
    from crawler.settings import LOG_DATEFORMAT

    return logging.Formatter(SCHEDULER_LOG_FORMAT, LOG_DATEFORMAT)


def run_log_path(logs: Path, portal: str, run_id: int) -> Path:
    """The log file of one run (its folder created), the older files of that portal beyond LOG_KEEP deleted."""
    folder = logs / portal
    folder.mkdir(parents=True, exist_ok=True)
    old = sorted(folder.glob("run-*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in old[LOG_KEEP - 1:]:
        path.unlink(missing_ok=True)
    return folder / f"run-{run_id}.log"


class _ThisRun(logging.Filter):
    def __init__(self, spider: Spider):
        super().__init__()
        self.spider = spider

    def filter(self, record: logging.LogRecord) -> bool:
        spider = getattr(record, "spider", None)
        if spider is None:
            return record.levelno >= logging.WARNING
        return spider is self.spider


class RunLogFile:
    """Writes a run's log to logs/PORTAL/run-N.log beside the archive and records the path in `runs`; at INFO
    or below (LOG_LEVEL), whatever the console gets. Idle when the process's whole log already goes to that
    file (LOG_FILE, as the scheduler sets it for a local run); a scheduled scrapyd job writes it here."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.log_file = settings.get("LOG_FILE") or None
        self.db = Path(settings.get("ARCHIVE_DB"))
        self.level = min(logging.INFO, logging.getLevelName(settings.get("LOG_LEVEL")))
        self.formatter = logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
        self.handler: logging.Handler | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)  # after "Spider closed"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLogFile:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        run_id = self.crawler.stats.get_value("archive/run_id")
        if run_id is None:  # the archive could not be opened: the console says why
            return
        path = run_log_path(log_dir(self.db), spider.name, run_id)
        if self.log_file and Path(self.log_file).resolve() == path.resolve():
            return  # the scheduler sends this process's output there, and recorded the path
        archive = crawl_archive(self.crawler)  # the crawl's one handle (crawler.portal_run)
        try:
            if archive is not None:
                archive.set_log_path(run_id, str(path))
        except sqlite3.Error as exc:
            spider.logger.warning("the run's log file is not recorded in the archive: %s", exc)
        self.handler = logging.FileHandler(path, encoding="utf-8")
        self.handler.setLevel(self.level)
        self.handler.setFormatter(self.formatter)
        self.handler.addFilter(_ThisRun(spider))
        logging.root.addHandler(self.handler)
        spider.logger.info("run %d of %s, log %s", run_id, spider.name, path)

    def engine_stopped(self) -> None:
        if self.handler is not None:
            logging.root.removeHandler(self.handler)
            self.handler.close()
            self.handler = None
