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

from storage import cpu_stages

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


# A column prefix (title:民警), a NEAR group, a "phrase", parentheses, or a word.
_QUERY_TOKEN = re.compile(r'([A-Za-z]+):\s*|NEAR\(([^()]*)\)|"([^"]*)"|(\()|(\))|([^\s()"]+)')
_OPERATORS = {"AND", "OR", "NOT"}
COLUMNS = ("title", "text")  # what a term can be limited to, as title:民警
NEAR_DISTANCE = 10  # NEAR(a b) without a distance: at most this many characters between the terms (FTS5's default)
_NEAR_BODY = re.compile(r'^(?P<terms>[^,]*?)\s*(?:,\s*(?P<distance>[^,]*?)\s*)?$')


def _near(body: str) -> str:
    """NEAR(term term ..., N) as an FTS5 NEAR group, N counting the characters between the terms as a reader
    would: in the bigram index, N characters between two terms of a run of Chinese are N + 1 tokens."""
    found = _NEAR_BODY.match(body)
    if found is None or (found["distance"] is not None and not found["distance"].isdigit()):
        raise QuerySyntaxError("NEAR takes terms and an optional distance in characters: NEAR(民警 抓获, 10)")
    terms = [t for t in (_term(p or w) for p, w in re.findall(r'"([^"]*)"|([^\s"]+)', found["terms"])) if t]
    if len(terms) < 2:
        raise QuerySyntaxError("NEAR needs two or more terms: NEAR(民警 抓获, 10)")
    return f"NEAR({' '.join(terms)}, {int(found['distance'] or NEAR_DISTANCE) + 1})"


def terms(query: str) -> list[str]:
    """The words and phrases a query looks for, as typed (for snippets): no operators, columns or distances."""
    found = []
    for column, near, phrase, _, _, word in _QUERY_TOKEN.findall(query):
        if near:
            found += [p or w for p, w in re.findall(r'"([^"]*)"|([^\s",]+)', near.split(",")[0])]
        elif phrase or (word and word not in _OPERATORS):
            found.append(phrase or word)
    return [t for t in found if t]


def match_expression(query: str) -> str:
    """Translate a user query (words, "phrases", AND/OR/NOT, parentheses, title:/text: column filters,
    NEAR(a b, N)) into an FTS5 MATCH expression; anything else is a QuerySyntaxError that says what to write."""
    if query.count('"') % 2:
        raise QuerySyntaxError('unbalanced quote in the query; close every "phrase"')
    parts: list[str] = []
    depth = 0
    previous = None  # "term", "op", "(", ")" or "column"
    for column, near, phrase, opening, closing, word in _QUERY_TOKEN.findall(query):
        if column:
            if column.lower() not in COLUMNS:
                raise QuerySyntaxError(f"{column}: is no column to search; limit a term to title: or text: "
                                       '(title:民警), or put words with a colon in quotes')
            if previous in ("term", ")"):
                parts.append("AND")
            parts.append(f"{column.lower()} :")
            previous = "column"
        elif opening:
            if previous in ("term", ")"):
                parts.append("AND")
            parts.append("(")
            depth, previous = depth + 1, "("
        elif closing:
            if depth == 0 or previous in ("op", "(", "column"):
                raise QuerySyntaxError("unbalanced or empty parentheses in the query")
            parts.append(")")
            depth, previous = depth - 1, ")"
        elif word in _OPERATORS:
            if previous == "column":
                raise QuerySyntaxError("title: and text: need a term right after them (title:民警)")
            if previous in (None, "op", "(") and not (word == "NOT" and previous is None):
                raise QuerySyntaxError(f"{word} needs a search term on each side")
            parts.append(word)
            previous = "op"
        elif word == "NEAR":
            raise QuerySyntaxError("write NEAR with its terms in parentheses, no space between: NEAR(民警 抓获, 10)")
        else:
            term = _near(near) if near else _term(phrase or word)
            if term is None:
                if previous == "column":
                    raise QuerySyntaxError("title: and text: need a term right after them (title:民警)")
                continue  # punctuation only: nothing to look for
            if previous in ("term", ")"):
                parts.append("AND")
            parts.append(term)
            previous = "term"
    if depth:
        raise QuerySyntaxError("unbalanced parentheses in the query")
    if previous == "column":
        raise QuerySyntaxError("title: and text: need a term right after them (title:民警)")
    if previous in (None, "op", "("):
        if parts:
            raise QuerySyntaxError("the query ends without a search term")
        raise QuerySyntaxError("the query holds no word to look for (punctuation is not searched); type one, like 民警"
                               if query.strip() else "the query is empty")
    if parts[0] == "NOT":
        raise QuerySyntaxError("a query cannot start with NOT; put a term before it (民警 NOT 交通)")
    return " ".join(parts)


def register(conn: sqlite3.Connection, known: dict[str, str] | None = None) -> None:
    """Make fts_tokens() available to this connection (the triggers need it). `known` maps texts to their tokens
    made beforehand (in an extraction worker, off the crawl's process): the triggers take those as they are."""
    if known is None:
        conn.create_function("fts_tokens", 1, fts_tokens, deterministic=True)
        return

    def tokens(text: str | None) -> str:
        made = known.get(text) if text else None
        if made is not None:
            return made
        with cpu_stages.stage(cpu_stages.FTS):
            return fts_tokens(text)

    conn.create_function("fts_tokens", 1, tokens, deterministic=True)


TITLE_WEIGHT = 5.0  # a match in the headline counts this many times a match in the text
# FTS5 merges the index's segments when this many of one size have piled up (its default is 4). Every merge
# rewrites the postings again, once per size level, and the levels grow with the archive: with 8 there are fewer
# levels, and adding an article at 100,000 articles cost 13-27 % less CPU (`bench archive`, two runs), at the
# price of searches reading up to 7 segments per level instead of 3.
AUTOMERGE = 8

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
