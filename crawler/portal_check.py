"""`python -m crawler portal check NAME`: one bounded trial crawl of a portal into a scratch archive, judged.

A new entry should be seen working before it runs on a schedule: did the list pages load, how many of the
articles they led to were archived, why were the others rejected, and did the crawl ask for any page that
its patterns do not describe. The trial writes to a temporary archive that is deleted afterwards, so the
user's archive never holds a trial's pages.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.settings import Settings

from crawler.portals import Portal, load_portals, select_portals
from crawler.run import crawl
from storage import Archive

PAGE_LIMIT = 300  # pages one trial may fetch (CLOSESPIDER_PAGECOUNT): enough to judge, bounded for big sites
_DETAIL = re.compile(r"\s*\([^)]*\)$")  # "too little text (34 characters)" -> "too little text"


@dataclass
class CheckReport:
    """What one trial crawl of a portal found, page kind by page kind."""

    portal: str
    outcome: str
    reason: str | None = None
    lists: list[str] = field(default_factory=list)
    list_errors: dict[str, int] = field(default_factory=dict)
    archived_pages: int = 0  # pages archived as articles
    articles: list[str] = field(default_factory=list)  # their URLs, and where they redirected to
    rejections: dict[str, int] = field(default_factory=dict)  # reason -> pages
    errors: dict[str, int] = field(default_factory=dict)
    off_pattern: list[str] = field(default_factory=list)  # requested pages no rule of the entry describes

    @property
    def article_pages(self) -> int:
        return self.archived_pages + sum(self.rejections.values()) + sum(self.errors.values())

    @property
    def passed(self) -> bool:
        """Lists loaded, at least one article archived, nothing requested off the entry's patterns."""
        return bool(self.lists) and not self.list_errors and bool(self.articles) and not self.off_pattern

    def as_json(self) -> dict:
        return {**asdict(self), "passed": self.passed}


def check_portal(name: str, settings: Settings, page_limit: int = PAGE_LIMIT) -> CheckReport:
    """Crawl one portal of settings['PORTALS_FILE'] into a scratch archive, at most `page_limit` pages."""
    portal = select_portals(load_portals(settings.get("PORTALS_FILE") or None), [name])[0]
    with tempfile.TemporaryDirectory(prefix="portal-check-") as folder:
        db = Path(folder) / "trial.db"
        Archive.open(db).close()
        settings = settings.copy()
        settings.set("ARCHIVE_DB", str(db), priority="cmdline")
        settings.set("CLOSESPIDER_PAGECOUNT", page_limit, priority="cmdline")
        rows = crawl([name], settings)
        report = judge(portal, db)
    if rows:
        report.outcome, report.reason = rows[0].outcome, rows[0].reason
    return report


def _is_described(portal: Portal, url: str) -> bool:
    """Whether a requested URL is one the entry asks for: a start page, sitemap or feed, or a pattern's page."""
    if url in (*portal.start_urls, *portal.sitemaps, *portal.feeds):
        return True
    path = urlsplit(url).path
    return urlsplit(url).path == "/robots.txt" or portal.is_article_url(url) or portal.is_list_url(url) or not path


def judge(portal: Portal, db: Path) -> CheckReport:
    """The verdict per page kind from the pages a trial archived."""
    archive = Archive.open(db)
    try:
        rows = archive.db.execute("SELECT url, final_url, outcome, reason FROM pages WHERE portal = ? ORDER BY id",
                                  [portal.name]).fetchall()
    finally:
        archive.close()
    report = CheckReport(portal.name, "finished")
    rejections: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    list_errors: Counter[str] = Counter()
    for url, final_url, outcome, reason in rows:
        if outcome == "list":
            report.lists.append(url)
            continue
        if (reason or "").startswith("list page:"):
            list_errors[_DETAIL.sub("", reason)] += 1
            continue
        if not _is_described(portal, url):
            report.off_pattern.append(url)
        if outcome == "article":
            report.archived_pages += 1
            report.articles += [url] if final_url in (None, url) else [url, final_url]
        elif outcome == "error":
            errors[_DETAIL.sub("", reason or "error")] += 1
        else:
            rejections[f"{outcome}: {_DETAIL.sub('', reason or '')}"] += 1
    report.rejections, report.errors, report.list_errors = dict(rejections), dict(errors), dict(list_errors)
    return report
