"""The archive's schema, created and changed only through these migrations."""

from __future__ import annotations

import sqlite3
import time

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage import fts, neardup
from storage.transactions import LOCK_TIMEOUT, write_transaction

MIGRATION_SET = "police_news_archive"  # how the archive's migrations are named in _sqlite_migrations
# SQLite's page cache per connection, in KiB. The default (2 MiB) holds the b-tree pages every new article touches
# (url and content hash indexes, LSH buckets, the search index's segments) only while the archive is small; at
# 10,000 articles and beyond they are read again from the OS for each article. 64 MiB cut the CPU per added
# article by 25 % at 10,000 and 30,000 articles in one run of `bench archive`, and was within its noise at
# 100,000 in another; pages are cached as read, so a small archive uses no more than before.
CACHE_KIB = 64 * 1024
migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_initial(db: Database) -> None:
    db["runs"].create(
        {
            "id": int,
            "portal": str,
            "trigger": str,  # manual, schedule, catch-up
            "started": str,
            "finished": str,
            "outcome": str,  # running, finished, interrupted, failed, abandoned, ...
            "pages": int,
            "new_articles": int,
            "duplicates": int,
            "errors": int,
            "rejections": str,  # JSON object: reason -> count
            "log_path": str,
        },
        pk="id",
        not_null={"portal", "started", "outcome"},
        defaults={"pages": 0, "new_articles": 0, "duplicates": 0, "errors": 0, "rejections": "{}"},
    )
    db["bodies"].create(
        {"sha1": str, "size": int, "compression": str, "body": bytes},
        pk="sha1",
        not_null={"size", "compression", "body"},
    )
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "url_hash": str,
            "content_hash": str,
            "portal": str,
            "title": str,
            "published": str,
            "source": str,
            "author": str,
            "text": str,
            "first_seen": str,
            "last_seen": str,
            "page_id": int,  # the page it was extracted from (re-extraction starts there)
        },
        pk="id",
        not_null={"url", "url_hash", "content_hash", "portal", "text", "first_seen", "last_seen"},
    )
    db["pages"].create(
        {
            "id": int,
            "run_id": int,
            "portal": str,
            "url": str,
            "url_hash": str,
            "final_url": str,
            "http_status": int,
            "outcome": str,
            "reason": str,
            "dedup": str,  # for article pages: new, alias (same text as an earlier article), refetch
            "article_id": int,
            "fetched_at": str,
            "content_type": str,
            "charset": str,
            "body_sha1": str,
        },
        pk="id",
        not_null={"portal", "url", "url_hash", "outcome", "fetched_at"},
        foreign_keys=[("run_id", "runs"), ("article_id", "articles"), ("body_sha1", "bodies")],
    )
    db["articles"].create_index(["url_hash"], unique=True)
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["portal", "published"])
    db["pages"].create_index(["url_hash", "outcome"])
    db["pages"].create_index(["portal", "outcome"])
    db["pages"].create_index(["run_id"])
    db["runs"].create_index(["portal", "started"])


def prepare(db: Database, lock_timeout: float = LOCK_TIMEOUT) -> None:
    """WAL (readers never block the writer, a kill -9 never corrupts) and every pending migration.

    Several crawls may open a new archive at once: the busy timeout comes first, so switching to WAL waits for
    the others, and migrations run inside one write transaction, so the second process finds them applied.
    """
    db.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
    _use_wal(db, lock_timeout)
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    db.execute("PRAGMA foreign_keys=ON")
    fts.register(db.conn)
    if migrations.pending(db):
        with write_transaction(db):
            migrations.apply(db)  # looks at what is pending again, now holding the write lock


def _use_wal(db: Database, lock_timeout: float) -> None:
    """Switch to WAL. The switch needs the file to itself and SQLite answers "database is locked" at once, without
    the busy timeout, when another process is reading or switching it at that moment: try again until it is free."""
    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@migrations()
def m002_reextract_runs(db: Database) -> None:
    """Progress of `reextract`, so an interrupted one resumes where it stopped."""
    db["reextract_runs"].create(
        {"id": int, "portal": str, "since": str, "started": str, "finished": str, "last_page_id": int,
         "pages": int, "changed": int},
        pk="id",
        not_null={"started"},
        defaults={"last_page_id": 0, "pages": 0, "changed": 0},
    )


@migrations()
def m003_full_text_search(db: Database) -> None:
    """Bigram full-text index over title and text, filled from the articles already there."""
    for statement in fts.CREATE:
        db.execute(statement)
    db.execute(
        "INSERT INTO articles_fts(rowid, title, text) SELECT id, fts_tokens(title), fts_tokens(text) FROM articles"
    )


@migrations()
def m004_response_headers(db: Database) -> None:
    """The response headers of each fetch (JSON), so WARC exports replay as the portal answered."""
    db["pages"].add_column("headers", str)


@migrations()
def m005_near_duplicates(db: Database) -> None:
    """MinHash signatures and LSH band buckets for near-duplicate groups; existing articles are indexed."""
    db["minhash"].create({"article_id": int, "signature": bytes, "group_id": int}, pk="article_id",
                         not_null={"signature", "group_id"})
    db["minhash"].create_index(["group_id"])
    db["lsh_bands"].create({"band": int, "bucket": int, "article_id": int}, not_null={"band", "bucket", "article_id"})
    db["lsh_bands"].create_index(["band", "bucket"])
    db["lsh_bands"].create_index(["article_id"])
    for article_id, text in db.execute("SELECT id, text FROM articles ORDER BY id").fetchall():
        neardup.index_article(db, article_id, text)


@migrations()
def m006_run_discovery_counts(db: Database) -> None:
    """How many list pages a run read and how many unseen article links they held (for health rules)."""
    db["runs"].add_column("list_pages", int, not_null_default=0)
    db["runs"].add_column("new_links", int, not_null_default=0)


@migrations()
def m007_article_versions(db: Database) -> None:
    """Earlier texts of articles that changed when re-visited (corrections): nothing is overwritten."""
    db["article_versions"].create(
        {"id": int, "article_id": int, "title": str, "published": str, "source": str, "author": str,
         "text": str, "content_hash": str, "seen_until": str},
        pk="id",
        foreign_keys=[("article_id", "articles")],
        not_null={"article_id", "text", "content_hash"},
    )
    db["article_versions"].create_index(["article_id"])


@migrations()
def m008_pages_by_article(db: Database) -> None:
    """Pages looked up by their article (every new article marks its earlier copies as aliases): without this
    index each lookup scanned every page, and adding an article slowed down as the archive grew."""
    db["pages"].create_index(["article_id"])


@migrations()
def m009_run_reason(db: Database) -> None:
    """Why a run ended as it did, in one line (a failed run says what failed)."""
    db["runs"].add_column("reason", str)


@migrations()
def m010_run_health_evidence(db: Database) -> None:
    """What each run saw that tells whether the portal's rules still fit it: links on its lists and how many
    matched article_patterns, newly found pages judged not an article, articles whose body the portal's own
    selectors found against generic extraction, and re-visits (which are not new links)."""
    for column in ("list_links", "article_links", "new_rejected", "body_own", "body_generic", "revisits"):
        db["runs"].add_column(column, int, not_null_default=0)


@migrations()
def m011_runs_by_outcome(db: Database) -> None:
    """A portal's runs looked up by outcome (every run start marks the portal's dead 'running' runs abandoned):
    without this index each start read every run the portal ever had."""
    db["runs"].create_index(["portal", "outcome"])


@migrations()
def m012_rechecks(db: Database) -> None:
    """A re-visit that found its article unchanged (a 304, or the same extracted text) adds no page row and no
    body: it is counted on the article's latest page (how often, when last, the validators it answered with), and
    on its run (rechecked). Without this, a related-articles box that changes makes every re-visit store the page."""
    db["pages"].add_column("rechecks", int, not_null_default=0)
    db["pages"].add_column("last_checked", str)
    db["pages"].add_column("validators", str)  # JSON {"etag", "last-modified"} of the latest check
    db["runs"].add_column("rechecked", int, not_null_default=0)


@migrations()
def m013_merged_shards(db: Database) -> None:
    """Archive shards (one per crawl worker) folded into this archive by `merge`: each archive gets an identity,
    and each shard run merged here the run it became and the last of its pages merged, so merging again adds
    only what is new."""
    import uuid

    db["archive_identity"].create({"id": str}, pk="id")
    db["archive_identity"].insert({"id": uuid.uuid4().hex})
    db["merged_runs"].create({"shard": str, "shard_run_id": int, "run_id": int, "last_page_id": int},
                             pk=("shard", "shard_run_id"), not_null={"run_id", "last_page_id"},
                             foreign_keys=[("run_id", "runs")])


@migrations()
def m014_runs_newest_first(db: Database) -> None:
    """A portal's runs read newest first (`status` and the scheduler's health rules read its last 20 after every
    run): with this index the read stops after 20, instead of sorting every run the portal ever had."""
    db["runs"].create_index(["portal", "id"])


@migrations()
def m015_search_index_merges(db: Database) -> None:
    """Fewer, larger merges of the search index's segments, so adding an article stays cheap as the archive
    grows (see fts.AUTOMERGE)."""
    db.execute(f"INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', {fts.AUTOMERGE})")
