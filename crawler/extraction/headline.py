"""The story's headline, chosen among every candidate the page offers by how well each agrees with the page's
own title (`<title>`, or the title metas), not by which selector matched first.

A template may print the site's name in an `<h1>` (the logo), a box title in `.title`, or the channel in `<h2>`;
the headline is the candidate the `<title>` repeats. When none agrees, the `<title>` without its site and
channel segments is the headline, unless it is only the site's name.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from lxml.html import HtmlElement

from crawler.extraction.blocks import clean_line
from crawler.extraction.patterns import (
    NOISE_LINE,
    SHORT_NOISE_LINE,
    SITE_WORDS,
    TIME_LINE,
    TITLE_DECORATION,
    TITLE_META,
    TITLE_SEPARATORS,
)

MIN_CHARS, MAX_CHARS = 2, 120
MAX_TITLE_CHARS = 300  # a longer <title> is cut before its site segments are looked for (and is no headline)
# A headline element holding the page's title with this much besides (a label, the source) is cut to the title.
OWN_WORDS = 0.6
# How much a candidate must share with the page's own title to be taken as the headline (bigram F1).
AGREEMENT = 0.5
_NOT_TEXT = re.compile(r"[\W_]+")
_LATIN_TAIL = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,30}$")  # "cctv.com", "ETtoday", "BBC News"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def strip_site_suffix(title: str, suffixes: tuple[str, ...] = ()) -> str:
    """The title without the site and channel names after it ("标题_国内新闻_央视网(cctv.com)" → "标题")."""
    title = TITLE_DECORATION.sub("", clean_line(title)[:MAX_TITLE_CHARS])
    for suffix in suffixes:
        if suffix and title.endswith(suffix) and len(title) > len(suffix):
            return clean_line(title[: -len(suffix)].rstrip("_-|｜－— "))
    while True:
        separators = list(TITLE_SEPARATORS.finditer(title))
        if not separators:
            return title
        head, tail = title[: separators[-1].start()], title[separators[-1].end():]
        if not head or not _is_site_segment(tail, head):
            return title
        title = head


def _is_site_segment(tail: str, head: str) -> bool:
    """A segment naming a site or channel: short and with a site word ("大众网", "新闻频道", "自由時報電子報"),
    or a short Latin name after a Chinese headline ("cctv.com", "ETtoday")."""
    tail = tail.strip()
    if not tail:
        return True
    if len(tail) <= 16 and SITE_WORDS.search(tail):
        return True
    return bool(_LATIN_TAIL.match(tail) and _CJK.search(head))


def is_site_name(text: str, known: frozenset[str] = frozenset()) -> bool:
    """A title that is only a site or channel name ("新浪新闻", "中国宁波网首页", "CCTV.com"), or one the page
    itself shows to be its name (see `site_names`)."""
    return (text in known or (len(text) <= 12 and bool(SITE_WORDS.search(text)))
            or (len(text) <= 20 and bool(_LATIN_TAIL.match(text))))


_HOME = re.compile(r"^(?:\.{0,2}/|(?:\.?/)?index\.\w+|https?://[^/]+/?(?:index\.\w+)?)$", re.I)
_SITE_NAME_CHARS = 20
_FOOTER_LINES = 40  # a page's last lines, where its copyright line stands


def site_names(root: HtmlElement, page_lines: list[str], texts: list[str]) -> frozenset[str]:
    """The names the site goes by on this page, whatever words they use ("平安温州"): the text of a link to a
    home page (the logo), and any of `texts` (headline candidates, titles) that the footer's copyright lines
    print. A headline is neither."""
    names = set()
    for a in root.iter("a"):
        if _HOME.match((a.get("href") or "").strip()):
            text = clean_line(a.text_content()) or clean_line(next((img.get("alt") or "" for img in a.iter("img")), ""))
            if MIN_CHARS <= len(text) <= _SITE_NAME_CHARS:
                names.add(text)
    footer = [line for line in page_lines[-_FOOTER_LINES:] if SHORT_NOISE_LINE.search(line)]
    names.update(t for t in texts if MIN_CHARS <= len(t) <= _SITE_NAME_CHARS and any(t in line for line in footer))
    return frozenset(names)


_LEADING_LABEL = re.compile(r"^[【\[](?P<name>[^】\]]{2,12})[】\]]\s*")


def without_site_prefix(title: str, known: frozenset[str]) -> str:
    """The title without a site name before it ("【平安温州】标题", "平安温州 | 标题")."""
    label = _LEADING_LABEL.match(title)
    if label and label["name"] in known and len(title) > label.end():  # not a column's label ("【资讯汇总】")
        return title[label.end():]
    separator = TITLE_SEPARATORS.search(title)
    if separator and title[:separator.start()] in known and len(title) > separator.end():
        return title[separator.end():]
    return title


def agreement(candidate: str, reference: str) -> float:
    """Bigram F1 of two texts with punctuation and spaces removed (1.0: the same words)."""
    a, b = _bigrams(candidate), _bigrams(reference)
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


@functools.lru_cache(maxsize=256)  # a page's titles are compared with every candidate and line
def _bigrams(text: str) -> Counter:
    s = _NOT_TEXT.sub("", text).lower()
    return Counter(s[i:i + 2] for i in range(len(s) - 1)) if len(s) > 1 else Counter(s)


def references(root: HtmlElement, suffixes: tuple[str, ...] = ()) -> list[str]:
    """The page's own titles without site suffixes: `<title>`, then the title metas (og:title …)."""
    found = [root.findtext(".//title") or ""]
    for meta in root.iter("meta"):
        name = (meta.get("property") or meta.get("name") or "").lower()
        if name in TITLE_META and meta.get("content"):
            found.append(meta.get("content"))
    titles = [strip_site_suffix(t, suffixes) for t in found if clean_line(t)]
    return list(dict.fromkeys(t for t in titles if t))


def own_titles(titles: list[str], known: frozenset[str] = frozenset()) -> list[str]:
    """The page's titles that are more than a site's name."""
    return [t for t in titles if len(t) >= MIN_CHARS and not is_site_name(t, known)]


def choose(candidates: list[str], titles: list[str], page_lines: list[str],
           known: frozenset[str] = frozenset()) -> str | None:
    """The headline when the page confirms it, else None.

    Confirmed: the candidate that agrees best with one of the page's own titles; or a line the page prints that
    is the start of such a title (the rest of the title being a site name no rule knows: "标题-EDN 电子技术设计").
    """
    plausible = [c for c in _plausible(candidates) if c not in known]
    own = own_titles(titles, known)
    best, best_score = None, 0.0
    for candidate in plausible:
        score = max((agreement(candidate, t) for t in own), default=0.0)
        if score > best_score:
            best, best_score = candidate, score
    if best and best_score >= AGREEMENT:
        # a headline element that runs on into a label, the source or the date: the title's words only
        found = next((t for t in own if t in best and len(t) >= OWN_WORDS * len(best)), best)
        return TITLE_DECORATION.sub("", found)
    for t in own:
        printed = [line for line in page_lines if len(line) <= MAX_CHARS and _prints(line, t)]
        if printed:
            return max(printed, key=len)
    return None


_ELLIPSIS = re.compile(r"(?:\.{2,}|…+|。。+)$")


def _prints(line: str, title: str) -> bool:
    """The page prints the headline its title holds: the title's start (the rest a site name no rule knows), its
    end (a column label before it: "【公安要闻】标题"), or the whole of a title cut short with an ellipsis."""
    if len(line) < max(MIN_CHARS, len(title) // 2):
        return False
    if title.startswith(line):
        return True
    if title.endswith(line) and len(line) >= OWN_WORDS * len(title):
        return True
    cut = _ELLIPSIS.sub("", title)
    return cut != title and len(cut) >= MIN_CHARS and line.startswith(cut)


def _plausible(candidates: list[str]) -> list[str]:
    return [c for c in (clean_line(c) for c in candidates) if MIN_CHARS <= len(c) <= MAX_CHARS]


def above_story(page_lines: list[str], story_at: int | None, candidates: list[str], titles: list[str],
                known: frozenset[str] = frozenset()) -> str | None:
    """The headline of a page that does not confirm one, by its place: the headline element nearest above the
    story (and its info line); when the page's titles name only the site, the line just above the story that
    reads like a headline (not a time, a label or a sentence); else the page's own title."""
    own = own_titles(titles, known)
    if story_at:
        elements = set(_plausible(candidates))
        for line in reversed(page_lines[max(0, story_at - _ELEMENT_REACH):story_at]):
            if line in elements and not is_site_name(line, known) and not NOISE_LINE.search(line):
                return line
        if not own:
            first = page_lines[story_at]
            if _reads_like_headline(first) and story_at + 1 < len(page_lines) \
                    and TIME_LINE.search(page_lines[story_at + 1]):
                return first  # the story as found starts with its headline and info line
            for line in reversed(page_lines[max(0, story_at - _LINE_REACH):story_at]):
                if TIME_LINE.search(line) or NOISE_LINE.search(line) or is_site_name(line, known):
                    continue
                return line if _reads_like_headline(line) else None
    return own[0] if own else None


def _reads_like_headline(line: str) -> bool:
    return 8 <= len(line) <= 80 and not _SENTENCE_END.search(line) and not TIME_LINE.search(line)


_ELEMENT_REACH, _LINE_REACH = 10, 4
_SENTENCE_END = re.compile(r"[。；;]$|[。！？][^。！？]{8,}")
