"""Re-run extraction over the raw pages in the archive: an improvement reaches every article, no refetch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crawler.extraction import ExtractOptions, extract_page
from crawler.portals import Portal
from storage import Archive, Article
from storage import reextract as stored


@dataclass
class ReextractResult:
    pages: int
    changed: int
    resumed_after: int  # page id an interrupted run had reached (0 for a fresh run)


def reextract(
    archive: Archive,
    portals: dict[str, Portal],
    portal: str | None = None,
    since: str | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> ReextractResult:
    """Re-extract pages (of one portal, fetched since a date); `on_batch(done, total)` reports progress."""
    job = stored.start(archive, portal, since)
    total = stored.count_pages(archive, job)
    done, changed, last_id = job["pages"], job["changed"], job["last_page_id"]
    options = {name: p.extract_options() for name, p in portals.items()}
    for batch in stored.pages(archive, job):
        with archive.writing():
            for page in batch:
                result = extract_page(page.body, page.url, page.http_status or 200, page.content_type,
                                      page.final_url, options.get(page.portal, ExtractOptions()))
                article = None
                if result.status == "article":
                    article = Article(result.title, result.published, result.source, result.author, result.text)
                changed += stored.apply(archive, job, page, result.status, result.reason, result.charset, article)
            done, last_id = done + len(batch), batch[-1].id
            stored.checkpoint(archive, job, last_id, done, changed)
        if on_batch:
            on_batch(done, total)
    stored.checkpoint(archive, job, last_id, done, changed, finished=True)
    return ReextractResult(done, changed, job["last_page_id"])
