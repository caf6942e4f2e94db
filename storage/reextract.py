"""Re-extraction support: walk the stored raw pages and apply new verdicts in place.

Articles keep their id and first_seen; a page that now yields an article gains one (deduplicated as at
crawl time); an article whose page is now rejected is kept but its page says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from storage import neardup
from storage.archive import Archive, utc_now
from storage.dedup import content_hash
from storage.records import Article, Page

EXTRACTED = ("article", "not_found", "not_article")


@dataclass
class StoredPage:
    id: int
    portal: str
    url: str
    final_url: str | None
    http_status: int | None
    content_type: str | None
    fetched_at: str
    article_id: int | None
    dedup: str | None
    body: bytes


def start(archive: Archive, portal: str | None, since: str | None) -> dict:
    """The unfinished re-extraction with the same filters, or a new one."""
    table = archive.db["reextract_runs"]
    rows = list(table.rows_where(
        "finished IS NULL AND coalesce(portal, '') = ? AND coalesce(since, '') = ?",
        [portal or "", since or ""], order_by="id desc", limit=1,
    ))
    if rows:
        return rows[0]
    with archive.writing():
        table.insert({"portal": portal, "since": since, "started": utc_now()})
    return table.get(table.last_pk)


def count_pages(archive: Archive, job: dict) -> int:
    where, params = _filters(job)
    return archive.db.execute(f"SELECT count(*) FROM pages WHERE {where}", params).fetchone()[0]


def pages(archive: Archive, job: dict, batch: int = 100) -> Iterator[list[StoredPage]]:
    """Pages left to re-extract, in id order, a batch at a time (constant memory)."""
    last = job["last_page_id"]
    where, params = _filters(job)
    while True:
        rows = archive.db.execute(
            f"SELECT p.id, p.portal, p.url, p.final_url, p.http_status, p.content_type, p.fetched_at, "
            f"p.article_id, p.dedup, p.body_sha1 FROM pages p WHERE {where} AND p.id > ? ORDER BY p.id LIMIT ?",
            [*params, last, batch],
        ).fetchall()
        if not rows:
            return
        yield [StoredPage(*row[:9], archive.raw_body(row[9]) if row[9] else b"") for row in rows]
        last = rows[-1][0]


def _filters(job: dict) -> tuple[str, list]:
    where = [f"outcome IN ({', '.join('?' * len(EXTRACTED))})"]
    params: list = list(EXTRACTED)
    if job["portal"]:
        where.append("portal = ?")
        params.append(job["portal"])
    if job["since"]:
        where.append("fetched_at >= ?")
        params.append(job["since"])
    return " AND ".join(where), params


def apply(archive: Archive, job: dict, page: StoredPage, outcome: str, reason: str | None,
          charset: str | None, article: Article | None) -> bool:
    """Store one page's new verdict; True when anything changed. Call inside a transaction."""
    db = archive.db
    before = db.execute("SELECT outcome, reason, charset FROM pages WHERE id = ?", [page.id]).fetchone()
    changed = before != (outcome, reason, charset)
    db["pages"].update(page.id, {"outcome": outcome, "reason": reason, "charset": charset})
    if article is None:
        return changed
    fields = {"title": article.title, "published": article.published, "source": article.source,
              "author": article.author, "text": article.text, "content_hash": content_hash(article.text)}
    if page.article_id is not None and page.dedup != "alias":
        current = db["articles"].get(page.article_id)
        if any(current[k] != v for k, v in fields.items()):
            db["articles"].update(page.article_id, fields)
            if current["text"] != article.text:
                neardup.index_article(db, page.article_id, article.text)
            changed = True
        return changed
    if page.article_id is None:
        article_id, dedup = archive.store_article(
            Page(url=page.url, portal=page.portal, fetched_at=page.fetched_at, final_url=page.final_url,
                 outcome="article", article=article)
        )
        db["pages"].update(page.id, {"article_id": article_id, "dedup": dedup})
        if dedup in ("new", "earlier"):
            archive.make_article_page(article_id, page.id)
        return True
    return changed


def checkpoint(archive: Archive, job: dict, last_page_id: int, pages_done: int, changed: int,
               finished: bool = False) -> None:
    values = {"last_page_id": last_page_id, "pages": pages_done, "changed": changed}
    if finished:
        values["finished"] = utc_now()
    with archive.writing():
        archive.db["reextract_runs"].update(job["id"], values)
