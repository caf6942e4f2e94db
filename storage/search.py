"""Ranked full-text search over the archive (see fts.py for how Chinese text is indexed)."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from sqlite_utils import Database

from storage.fts import QuerySyntaxError, match_expression, simplified

SNIPPET_CHARS = 80
TITLE_WEIGHT = 5.0  # a hit in the headline counts this many times a hit in the text


@dataclass
class Hit:
    id: int
    published: str | None
    portal: str
    title: str | None
    url: str
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans of the snippet that matched


def _terms(query: str) -> list[str]:
    words = re.findall(r'"([^"]+)"|(\S+)', query)
    return [p or w for p, w in words if (p or w) not in ("AND", "OR", "NOT") and (p or w).strip("()")]


def snippet(text: str, query: str, width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """A window of the text around the first match, and where the query's terms sit in it."""
    plain = simplified(text)  # t2s keeps one character per character for the text we index
    terms = [simplified(t.strip("()")) for t in _terms(query)]
    terms = [t for t in terms if t]
    positions = [plain.find(t) for t in terms if plain.find(t) >= 0] if len(plain) == len(text) else []
    start = max(0, min(positions) - width // 4) if positions else 0
    window = text[start : start + width].replace("\n", " ")
    window_plain = plain[start : start + width] if len(plain) == len(text) else window
    spans = sorted({(m.start(), m.end()) for t in terms for m in re.finditer(re.escape(t), window_plain)})
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(text) else ""
    return prefix + window + suffix, [(a + len(prefix), b + len(prefix)) for a, b in spans]


def search(
    db: Database,
    query: str,
    portal: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
) -> list[Hit]:
    """Articles matching the query, best first; raises QuerySyntaxError for a query it cannot run."""
    expression = match_expression(query)
    where, params = ["articles_fts MATCH ?"], [expression]
    if portal:
        where.append("a.portal = ?")
        params.append(portal)
    if since:
        where.append("a.published >= ?")
        params.append(since)
    if until:
        where.append("a.published < ?")
        params.append(until + "~")  # a date-only bound covers that whole day
    sql = (
        "SELECT a.id, a.published, a.portal, a.title, a.url, a.text FROM articles_fts "
        "JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE {' AND '.join(where)} ORDER BY bm25(articles_fts, ?, 1.0) LIMIT ?"
    )
    try:
        rows = db.execute(sql, [*params, TITLE_WEIGHT, limit]).fetchall()
    except sqlite3.OperationalError as exc:
        raise QuerySyntaxError(f"the search index cannot run this query ({exc}); simplify it") from None
    hits = []
    for id_, published, portal_name, title, url, text in rows:
        snip, spans = snippet(text, query)
        hits.append(Hit(id_, published, portal_name, title, url, snip, spans))
    return hits
