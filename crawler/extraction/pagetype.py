"""Whether what was extracted is an article: list pages of every shape, error pages in a portal's full frame,
redirect stubs, and pages with too little text, each with its reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from crawler.extraction.patterns import META_REFRESH, NOT_FOUND_TEXT, REDIRECT_WORDS, SCRIPT_REDIRECT

# How much text a page has: each Chinese character or kana counts, as does each word of a spaced script
# (Latin, Cyrillic, Arabic, Hangul …).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_OR_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
NOT_FOUND_CHARS = 40  # a not-found message is a short line
SMALL_PAGE = 300  # below this much text, a not-found message anywhere on the page decides
STUB_CHARS = 200  # a redirect stub says little besides "redirecting"
EMPTY_TEMPLATE = "article template with an empty body"  # a deleted story, or one a script writes in
# A list of teasers: headline links, each with its summary; no run of text between two links is the story.
TEASER_LINKS = 5
STORY_RUN_SHARE = 0.4
TEASER_CHARS = 200  # a teaser's summary is short; a story's run of paragraphs between two links is longer


def size(text: str) -> int:
    return len(CJK_OR_WORD.findall(text))


@dataclass(frozen=True)
class Page:
    """What the verdict weighs."""

    text: str  # the body without its link lines
    body_lines: list[str]
    linked: list[str]  # body lines that are a link's text (a list's items)
    page_lines: list[str]
    headline_texts: set[str]
    raw: str
    has_container: bool
    has_headline: bool  # a headline of the page's own (not just the site's name)
    confirmed_headline: bool  # a headline element the page's title repeats
    items: tuple[str, ...] = ()  # the texts of the page's largest run of repeated link items (see `link_items`)


def rejection(page: Page, min_chars: int, list_link_share: float) -> tuple[str, str] | None:
    """(status, reason) when the page is not an article, else None."""
    n = size(page.text)
    if _not_found_message(page, n):
        return "not_found", "error page (page-not-found message)"
    stub = _redirect(page, n)
    if stub:
        return "not_article", f"redirect stub (to {stub[:80]})"
    furniture = [line for line in page.body_lines if _FURNITURE.match(line)]
    measured = sum(map(len, page.body_lines)) - sum(map(len, furniture))
    linked_share = sum(map(len, page.linked)) / max(1, measured)
    if len(page.linked) >= TEASER_LINKS and linked_share > list_link_share and not _story_then_links(page, min_chars):
        return "not_article", f"list page ({len(page.linked)} of {len(page.body_lines)} paragraphs are links)"
    if _teasers(page):
        return "not_article", f"list page ({len(page.linked)} headlines with their summaries)"
    items = _items_verdict(page, min_chars)
    if items:
        return "not_article", items
    if n >= min_chars:
        return None
    if not page.has_container and len(page.headline_texts) >= 20:
        return "not_article", f"list page ({len(page.headline_texts)} headline links, {n} characters of text)"
    if n == 0 and page.has_headline:
        return "not_found", EMPTY_TEMPLATE
    if n == 0:
        return "not_article", "no text on the page"
    return "not_article", f"too little text ({n} characters)"


def _story_then_links(page: Page, min_chars: int) -> bool:
    """A short story under its own headline, with a list of other stories below it (not a list page)."""
    if not page.confirmed_headline:
        return False
    linked = set(page.linked)
    before = next((i for i, line in enumerate(page.body_lines) if line in linked), len(page.body_lines))
    return size("".join(page.body_lines[:before])) >= min_chars


def _redirect(page: Page, n: int) -> str | None:
    """Where a page with next to no text sends the reader at once: a meta refresh, or a script when the page says
    it is redirecting (a mobile-site script on a short story is no stub)."""
    if n >= STUB_CHARS:
        return None
    refresh = META_REFRESH.search(page.raw)
    if refresh:
        return refresh.group("to")
    script = SCRIPT_REDIRECT.search(page.raw)
    if script and (n < 20 or REDIRECT_WORDS.search(page.text)):
        return script.group("to")
    return None


# Rows of a list that are only numbers, dates and times (a thread list's replies/views, a list's dates).
_FURNITURE = re.compile(r"^[\d\s/:：.\-|年月日()（）]+$")


def _not_found_message(page: Page, n: int) -> bool:
    """A short not-found message: on a page with little text; or, in a portal's full frame, on a page without a
    headline of its own (whatever text its sidebars and footer add)."""
    lines = page.body_lines or page.page_lines[:60]
    if n < SMALL_PAGE and any(len(line) <= NOT_FOUND_CHARS and NOT_FOUND_TEXT.search(line) for line in lines):
        return True
    if page.confirmed_headline:
        return False
    story = set(page.body_lines)  # a sentence of the story ("对方的微信已被删除。") is no error message
    return any(len(line) <= NOT_FOUND_CHARS and NOT_FOUND_TEXT.search(line) and line not in page.headline_texts
               and line not in story for line in page.page_lines)


def _teasers(page: Page) -> bool:
    """Headline links spread through the text, none of the runs of text between them holding the story."""
    if len(page.linked) < TEASER_LINKS:
        return False
    linked = set(page.linked)
    runs: list[int] = [0]
    for line in page.body_lines:
        if line in linked:
            runs.append(0)
        elif not _FURNITURE.match(line):
            runs[-1] += len(line)
    text = sum(runs)
    return (bool(text) and max(runs) < min(STORY_RUN_SHARE * text, TEASER_CHARS)
            and sum(1 for r in runs if r) >= TEASER_LINKS - 1)


_BULLETS = re.compile(r"[·•]")
# bullets, rank numbers ("1李晨…"), and the dates before a list's items ("[2005-08-21] 无序列表", "2024-05-01 标题",
# "05-01 标题")
# A row may carry several ("- [2023-07-10] 标题": the extractor's bullet, then the row's date).
_LIST_MARK = re.compile(
    r"^(?:(?:[-·•*]|\d{1,3}[.、)）]?|\[(?:19|20)\d{2}-\d{1,2}-\d{1,2}\]|\[?\d{1,2}-\d{1,2}\]?\s|"
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s)\s*)+"
)


def is_link_line(line: str, headline_texts: set[str], nav_texts: set[str]) -> bool:
    """A line that is one link's text, maybe with a date or source before or after it, or several of them side
    by side ("·富夫妻…（2005-04-03） ·沪银行…", "明星：盘点… 两性：能诱惑…"): an item, or a row, of a list."""
    def is_item(text: str) -> bool:  # a headline, or one of 8+ characters with up to 25 more after it
        return text in headline_texts or any(
            text[:n] in headline_texts for n in range(max(8, len(text) - 25), len(text)))

    item = _LIST_MARK.sub("", line)
    if is_item(item):
        return True
    bulleted = [part.strip() for part in _BULLETS.split(item) if part.strip()]
    if len(bulleted) >= 2 and all(is_item(part) for part in bulleted):
        return True
    words = [_LIST_MARK.sub("", w) for w in item.split()]
    return len(words) >= 2 and all(w in headline_texts or w in nav_texts for w in words)


ITEM_MIN = 5  # repeated items a list has at least
ITEM_HEADLINE_CHARS = 8  # an item's link text is a headline, not a "more" or a page number
ITEM_SHARE = 0.8  # of the items of one shape, this share open with a headline link
ITEM_LEAD_CHARS = 20  # what may stand before an item's headline: a date, a rank, a bullet
ITEM_TAGS = frozenset(("li", "tr", "div", "dd", "dt", "article", "section", "td", "table", "ul", "h2", "h3", "h4"))


def link_items(root: HtmlElement) -> tuple[str, ...]:
    """The texts of the page's largest run of items of one shape (same tag and class, side by side under one
    parent) that each open with a headline link: a list's rows, teasers or threads, whatever the template."""
    best: tuple[str, ...] = ()
    best_chars = 0
    for parent in root.iter():
        if not isinstance(parent.tag, str) or len(parent) < ITEM_MIN:
            continue
        groups: dict[tuple[str, str], list[HtmlElement]] = {}
        for child in parent:
            if isinstance(child.tag, str) and child.tag in ITEM_TAGS:
                groups.setdefault((child.tag, child.get("class", "")), []).append(child)
        for members in groups.values():
            if len(members) < ITEM_MIN:
                continue
            with_link = [m for m in members if _starts_with_headline_link(m)]
            if len(with_link) < ITEM_SHARE * len(members):
                continue
            texts = tuple(" ".join(m.text_content().split()) for m in members)
            chars = sum(map(len, texts))
            if chars > best_chars:
                best, best_chars = texts, chars
    return best


def _starts_with_headline_link(item: HtmlElement) -> bool:
    """An item that opens with a headline link (maybe after its date or rank): a list's row, not a paragraph
    with a link inside it."""
    for a in item.iter("a"):
        text = " ".join((a.text_content() or "").split())
        if len(text) >= ITEM_HEADLINE_CHARS:
            return 0 <= " ".join(item.text_content().split()).find(text) <= ITEM_LEAD_CHARS
    return False


def _items_verdict(page: Page, min_chars: int) -> str | None:
    """A list the extractor read around, on a page the title does not confirm a headline of: most of the body is
    inside the list's items (their summaries), or the items hold far more text than the little found beside
    them."""
    if not page.items or page.confirmed_headline:
        return None
    body = [line for line in page.text.split("\n") if len(line) >= ITEM_EVIDENCE_CHARS]
    holders = [next((i for i, item in enumerate(page.items) if line in item), None) for line in body]
    inside = sum(len(line) for line, at in zip(body, holders) if at is not None)
    total = sum(map(len, body))
    if total and inside >= ITEM_BODY_SHARE * total and len({at for at in holders if at is not None}) >= ITEM_MIN:
        return "list page (its text is the items of a list)"
    if size(page.text) < 3 * min_chars and sum(map(len, page.items)) >= ITEMS_OVER_BODY * max(1, total):
        return "list page (a list of headline links beside little text)"
    return None


ITEM_BODY_SHARE = 0.5
ITEM_EVIDENCE_CHARS = 20  # a shorter line may stand in an item by chance
ITEMS_OVER_BODY = 2.0
