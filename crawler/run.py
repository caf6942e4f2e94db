"""Run crawls in this process: the library function behind `python -m crawler crawl`."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import BaseSettings, Settings

from crawler.portals import load_portals, select_portals
from storage import Archive, ArchiveError

DEFAULT_DB = Path("data/archive.db")


class SettingError(ValueError):
    """A --set NAME=VALUE override that cannot be used."""


@dataclass
class RunRow:
    """One finished run as the crawl command reports it."""

    run_id: int
    portal: str
    outcome: str
    pages: int
    new_articles: int
    duplicates: int
    rejected: int
    errors: int
    reason: str | None = None  # why it ended so, when it did not simply finish
    unchanged: int = 0  # re-visited articles found unchanged (counted on their pages, not stored again)


def project_settings(overrides: dict[str, str] | None = None) -> Settings:
    """The project's settings with --set overrides on top, each checked before anything starts."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        if name not in settings:
            raise SettingError(f"unknown setting {name}; see crawler/settings.py for the list")
        check_value(name, value, settings[name])
        settings.set(name, value, priority="cmdline")
    return settings


_BOOLEANS = ("0", "1", "True", "False", "true", "false")  # what Settings.getbool reads
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def check_value(name: str, value: str, default: object) -> None:
    """A --set value must read as its setting's default does: an integer where the default is one, and so on.

    Scrapy converts a value only when a component asks for it, mid-start, where a bad one is a traceback.
    """
    kind = None
    if isinstance(default, bool):
        kind = None if value in _BOOLEANS else "True or False"
    elif isinstance(default, int):
        kind = None if _reads_as(int, value) else "an integer"
    elif isinstance(default, float):
        kind = None if _reads_as(float, value) else "a number"
    elif isinstance(default, (dict, BaseSettings)):
        kind = None if _reads_as(lambda v: dict(json.loads(v)), value) else 'a JSON object (like {"name": value})'
    elif name == "LOG_LEVEL" and value not in _LOG_LEVELS:
        kind = f"a log level in capitals ({', '.join(_LOG_LEVELS)})"
    elif name == "FRONTIER" and value not in ("", "redis"):
        kind = "redis, or nothing for this process's own frontier"
    elif name == "REPLICA_URL" and value and not _is_server_url(value):
        kind = "a URL like http://127.0.0.1:8765 (scheme, host and port, no path)"
    if kind:
        like = f", like its default {default}" if isinstance(default, (bool, int, float)) else ""
        raise SettingError(f"setting {name} takes {kind}{like}; got {value!r}")


def _reads_as(convert: Callable[[str], object], value: str) -> bool:
    try:
        convert(value)
    except (TypeError, ValueError):
        return False
    return True


def _is_server_url(value: str) -> bool:
    parts = urlsplit(value)
    try:
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname) and parts.path in ("", "/")
            and not parts.query)


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SettingError(f"--set takes NAME=VALUE, got {pair!r}")
        overrides[name.strip()] = value
    return overrides


def prepare_db(path: Path) -> Path:
    """Create the project's data/ folder when used; any other folder must exist. Checks the archive opens."""
    if path.parent == DEFAULT_DB.parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    Archive.open(path).close()  # raises ArchiveError with a message a user can act on
    return path


# The replica is on this machine: politeness delays would only slow the demo, and its slow page should
# time out quickly. --set still overrides these.
REPLICA_SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "DOWNLOAD_TIMEOUT": 5, "RETRY_TIMES": 1}


@contextlib.contextmanager
def replica_running() -> Iterator[str]:
    """Serve the bundled portal replica on a free loopback port for the duration of a crawl."""
    from replica.server import ReplicaServer

    with ReplicaServer(record=False) as server:
        yield server.url


def crawl(portal_names: list[str] | None, settings: Settings,
          watch: Callable[[list[Crawler]], contextlib.AbstractContextManager] | None = None) -> list[RunRow]:
    """Crawl the named portals (all when none) into settings['ARCHIVE_DB']; return one row per run.

    `watch`, given the crawlers, is entered while they run (a progress display on a terminal).
    """
    portals = select_portals(load_portals(settings.get("PORTALS_FILE") or None), portal_names)
    from crawler.frontier import FrontierUnavailable, check_reachable

    try:
        check_reachable(settings)  # before anything starts: Scrapy would stop mid-start with a traceback
    except FrontierUnavailable as exc:
        raise SettingError(str(exc)) from None
    process = CrawlerProcess(settings)
    crawlers = []
    for portal in portals:
        crawler = process.create_crawler(portal.name)
        crawlers.append(crawler)
        process.crawl(crawler)
    with watch(crawlers) if watch else contextlib.nullcontext():
        process.start()  # each crawl takes its portal's lock (crawler.portal_run): a busy portal's run is skipped
    run_ids = [c.stats.get_value("archive/run_id") for c in crawlers]
    return read_runs(Path(settings.get("ARCHIVE_DB")), [r for r in run_ids if r is not None])


def read_runs(db_path: Path, run_ids: list[int]) -> list[RunRow]:
    archive = Archive.open(db_path)
    try:
        rows = []
        for run_id in run_ids:
            run = archive.db["runs"].get(run_id)
            rows.append(RunRow(run_id, run["portal"], run["outcome"], run["pages"], run["new_articles"],
                               run["duplicates"], sum(json.loads(run["rejections"] or "{}").values()),
                               run["errors"], run["reason"], run["rechecked"]))
        return rows
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"cannot read the runs back from {db_path}: {exc}") from None
    finally:
        archive.close()
