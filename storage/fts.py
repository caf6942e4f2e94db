"""Chinese full-text search: an FTS5 index of character bigrams over the simplified-script text.

Why bigrams: FTS5's unicode61 tokenizer makes a whole run of Chinese one token, and trigram cannot match
the two-character words most queries are (民警, 追逃, 诈骗). Indexing every overlapping pair of characters
finds every article containing a query of two or more characters — a longer query becomes a phrase of
adjacent bigrams, so precision stays exact. Traditional script is converted to simplified (OpenCC) on both
sides, so 警察 finds 警察 and its traditional spelling alike.

The index is contentless (it stores postings, not text) and kept in sync with `articles` by triggers that
call `fts_tokens()`, a function every archive connection registers.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

import opencc

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")


class QuerySyntaxError(ValueError):
    """A search query that cannot be turned into a full-text query."""


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    return _converter().convert(text)


def _run_tokens(run: str) -> list[str]:
    if not _IS_CJK.match(run):
        return [run.lower()]
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def fts_tokens(text: str | None) -> str:
    """The indexed form: simplified, CJK runs as overlapping bigrams, other words lower-cased."""
    if not text:
        return ""
    return " ".join(token for run in _RUN.findall(simplified(text)) for token in _run_tokens(run))


def _term(term: str) -> str | None:
    """One user term as an FTS5 phrase of its tokens (None for punctuation); a lone character is a prefix."""
    tokens = [t for run in _RUN.findall(simplified(term)) for t in _run_tokens(run)]
    if not tokens:
        return None
    if len(tokens) == 1 and len(tokens[0]) == 1 and _IS_CJK.match(tokens[0]):
        return f'"{tokens[0]}"*'
    return '"' + " ".join(tokens) + '"'


_QUERY_TOKEN = re.compile(r'"([^"]*)"|(\()|(\))|([^\s()"]+)')
_OPERATORS = {"AND", "OR", "NOT"}


def match_expression(query: str) -> str:
    """Translate a user query (words, "phrases", AND/OR/NOT, parentheses) into an FTS5 MATCH expression."""
    if query.count('"') % 2:
        raise QuerySyntaxError('unbalanced quote in the query; close every "phrase"')
    parts: list[str] = []
    depth = 0
    previous = None  # "term", "op", "(" or ")"
    for phrase, opening, closing, word in _QUERY_TOKEN.findall(query):
        if opening:
            if previous in ("term", ")"):
                parts.append("AND")
            parts.append("(")
            depth, previous = depth + 1, "("
        elif closing:
            if depth == 0 or previous in ("op", "("):
                raise QuerySyntaxError("unbalanced or empty parentheses in the query")
            parts.append(")")
            depth, previous = depth - 1, ")"
        elif word in _OPERATORS:
            if previous in (None, "op", "(") and not (word == "NOT" and previous is None):
                raise QuerySyntaxError(f"{word} needs a search term on each side")
            parts.append(word)
            previous = "op"
        else:
            term = _term(phrase or word)
            if term is None:
                continue  # punctuation only: nothing to look for
            if previous in ("term", ")"):
                parts.append("AND")
            parts.append(term)
            previous = "term"
    if depth:
        raise QuerySyntaxError("unbalanced parentheses in the query")
    if previous in (None, "op", "("):
        raise QuerySyntaxError("the query ends without a search term" if parts else "the query is empty")
    if parts[0] == "NOT":
        raise QuerySyntaxError("a query cannot start with NOT; put a term before it (民警 NOT 交通)")
    return " ".join(parts)


def register(conn: sqlite3.Connection) -> None:
    """Make fts_tokens() available to this connection (the triggers need it)."""
    conn.create_function("fts_tokens", 1, fts_tokens, deterministic=True)


TITLE_WEIGHT = 5.0  # a match in the headline counts this many times a match in the text

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, text, content='', tokenize='unicode61')",
    # The default ranking, so `ORDER BY rank` (faster than calling bm25() in ORDER BY) weighs titles.
    f"INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', 'bm25({TITLE_WEIGHT}, 1.0)')",
    """CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, fts_tokens(new.title), fts_tokens(new.text));
END""",
    """CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, text)
  VALUES ('delete', old.id, fts_tokens(old.title), fts_tokens(old.text));
END""",
    """CREATE TRIGGER IF NOT EXISTS articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, text)
  VALUES ('delete', old.id, fts_tokens(old.title), fts_tokens(old.text));
  INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, fts_tokens(new.title), fts_tokens(new.text));
END""",
)
