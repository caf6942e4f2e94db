"""Where things stand on the page, in its lines as a reader sees them: the headline, the info line below it,
the body's first and last paragraph, and the rows just after the story (where many sites print the source).
"""

from __future__ import annotations

import re

from crawler.extraction.patterns import DATE, INFO_LINE

INFO_LINES = 8  # how many lines below the headline may hold the info line
BELOW_LINES = 12  # how many rows after the story may hold its source (past share buttons and counters)
_KEY_CHARS = 12
_LIST_MARK = re.compile(r"^[-*•·]\s+")
_PROSE = re.compile(r"[。！？]")


def title_at(page_lines: list[str], title: str | None, limit: int) -> int | None:
    """The last line before `limit` that is the headline (with at most a few words around it)."""
    if not title:
        return None
    return next((i for i in range(min(limit, len(page_lines)) - 1, -1, -1)
                 if _is_headline_line(page_lines[i], title)), None)


def _is_headline_line(line: str, title: str) -> bool:
    return title in line and len(line) <= len(title) + 30


def start_at(page_lines: list[str], lines: list[str], title: str | None) -> int | None:
    """Where in the page the first paragraph of `lines` (not the headline or the info line) stands."""
    key = _first_key(lines, title)
    return next((i for i, line in enumerate(page_lines) if key and key in line), None)


def _first_key(lines: list[str], title: str | None) -> str | None:
    for line in lines:
        line = _LIST_MARK.sub("", line)
        if title and line.startswith(title):
            line = line[len(title):].strip()
        if len(line) >= 20 and not INFO_LINE.search(line):
            return line[:_KEY_CHARS]
    return None


def info_region(page_lines: list[str], body_lines: list[str], title: str | None) -> list[str]:
    """The lines below the headline and above the story, where sites print time, source and author.

    Of the headline's places above the story (a breadcrumb may repeat it), the nearest whose lines below print
    a date; else the nearest. Without a headline, the lines just above the story.
    """
    body_at = start_at(page_lines, body_lines, title)
    limit = body_at if body_at is not None else min(len(page_lines), 80)
    places = [i for i in range(limit - 1, -1, -1) if title and _is_headline_line(page_lines[i], title)]
    regions = [_below_headline(page_lines, at, body_at) for at in places]
    for region in regions:
        if any(DATE.search(line) for line in region):
            return region
    if regions:
        return regions[0]
    end = body_at or 0
    return page_lines[max(0, end - INFO_LINES): end]


def _below_headline(page_lines: list[str], at: int, body_at: int | None) -> list[str]:
    end = body_at if body_at is not None and body_at > at else at + 1 + INFO_LINES
    region = page_lines[at + 1: min(end, at + 1 + 2 * INFO_LINES)]
    prose = next((k for k, line in enumerate(region) if len(line) >= 60 and _PROSE.search(line)), len(region))
    return region[:prose]


def below(page_lines: list[str], body_lines: list[str], max_chars: int = 100) -> list[str]:
    """The short rows just after the story's last paragraph ("来源：新京报", "2019-09-07 编辑：…")."""
    key = next((line[-_KEY_CHARS:] for line in reversed(body_lines) if len(line) >= _KEY_CHARS), None)
    if not key:
        return []
    at = next((i for i in range(len(page_lines) - 1, -1, -1) if key in page_lines[i]), None)
    if at is None:
        return []
    return [line for line in page_lines[at + 1: at + 1 + BELOW_LINES] if len(line) <= max_chars]


def above(page_lines: list[str], body_lines: list[str]) -> list[str]:
    """The page's lines above the first body paragraph."""
    if not body_lines:
        return []
    first = body_lines[0]
    at = next((i for i, line in enumerate(page_lines) if first in line or (line in first and len(line) >= 20)), None)
    return page_lines[:at] if at is not None else []


def outside(page_lines: list[str], body_lines: list[str]) -> list[str]:
    """The page's lines that are not body paragraphs (a date inside the story is not its publication time)."""
    body = set(body_lines)
    return [line for line in page_lines if line not in body]

