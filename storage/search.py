"""Ranked full-text search over the archive (see fts.py for how Chinese text is indexed)."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from sqlite_utils import Database

from storage.fts import QuerySyntaxError, match_expression, simplified, terms
from storage.records import MAX_ROWS

SNIPPET_CHARS = 80
# bm25 ranking needs each term's document count, a pass over the term's whole posting list: for a word
# found in most articles (民警) that pass costs more than a LIKE scan's fraction of it. Past this many
# matches a word says little about relevance, so the order is headline matches first, then the rest, the
# most recently archived first within each: two index walks that stop at `limit`, however common the word.
RANK_WINDOW = 500


@dataclass
class Hit:
    id: int
    published: str | None
    portal: str
    title: str | None
    url: str
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans of the snippet that matched
    source: str | None = None


def count(db: Database, query: str, portal: str | None = None, since: str | None = None,
          until: str | None = None, source: str | None = None) -> int:
    """How many articles match, all of them (search() returns only the best `limit`)."""
    where, params = _filters(portal, since, until, source)
    if not where:
        sql = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
    else:
        sql = ("SELECT count(*) FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
               f"WHERE {' AND '.join(['articles_fts MATCH ?', *where])}")
    try:
        return db.execute(sql, [match_expression(query), *params]).fetchone()[0]
    except sqlite3.OperationalError as exc:
        raise QuerySyntaxError(f"the search index cannot run this query ({exc}); simplify it") from None


FACETS = {"portal": "a.portal", "source": "a.source", "year": "substr(a.published, 1, 4)"}


def facets(db: Database, query: str, portal: str | None = None, since: str | None = None,
           until: str | None = None, source: str | None = None, limit: int = 20) -> dict[str, list[tuple[str, int]]]:
    """How the matching articles divide by portal, source and year of publication, largest first."""
    where, params = _filters(portal, since, until, source)
    expression = match_expression(query)
    found = {}
    for name, column in FACETS.items():
        sql = (f"SELECT {column}, count(*) FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
               f"WHERE {' AND '.join(['articles_fts MATCH ?', *where, f'{column} IS NOT NULL'])} "
               "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?")
        try:
            found[name] = [tuple(row) for row in db.execute(sql, [expression, *params, limit]).fetchall()]
        except sqlite3.OperationalError as exc:
            raise QuerySyntaxError(f"the search index cannot run this query ({exc}); simplify it") from None
    return found


def _filters(portal: str | None, since: str | None, until: str | None,
             source: str | None = None) -> tuple[list[str], list[str]]:
    """SQL conditions on the articles (as `a`) for a portal, a source and a range of publication dates."""
    where, params = [], []
    if portal:
        where.append("a.portal = ?")
        params.append(portal)
    if source:
        where.append("a.source = ?")
        params.append(source)
    if since:
        where.append("a.published >= ?")
        params.append(since)
    if until:
        where.append("a.published < ?")
        params.append(until + "~")  # a date-only bound covers that whole day
    return where, params


def _first_match(text: str, terms: list[str]) -> tuple[str, int]:
    """Where a term first occurs: in the text as written, else in its simplified form (one conversion)."""
    found = [text.find(t) for t in terms if text.find(t) >= 0]
    if found:
        return text, min(found)
    plain = simplified(text)  # t2s maps character to character for the text we index
    if len(plain) != len(text):
        return text, 0
    found = [plain.find(t) for t in terms if plain.find(t) >= 0]
    return plain, min(found) if found else 0


def query_terms(query: str) -> list[str]:
    """The query's words and phrases in simplified script, for snippets."""
    return [t for t in dict.fromkeys(simplified(t) for t in terms(query)) if t]


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """A window of the text around the first match, and where the query's terms sit in it."""
    haystack, position = _first_match(text, terms)
    start = max(0, position - width // 4)
    window = text[start : start + width].replace("\n", " ")
    spans = sorted({(m.start(), m.end()) for t in terms
                    for m in re.finditer(re.escape(t), haystack[start : start + width])})
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(text) else ""
    return prefix + window + suffix, [(a + len(prefix), b + len(prefix)) for a, b in spans]


def _more_matches_than(db: Database, expression: str, n: int) -> bool:
    try:
        row = db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1 OFFSET ?",
                         [expression, n]).fetchone()
    except sqlite3.OperationalError as exc:
        raise QuerySyntaxError(f"the search index cannot run this query ({exc}); simplify it") from None
    return row is not None


def _select(db: Database, expression: str, where: list[str], params: list, order: str, limit: int) -> list[tuple]:
    sql = (
        "SELECT a.id, a.published, a.portal, a.source, a.title, a.url, a.text FROM articles_fts "
        "JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE {' AND '.join(['articles_fts MATCH ?', *where])} ORDER BY {order} LIMIT ?"
    )
    try:
        return db.execute(sql, [expression, *params, limit]).fetchall()
    except sqlite3.OperationalError as exc:
        raise QuerySyntaxError(f"the search index cannot run this query ({exc}); simplify it") from None


def search(
    db: Database,
    query: str,
    portal: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
    rank_window: int = RANK_WINDOW,
    source: str | None = None,
) -> list[Hit]:
    """Articles matching the query, best first; raises QuerySyntaxError for a query it cannot run."""
    expression = match_expression(query)
    limit = min(limit, MAX_ROWS)
    where, params = _filters(portal, since, until, source)
    if not _more_matches_than(db, expression, rank_window):
        rows = _select(db, expression, where, params, "articles_fts.rank", limit)
    else:
        rows = _select(db, f"({expression}) AND title : ({expression})", where, params, "articles_fts.rowid DESC", limit)
        seen = {row[0] for row in rows}
        more = _select(db, expression, where, params, "articles_fts.rowid DESC", min(limit + len(rows), MAX_ROWS))
        rows += [row for row in more if row[0] not in seen][: limit - len(rows)]
    hits = []
    terms = query_terms(query)
    for id_, published, portal_name, source_name, title, url, text in rows:
        snip, spans = snippet(text, terms)
        hits.append(Hit(id_, published, portal_name, title, url, snip, spans, source_name))
    return hits
