"""One archived article in full, as a reader wants it: the text with its metadata, copies and versions."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from storage.archive import ArchiveError


class NoSuchArticle(ArchiveError):
    """No article has this id."""


@dataclass
class Copy:
    """Another page with the same text: a syndicated copy, published later or in another place."""

    portal: str
    url: str


@dataclass
class FullArticle:
    id: int
    portal: str
    url: str
    title: str | None
    published: str | None
    source: str | None
    author: str | None
    text: str
    first_seen: str
    copies: list[Copy] = field(default_factory=list)
    versions: int = 0  # earlier texts kept in article_versions (the article was corrected)


def read_article(db: Database, article_id: int) -> FullArticle:
    row = db.execute("SELECT id, portal, url, title, published, source, author, text, first_seen FROM articles "
                     "WHERE id = ?", [article_id]).fetchone()
    if row is None:
        raise NoSuchArticle(f"no article {article_id} in the archive; `search` lists articles with their ids")
    article = FullArticle(*row)
    article.copies = [Copy(*r) for r in db.execute(
        "SELECT DISTINCT portal, coalesce(final_url, url) FROM pages WHERE article_id = ? AND dedup = 'alias'",
        [article_id])]
    article.versions = db.execute("SELECT count(*) FROM article_versions WHERE article_id = ?",
                                  [article_id]).fetchone()[0]
    return article
