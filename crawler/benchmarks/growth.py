"""`python -m crawler bench growth`: how much an archive grows per 1,000 runs of a portal that publishes nothing.

The portal (replica.generated.ChangingRelatedPortal, served on 127.0.0.1) never changes its articles, but their
related-articles box changes on every visit, so the raw HTML never repeats. Each run re-visits its recent
articles (revisit_days). Two archives are fed the same answers side by side: one as before (ARCHIVE_CONDITIONAL_GET
off: plain requests, every re-visit stored as a new page with its body) and one as now (on: conditional requests
from the archived validators, an unchanged text counted on the archived page).

A Scrapy crawl per run would take about two seconds, so the runs drive what a crawl does to a re-visit directly:
each article is fetched over HTTP from the replica (with the validators the archive has, when on), extracted as
the crawl's extraction pipeline does, and written through the archive's batch write (Archive.write_batch). The
path end to end, through a real crawl, is tested in tests/test_revisit.py. List pages are left out: they are
re-fetched with conditional GET as before.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from crawler.extraction import ExtractOptions
from crawler.extraction_pool import extract_for_archive
from crawler.pipelines import fill
from crawler.tables import print_table
from replica.generated import HOST, ChangingRelatedPortal, article_path
from replica.server import ReplicaServer, Site
from storage import Archive, Page
from storage.records import FINISHED

RUNS = 1000  # re-visit runs measured (the figures are given per 1,000 runs whatever this is)
ARTICLES = 5  # recent articles each run re-visits
PORTAL = "bench"
MODES = {"before (off)": False, "after (on)": True}  # ARCHIVE_CONDITIONAL_GET


@dataclass
class Growth:
    """What `runs` re-visit runs added to one archive."""

    conditional: bool
    runs: int
    file_bytes: int = 0  # the archive file after a checkpoint (WAL folded in)
    rows: dict[str, int] = field(default_factory=dict)  # table → rows added
    rechecked: int = 0  # re-visits counted as unchanged
    not_modified: int = 0  # of those, answered 304
    seconds: float = 0.0  # the whole measurement, both archives

    def per_thousand(self, value: int) -> int:
        return round(value * 1000 / self.runs)


class _Fetcher:
    """GETs a portal URL from the replica over 127.0.0.1 (no proxy), as the crawl does with REPLICA_URL."""

    def __init__(self, replica_url: str):
        self.replica_url = replica_url.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def page(self, url: str, validators: dict | None, revisit: bool) -> Page:
        parts = urlsplit(url)
        headers = {"Host": parts.netloc}
        if validators and validators["etag"]:
            headers["If-None-Match"] = validators["etag"]
        if validators and validators["last_modified"]:
            headers["If-Modified-Since"] = validators["last_modified"]
        request = urllib.request.Request(self.replica_url + parts.path, headers=headers)
        try:
            with self.opener.open(request, timeout=10) as response:
                status, answer, body = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:  # urllib's word for a 304 too
            status, answer, body = exc.code, dict(exc.headers), exc.read()
        return Page(url=url, portal=PORTAL, fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    final_url=url, http_status=status, content_type=answer.get("Content-Type"), headers=answer,
                    body=body, reason="not modified" if status == 304 else None, revisit=revisit)


def _extracted(pages: list[Page]) -> None:
    """Extract the fetched pages (each distinct body once) as the crawl's extraction pipeline does."""
    todo = {p.body: p for p in pages if p.http_status == 200}  # the same body fetched for both archives: once
    options = ExtractOptions()
    results = {body: extract_for_archive(body, p.url, 200, p.content_type, p.final_url, options)
               for body, p in todo.items()}
    for page in pages:
        if page.http_status == 200:
            fill(page, *results[page.body])


def _counts(archive: Archive) -> dict[str, int]:
    tables = [r[0] for r in archive.db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                               "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts_%'")]
    return {t: archive.db.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in tables}


def _size(archive: Archive) -> int:
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Path(archive.path).stat().st_size


def measure(runs: int = RUNS, articles: int = ARTICLES, folder: Path | None = None) -> list[Growth]:
    """Crawl the portal once into each archive, then re-visit it `runs` times; what those runs added."""
    portal = ChangingRelatedPortal(articles)
    urls = [f"http://{HOST}{article_path(n)}" for n in range(articles)]
    with (tempfile.TemporaryDirectory() as tmp, ReplicaServer(Site(Path(tmp) / "no-hosts", dynamic=[portal])) as
          server, ThreadPoolExecutor(8) as threads):
        fetcher = _Fetcher(server.url)
        archives = {on: Archive.open(Path(folder or tmp) / f"growth-{'on' if on else 'off'}.db")
                    for on in MODES.values()}
        growth = {on: Growth(on, runs) for on in archives}
        began = time.perf_counter()
        for run in range(runs + 1):  # run 0 is the first crawl, which finds the articles
            portal.run = run
            asked = {on: [archive.article_validators(url) if on and run else None for url in urls]
                     for on, archive in archives.items()}
            fetched = {on: list(threads.map(lambda url, v: fetcher.page(url, v, run > 0), urls, asked[on]))
                       for on in archives}  # at once, as a crawl does (and each answer waits on the server)
            _extracted([page for pages in fetched.values() for page in pages])  # the same answers: once
            for on, archive in archives.items():
                run_id = archive.start_run(PORTAL)
                result = archive.write_batch(fetched[on], run_id, recheck=on)
                archive.update_run(run_id, FINISHED, revisits=result.revisits, rechecked=result.rechecked)
                if run == 0:
                    growth[on].rows, growth[on].file_bytes = _counts(archive), _size(archive)
                    continue
                growth[on].rechecked += result.rechecked
                growth[on].not_modified += sum(p.http_status == 304 for p in fetched[on])
        seconds = time.perf_counter() - began
        for on, archive in archives.items():
            g = growth[on]
            g.rows = {t: n - g.rows.get(t, 0) for t, n in _counts(archive).items()}
            g.file_bytes, g.seconds = _size(archive) - g.file_bytes, seconds
            archive.close()
    return [growth[on] for on in MODES.values()]


def main(runs: int = RUNS, articles: int = ARTICLES) -> None:
    print(f"{runs} re-visit runs of a portal that publishes nothing ({articles} recent articles, whose "
          "related-articles box changes on every visit), per 1,000 runs. Each run fetches the articles over HTTP "
          "from the replica on 127.0.0.1 and writes them through the archive's batch write directly, not through "
          "a Scrapy crawl per run (tests/test_revisit.py crawls it for real); list pages are left out.\n")
    before, after = measure(runs, articles)
    tables = [t for t in sorted(set(before.rows) | set(after.rows)) if before.rows.get(t) or after.rows.get(t)]
    rows = [["file bytes", before.per_thousand(before.file_bytes), after.per_thousand(after.file_bytes)]]
    rows += [[f"rows added: {t}", before.per_thousand(before.rows.get(t, 0)), after.per_thousand(after.rows.get(t, 0))]
             for t in tables]
    rows += [["re-visits counted unchanged", before.per_thousand(before.rechecked),
              after.per_thousand(after.rechecked)],
             ["  of which answered 304", before.per_thousand(before.not_modified),
              after.per_thousand(after.not_modified)],
             ]
    print_table("Archive growth per 1,000 runs (ARCHIVE_CONDITIONAL_GET)", ["", *MODES], rows)
    print(f"measured in {after.seconds:.0f} s")
