"""The archive: one SQLite file holding runs, fetched pages with their raw bodies, and distinct articles.

Writes come in batches, each one transaction: a kill -9 loses at most the batch in flight and the WAL
keeps the file readable. Deduplication happens here, inside the transaction, so it sees every row written
before it, whichever process or spider wrote them.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from storage import bodies, neardup, schema, summary
from storage.bodies import PackedBody
from storage.dedup import content_hash, url_hash
from storage.records import FINAL_OUTCOMES, SKIPPED, Page
from storage.transactions import LOCK_TIMEOUT, write_transaction

if TYPE_CHECKING:
    import numpy as np


class ArchiveError(Exception):
    """The archive file cannot be opened or written."""


class ArchiveDamagedError(ArchiveError):
    """The archive file is corrupt: SQLite found a malformed page, or a stored body does not decompress."""


def database_error(path: str | Path, exc: sqlite3.DatabaseError) -> ArchiveError:
    """What a person can do about a SQLite error met while reading or writing the archive at `path`."""
    if _is_corrupt(exc) or type(exc) is sqlite3.DatabaseError:  # not an OperationalError (locked, I/O)
        return damaged(path, str(exc))
    return ArchiveError(f"archive {path} cannot be used: {exc}; if another program holds it, try again later")


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    return getattr(exc, "sqlite_errorname", None) == "SQLITE_CORRUPT"


def damaged(path: str | Path, what: str) -> ArchiveDamagedError:
    """The one line for an archive file that is corrupt, with what to do about it."""
    return ArchiveDamagedError(f"archive {path} is damaged ({what}); restore it from a backup, or move it aside "
                               "and crawl again into a new archive")


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class BatchResult:
    """What one batch did: counts by dedup decision and by rejection reason (for the crawl's stats; the run's
    totals are counted from its pages, see summary.run_totals)."""

    new: int = 0  # pages that are now their article's own copy, including one published before an archived copy
    alias: int = 0
    refetch: int = 0
    revised: int = 0  # re-visited articles whose text changed (the old text kept in article_versions)
    errors: int = 0
    rejections: Counter = field(default_factory=Counter)
    # Health evidence, for pages of newly found links only (re-visits are counted apart):
    new_rejected: int = 0  # an article's frame without its story (extraction's story_missing): a template change?
    body_own: int = 0  # articles whose body the portal's own selectors found
    body_generic: int = 0  # articles whose body came from generic extraction
    revisits: int = 0  # re-visited articles (revisit_days)
    rechecked: int = 0  # of those, unchanged (a 304, or the same text and title): counted, not stored again

    def add(self, other: BatchResult) -> None:
        for name in ("new", "alias", "refetch", "revised", "errors", "new_rejected", "body_own", "body_generic",
                     "revisits", "rechecked"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejections.update(other.rejections)


def _count_evidence(page: Page, result: BatchResult) -> None:
    """What a page tells about the portal's health: whether its rules still fit (see scheduling.health)."""
    if page.revisit:
        result.revisits += 1
    elif page.outcome == "article" and page.body_by == "portal":
        result.body_own += 1
    elif page.outcome == "article" and page.body_by:
        result.body_generic += 1
    elif page.story_missing:
        result.new_rejected += 1


def _validators(headers: str | None, refreshed: str | None) -> dict | None:
    """ETag and Last-Modified from a page's stored headers (JSON), or from its latest re-check when it had one."""
    values = {k.lower(): v for k, v in json.loads(refreshed or headers or "{}").items()}
    if not values.get("etag") and not values.get("last-modified"):
        return None
    return {"etag": values.get("etag"), "last_modified": values.get("last-modified")}


def _refuse_other_files(path: Path) -> None:
    """An existing file is opened (and migrated) only when it is an archive of ours or an empty database: another
    program's SQLite file, or any other file, is left untouched with a message."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            ours = "_sqlite_migrations" in tables and conn.execute(
                "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1", [schema.MIGRATION_SET]
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if _is_corrupt(exc):  # a SQLite file, so likely ours, cut short or overwritten
            raise damaged(path, str(exc)) from None
        raise ArchiveError(f"{path} is not a usable SQLite file ({exc}); pass the --db of an archive") from None
    if tables and not ours:
        raise ArchiveError(f"{path} is another program's database (tables: {', '.join(sorted(tables)[:5])}); "
                           "it was left untouched: pass a new path or an archive's path as --db")


class Archive:
    """The archive file, opened and migrated; pass an existing sqlite_utils.Database or use `open`."""

    def __init__(self, db: Database, lock_timeout: float = LOCK_TIMEOUT):
        self.db = db
        try:
            schema.prepare(db, lock_timeout)
        except sqlite3.DatabaseError as exc:
            if _is_corrupt(exc):
                raise damaged(self.path, str(exc)) from None
            raise ArchiveError(f"archive {self.path} is not a usable SQLite file: {exc}") from None

    @classmethod
    def open(cls, path: str | Path, lock_timeout: float = LOCK_TIMEOUT) -> Archive:
        """Open (creating and migrating) the archive; each write waits up to `lock_timeout` s for the write lock."""
        path = Path(path)
        if not path.parent.is_dir():
            raise ArchiveError(f"folder {path.parent} does not exist; create it or choose another --db path")
        _refuse_other_files(path)
        try:
            return cls(Database(path), lock_timeout)
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot open archive {path}: {exc}") from None

    def finish_run(self, run_id: int, outcome: str) -> None:
        """Set a run's outcome when its process could not (killed, crashed, skipped)."""
        with self.writing():
            self.db["runs"].update(run_id, {"outcome": outcome, "finished": utc_now()})

    def writing(self) -> contextlib.AbstractContextManager[Database]:
        """A write transaction that holds the archive's write lock from its first statement (see transactions)."""
        return write_transaction(self.db)

    @property
    def path(self) -> str:
        return self.db.conn.execute("PRAGMA database_list").fetchone()[2] or ":memory:"

    def close(self) -> None:
        self.db.close()

    # Runs -----------------------------------------------------------------------------------------------

    def start_run(self, portal: str, trigger: str = "manual", log_path: str | None = None) -> int:
        """Record a run as started; runs of this portal left 'running' by a dead process become 'abandoned'."""
        with self.writing():
            self.db.execute(
                "UPDATE runs SET outcome = 'abandoned' WHERE portal = ? AND outcome = 'running'", [portal]
            )
            table = self.db["runs"]
            table.insert(
                {"portal": portal, "trigger": trigger, "started": utc_now(), "outcome": "running",
                 "log_path": log_path}
            )
            return table.last_pk

    def skip_run(self, portal: str, trigger: str, reason: str, run_id: int | None = None) -> int:
        """Record a run that did not start (another holds the portal), leaving the portal's live run alone."""
        values = {"outcome": SKIPPED, "reason": reason, "finished": utc_now()}
        with self.writing():
            table = self.db["runs"]
            if run_id:
                table.update(run_id, values)
                return run_id
            table.insert({"portal": portal, "trigger": trigger, "started": values["finished"], **values})
            return table.last_pk

    def set_log_path(self, run_id: int, path: str) -> None:
        with self.writing():
            self.db["runs"].update(run_id, {"log_path": path})

    def update_run(self, run_id: int, outcome: str | None = None, reason: str | None = None,
                   **counters: int) -> None:
        """Write a run's totals, counted from its pages (after every batch, so a killed run still tells what it did).

        `reason` says in one line why the run ended so; `counters` are further runs columns (list_pages,
        new_links, list_links, article_links).
        """
        values: dict[str, object] = dict(counters)
        if outcome:
            values.update(outcome=outcome, finished=utc_now(), reason=reason)
        with self.writing():
            self._write_totals(run_id, values)

    def _write_totals(self, run_id: int, values: dict[str, object] | None = None) -> None:
        totals = summary.run_totals(self.db, run_id)
        self.db["runs"].update(run_id, {
            **(values or {}),
            "pages": totals.pages,
            "new_articles": totals.new,
            "duplicates": totals.duplicates,
            "errors": totals.errors,
            "rejections": json.dumps(totals.rejections, ensure_ascii=False, sort_keys=True),
        })

    # Pages and articles ------------------------------------------------------------------------------------

    def is_known(self, url: str) -> bool:
        """Whether this URL already has a final outcome, so fetching it again would add nothing."""
        h = url_hash(url)
        placeholders = ",".join("?" * len(FINAL_OUTCOMES))
        row = self.db.execute(
            f"SELECT 1 FROM pages WHERE url_hash = ? AND outcome IN ({placeholders}) "
            "UNION ALL SELECT 1 FROM articles WHERE url_hash = ? LIMIT 1",
            [h, *FINAL_OUTCOMES, h],
        ).fetchone()
        return row is not None

    def list_validators(self, url: str) -> dict | None:
        """The last good fetch of a list page: its ETag/Last-Modified and stored body, for a conditional GET."""
        row = self.db.execute(
            "SELECT headers, body_sha1, content_type FROM pages WHERE url_hash = ? AND outcome = 'list' "
            "AND http_status = 200 AND body_sha1 IS NOT NULL ORDER BY id DESC LIMIT 1",
            [url_hash(url)],
        ).fetchone()
        validators = _validators(row[0], None) if row else None
        return {**validators, "body_sha1": row[1], "content_type": row[2]} if validators else None

    def article_validators(self, url: str) -> dict | None:
        """The ETag/Last-Modified of an archived article's latest copy (refreshed by each re-check), for the
        conditional GET of its re-visit."""
        page = self._article_page(url)
        return _validators(page[1], page[2]) if page else None

    def _article_page(self, url: str) -> tuple[int, str | None, str | None] | None:
        """(id, headers, validators) of the latest page this URL was archived as an article from: fetched at this
        URL, or else the article's own page (its first fetch was redirected here)."""
        row = self.db.execute(
            "SELECT id, headers, validators FROM pages WHERE url_hash = ? AND outcome = 'article' "
            "ORDER BY id DESC LIMIT 1", [url_hash(url)]).fetchone()
        if row is None:
            row = self.db.execute(
                "SELECT p.id, p.headers, p.validators FROM articles a JOIN pages p ON p.id = a.page_id "
                "WHERE a.url_hash = ?", [url_hash(url)]).fetchone()
        return tuple(row) if row else None

    def write_batch(self, pages: Iterable[Page], run_id: int | None = None, recheck: bool = True) -> BatchResult:
        """Store pages (and their articles, deduplicated) in one transaction.

        `recheck`: an unchanged re-visit is counted on the page it re-checked instead of being stored again
        (ARCHIVE_CONDITIONAL_GET; off, every re-visit is a new page row, as before).
        """
        result = BatchResult()
        pages = list(pages)
        # CPU work before the write lock is taken, so other processes writing this archive do not wait for it
        signatures = [p.signature if p.signature is not None
                      else neardup.signature(p.article.text) if p.outcome == "article" and p.article else None
                      for p in pages]
        with self.writing():
            for page, signature in zip(pages, signatures):
                if page.revisit and recheck and self._recheck(page, result):
                    continue
                self._write_page(page, run_id, result, signature)
        return result

    def _recheck(self, page: Page, result: BatchResult) -> bool:
        """Count an unchanged re-visit on the article's latest page (no page row, no body); False when it changed.

        Unchanged means a 304, or the same extracted text and title: the raw HTML is no guide, since a
        related-articles box or a visit counter changes it on every fetch.
        """
        if page.http_status == 304:
            unchanged = True
        elif page.outcome == "article" and page.article is not None:
            row = self.db.execute("SELECT content_hash, title FROM articles WHERE url_hash = ?",
                                  [url_hash(page.final_url or page.url)]).fetchone()
            unchanged = row is not None and tuple(row) == (content_hash(page.article.text), page.article.title)
        else:
            return False
        target = self._article_page(page.url) if unchanged else None
        if target is None:
            if page.http_status == 304:  # not modified, yet nothing archived to be unchanged from
                page.outcome, page.reason = "error", "http 304 (not modified) with no archived copy"
            return False
        headers = {k.lower(): v for k, v in (page.headers or {}).items()}
        fresh = {k: headers[k] for k in ("etag", "last-modified") if headers.get(k)}
        self.db.execute(
            "UPDATE pages SET rechecks = rechecks + 1, last_checked = ?, validators = coalesce(?, validators) "
            "WHERE id = ?", [page.fetched_at, json.dumps(fresh) if fresh else None, target[0]])
        self.db.execute("UPDATE articles SET last_seen = ? WHERE url_hash = ?",
                        [page.fetched_at, url_hash(page.final_url or page.url)])
        result.rechecked += 1
        _count_evidence(page, result)
        return True

    def _write_page(self, page: Page, run_id: int | None, result: BatchResult,
                    signature: np.ndarray | None = None) -> None:
        body_sha1 = self._store_body(page.body, page.packed_body) if page.body else None
        article_id, dedup = None, None
        if page.outcome == "article" and page.article is not None:
            article_id, dedup = self.store_article(page, signature)
            counted = {"earlier": "new"}.get(dedup, dedup)
            setattr(result, counted, getattr(result, counted) + 1)
        elif page.outcome == "error":
            result.errors += 1
        elif page.outcome != "list":
            result.rejections[page.reason or page.outcome or "unknown"] += 1
        _count_evidence(page, result)
        pages = self.db["pages"]
        pages.insert(
            {
                "run_id": run_id,
                "portal": page.portal,
                "url": page.url,
                "url_hash": url_hash(page.url),
                "final_url": page.final_url,
                "http_status": page.http_status,
                "outcome": page.outcome,
                "reason": page.reason,
                "dedup": "new" if dedup == "earlier" else dedup,
                "article_id": article_id,
                "fetched_at": page.fetched_at,
                "content_type": page.content_type,
                "headers": json.dumps(page.headers, ensure_ascii=False) if page.headers else None,
                "charset": page.charset,
                "body_sha1": body_sha1,
            }
        )
        if dedup in ("new", "earlier"):
            self.make_article_page(article_id, pages.last_pk)

    def make_article_page(self, article_id: int, page_id: int) -> None:
        """This page is the article's own copy; any other copy it replaced becomes an alias, and the run that
        fetched that copy counts it a duplicate from now on."""
        replaced = [row[0] for row in self.db.execute(
            "SELECT DISTINCT run_id FROM pages WHERE article_id = ? AND dedup = 'new' AND id != ? "
            "AND run_id IS NOT NULL", [article_id, page_id])]
        self.db.execute("UPDATE pages SET dedup = 'alias' WHERE article_id = ? AND dedup = 'new' AND id != ?",
                        [article_id, page_id])
        for run_id in replaced:
            self._write_totals(run_id)
        self.db.execute("UPDATE pages SET dedup = 'new' WHERE id = ?", [page_id])
        self.db["articles"].update(article_id, {"page_id": page_id})

    def _store_body(self, body: bytes, packed: PackedBody | None = None) -> str:
        packed = packed or bodies.pack(body)
        self.db.execute(
            "INSERT OR IGNORE INTO bodies (sha1, size, compression, body) VALUES (?, ?, ?, ?)",
            [packed.sha1, packed.size, bodies.COMPRESSION, packed.data],
        )
        return packed.sha1

    def store_article(self, page: Page, signature: np.ndarray | None = None) -> tuple[int, str]:
        """Return (article id, dedup) for an article page (`signature`: its MinHash, when already computed).

        dedup is 'refetch' (URL already archived, same text), 'revised' (URL archived, text changed: the old
        text goes to article_versions), 'alias' (same text as an earlier article), 'earlier' (same
        text, but this copy was published first: the article now points here, the other copy is the alias)
        or 'new'.
        """
        article = page.article
        url = page.final_url or page.url
        uh, ch = url_hash(url), content_hash(article.text)
        fields = {"url": url, "url_hash": uh, "content_hash": ch, "portal": page.portal, "title": article.title,
                  "published": article.published, "source": article.source, "author": article.author,
                  "text": article.text}
        row = self.db.execute("SELECT id, content_hash FROM articles WHERE url_hash = ? LIMIT 1", [uh]).fetchone()
        if row and row[1] != ch:
            self._keep_version(row[0], page.fetched_at)
            self.db["articles"].update(row[0], {**fields, "last_seen": page.fetched_at})
            neardup.index_article(self.db, row[0], article.text, signature)
            return row[0], "revised"
        if row:
            self.db.execute("UPDATE articles SET last_seen = ? WHERE id = ?", [page.fetched_at, row[0]])
            return row[0], "refetch"
        row = self.db.execute("SELECT id, published FROM articles WHERE content_hash = ? LIMIT 1", [ch]).fetchone()
        if row:
            article_id, published = row
            if article.published and published and article.published[:19] < published[:19]:
                self.db["articles"].update(article_id, {**fields, "last_seen": page.fetched_at})
                return article_id, "earlier"
            self.db.execute("UPDATE articles SET last_seen = ? WHERE id = ?", [page.fetched_at, article_id])
            return article_id, "alias"
        table = self.db["articles"]
        table.insert({**fields, "first_seen": page.fetched_at, "last_seen": page.fetched_at})
        neardup.index_article(self.db, table.last_pk, article.text, signature)
        return table.last_pk, "new"

    def _keep_version(self, article_id: int, until: str) -> None:
        self.db.execute(
            "INSERT INTO article_versions (article_id, title, published, source, author, text, content_hash, "
            "seen_until) SELECT id, title, published, source, author, text, content_hash, ? FROM articles "
            "WHERE id = ?", [until, article_id])

    def recent_article_urls(self, portal: str, days: int, now: datetime | None = None) -> list[str]:
        """URLs of this portal's articles published in the last `days` days (to re-visit for corrections)."""
        since = ((now or datetime.now(timezone.utc)) - timedelta(days=days)).date().isoformat()
        return [r[0] for r in self.db.execute(
            "SELECT url FROM articles WHERE portal = ? AND published >= ? ORDER BY published DESC", [portal, since])]

    def raw_body(self, sha1: str) -> bytes:
        row = self.db.execute("SELECT body FROM bodies WHERE sha1 = ?", [sha1]).fetchone()
        if row is None:
            raise ArchiveError(f"no stored body {sha1}")
        try:
            return bodies.unpack(row[0])
        except zlib.error as exc:
            raise damaged(self.path, f"stored body {sha1} does not decompress: {exc}") from None
