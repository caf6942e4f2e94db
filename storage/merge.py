"""Folding archive shards into one archive: what several crawl workers (each writing its own SQLite file, see
crawler.frontier) fetched becomes the main archive's, as if one process had fetched it all.

The shards' pages are written again in the order they were fetched (across shards), through the same
`Archive.write_batch` a crawl uses: ids, dedup decisions (alias, earlier copy, revised), article versions and
near-duplicate groups come out of the same code in the same order. Each shard run becomes one run here, and the
last page merged of it is recorded in the same transaction as its pages, so a merge that stops part-way, or runs
twice, adds each page once.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from storage.archive import Archive, ArchiveError
from storage.bodies import PackedBody, unpack
from storage.records import Article, Page

if TYPE_CHECKING:
    import numpy as np

BATCH = 200  # pages per transaction
RUN_COPIED = ("portal", "trigger", "started", "finished", "outcome", "reason", "log_path", "list_pages",
              "new_links", "list_links", "article_links", "new_rejected", "body_own", "body_generic", "revisits",
              "rechecked")


class MergeError(ArchiveError):
    """A shard cannot be merged (it is the main archive itself, say)."""


@dataclass
class MergeResult:
    shards: int = 0
    runs: int = 0  # shard runs new to the main archive
    pages: int = 0  # pages added
    new_articles: int = 0


def identity(archive: Archive) -> str:
    return archive.db.execute("SELECT id FROM archive_identity").fetchone()[0]


def merge(main: Archive, shard_paths: list[str | Path]) -> MergeResult:
    """Fold the shards into `main`; pages already merged are left alone."""
    result = MergeResult()
    shards = []
    try:
        for path in shard_paths:
            shard = Archive.open(path)
            shards.append(shard)
            if identity(shard) == identity(main):
                raise MergeError(f"{path} is the main archive itself (or a copy of it); pass the workers' shards")
        runs = {i: _runs(main, shard) for i, shard in enumerate(shards)}
        result.shards = len(shards)
        result.runs = sum(1 for mapping in runs.values() for _, new in mapping.values() if new)
        keys = [identity(shard) for shard in shards]
        pending = heapq.merge(*(_pages(main, shard, i, runs[i]) for i, shard in enumerate(shards)),
                              key=lambda item: (item[0].fetched_at, item[1], item[2]))
        batch: list[tuple] = []  # (page, shard index, shard page id, shard run, main run)
        touched: set[int] = set()
        for item in pending:
            if batch and (batch[-1][4] != item[4] or len(batch) >= BATCH):
                _write(main, batch, keys, result)
                batch = []
            batch.append(item)
            if item[4] is not None:
                touched.add(item[4])
        if batch:
            _write(main, batch, keys, result)
        for run_id in sorted(touched):
            main.update_run(run_id)  # totals counted from its pages, as a crawl's are
    finally:
        for shard in shards:
            shard.close()
    return result


def _runs(main: Archive, shard: Archive) -> dict[int, tuple[int, bool]]:
    """Each shard run → (the main run it is, whether it was made now), making the missing ones."""
    key = identity(shard)
    known = {row[0]: row[1] for row in main.db.execute(
        "SELECT shard_run_id, run_id FROM merged_runs WHERE shard = ?", [key])}
    mapping: dict[int, tuple[int, bool]] = {}
    columns = ", ".join(RUN_COPIED)
    for row in shard.db.execute(f"SELECT id, {columns} FROM runs ORDER BY id").fetchall():
        if row[0] in known:
            mapping[row[0]] = (known[row[0]], False)
            continue
        with main.writing():
            table = main.db["runs"]
            table.insert(dict(zip(RUN_COPIED, row[1:])))
            run_id = table.last_pk
            main.db["merged_runs"].insert({"shard": key, "shard_run_id": row[0], "run_id": run_id,
                                           "last_page_id": 0})
        mapping[row[0]] = (run_id, True)
    return mapping


def _pages(main: Archive, shard: Archive, index: int, runs: dict[int, tuple[int, bool]]) -> Iterator[tuple]:
    """The shard's pages not merged yet, in fetch order: (page, shard index, page id, shard run, main run)."""
    marks = {row[0]: row[1] for row in main.db.execute(
        "SELECT shard_run_id, last_page_id FROM merged_runs WHERE shard = ?", [identity(shard)])}
    db = shard.db
    rows = db.execute(
        "SELECT p.id, p.run_id, p.portal, p.url, p.final_url, p.http_status, p.outcome, p.reason, p.article_id, "
        "p.fetched_at, p.content_type, p.headers, p.charset, b.sha1, b.size, b.body "
        "FROM pages p LEFT JOIN bodies b ON b.sha1 = p.body_sha1 WHERE p.id > ? ORDER BY p.fetched_at, p.id",
        [min((marks.get(run, 0) for run in runs), default=0)])
    for (page_id, shard_run, portal, url, final_url, status, outcome, reason, article_id, fetched_at, content_type,
         headers, charset, sha1, size, body) in rows:
        if page_id <= marks.get(shard_run, 0):
            continue
        page = Page(url=url, portal=portal, fetched_at=fetched_at, final_url=final_url, http_status=status,
                    content_type=content_type, headers=json.loads(headers) if headers else None,
                    body=unpack(body) if body is not None else b"", outcome=outcome, reason=reason, charset=charset,
                    packed_body=PackedBody(sha1, size, body) if body is not None else None)
        if outcome == "article" and article_id is not None:
            page.article, page.signature = _article_as_of(db, article_id, fetched_at)
        yield page, index, page_id, shard_run, runs.get(shard_run, (None, False))[0]


def _article_as_of(db: Database, article_id: int, fetched_at: str) -> tuple[Article, np.ndarray | None]:
    """The article as this page showed it: an earlier version when the article was revised after the page was
    fetched (with the MinHash stored for the current text, else None: computed again)."""
    columns = "title, published, source, author, text"
    row = db.execute(f"SELECT {columns} FROM article_versions WHERE article_id = ? AND seen_until > ? "
                     "ORDER BY seen_until, id LIMIT 1", [article_id, fetched_at]).fetchone()
    if row is not None:
        return Article(*row), None
    row = db.execute(f"SELECT {columns} FROM articles WHERE id = ?", [article_id]).fetchone()
    stored = db.execute("SELECT signature FROM minhash WHERE article_id = ?", [article_id]).fetchone()
    import numpy as np

    return Article(*row), np.frombuffer(stored[0], dtype=np.uint64) if stored else None


def _write(main: Archive, batch: list[tuple], shard_keys: list[str], result: MergeResult) -> None:
    """One transaction: the pages, and how far each of their shard runs is merged now."""
    pages = [item[0] for item in batch]
    with main.writing():
        written = main.write_batch(pages, batch[0][4])
        marks: dict[tuple[str, int], int] = {}
        for _, index, page_id, shard_run, _ in batch:
            key = (shard_keys[index], shard_run)
            marks[key] = max(marks.get(key, 0), page_id)
        for (shard, shard_run), page_id in marks.items():
            main.db.execute("UPDATE merged_runs SET last_page_id = ? WHERE shard = ? AND shard_run_id = ?",
                            [page_id, shard, shard_run])
    result.pages += len(pages)
    result.new_articles += written.new
