"""One page in, one verdict out: an article with clean text and metadata, or a rejection with its reason.

Pure: bytes and a URL in, an `Extraction` out, no I/O. Portal rules (selectors, title suffixes) arrive in
`ExtractOptions`; when a portal's body container is found, trafilatura's expensive heuristics are skipped.
"""

from __future__ import annotations

import copy
import functools
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from itertools import chain, groupby, islice

import trafilatura
from lxml import etree
from lxml.cssselect import CSSSelector, LxmlHTMLTranslator
from lxml.html import HTMLParser, HtmlElement, document_fromstring, soupparser
from trafilatura.settings import Extractor

from crawler.extraction import blocks, classify, density, headline, metadata, pagetype, regions
from crawler.extraction.cleaning import clean_lines
from crawler.extraction.decode import decode_html
from storage import cpu_stages
from crawler.extraction.options import ExtractOptions
from crawler.extraction.patterns import (
    BODY_SELECTORS,
    CMS_DATES,
    CMS_SOURCES,
    EPAPER_MARKUP,
    EPAPER_URL,
    NON_ARTICLE_TITLE,
    NOT_FOUND_TEXT,
    TITLE_CLASSES,
    TITLE_IDS,
    TITLE_TAGS,
)

STATUSES = ("article", "not_found", "not_article", "error")
# Where a parsed page's body came from: the portal's own selectors, or generic extraction (the CMS selectors
# other sites share, trafilatura, text density). Health reads it: a portal whose selectors stop matching
# still yields articles, but its rules need updating.
BODY_BY_PORTAL, BODY_BY_GENERIC = "portal", "generic"
_MAX_TITLE_CANDIDATES = 200  # headline elements weighed against the page's title (a page of boxes has many)
_SIGN_OFF_LINES = 3  # lines at the end of a story (and just below it) where a notice signs off with its date
# trafilatura's balanced mode pads a short story (a poem, a brief) out with the whole page, menus and rankings
# included, and its recall escalation takes in sidebars; its precision mode does not. Balanced mode is the
# second try, when precision finds too little (it drops some stories whose paragraphs are dense with links).
_TRAFILATURA = Extractor(output_format="txt", comments=False, tables=True, fast=False, dedup=False, precision=True)
_TRAFILATURA_BALANCED = Extractor(output_format="txt", comments=False, tables=True, fast=False, dedup=False)



@dataclass
class Extraction:
    url: str
    status: str  # one of STATUSES
    reason: str | None = None
    title: str | None = None
    published: str | None = None
    source: str | None = None
    author: str | None = None
    text: str | None = None
    charset: str | None = None
    body_by: str | None = None  # BODY_BY_PORTAL or BODY_BY_GENERIC; None when the page was judged unparsed
    story_missing: bool = False  # a page in an article's frame without its story (a template change, or a script)

    def as_json(self) -> dict:
        """The public shape printed by `python -m crawler extract --json`."""
        data = asdict(self)
        data.pop("charset")
        data.pop("body_by")
        data.pop("story_missing")
        return data


def extract_page(
    body: bytes,
    url: str,
    http_status: int = 200,
    content_type: str | None = None,
    final_url: str | None = None,
    options: ExtractOptions = ExtractOptions(),
) -> Extraction:
    with cpu_stages.stage(cpu_stages.EXTRACTION):
        verdict = classify.verdict_before_parsing(body, url, http_status, content_type, final_url, options.max_bytes)
        if verdict:
            return Extraction(url, *verdict)
        with cpu_stages.stage(cpu_stages.DECODE):
            decoded = decode_html(body, content_type, options.default_charset)
            text = decoded.text.replace("\x00", "")  # stray NULs, which lxml refuses (binary bodies never get here)
        with cpu_stages.stage(cpu_stages.PARSE):
            root = _parse(text)
        if root is None:
            return Extraction(url, "not_article", "unparseable HTML (no document in the body)", charset=decoded.charset)
        result = _read_article(root, final_url or url, options, text)
        result.url, result.charset = url, decoded.charset
        return result


_PARSER = HTMLParser(huge_tree=True)
_TAG_OR_SCRIPT = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]*>|&\w+;|\s+", re.S | re.I)


def _parse(text: str) -> HtmlElement | None:
    """libxml2 first (fast); BeautifulSoup's forgiving parser when libxml2 fails or loses the text.

    libxml2 stops descending past 2,047 nested elements (broken pages with thousands of unclosed tags),
    silently dropping what is deeper; BeautifulSoup keeps it.
    """
    try:
        root = document_fromstring(text, parser=_PARSER)
        if len(root.text_content()) * 2 >= len(_TAG_OR_SCRIPT.sub("", text)):
            return root
    except (etree.ParserError, ValueError):
        pass
    try:
        return soupparser.fromstring(text)
    except (etree.ParserError, ValueError, TypeError, RecursionError):
        return _flattened(text)


_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|h\d|tr|td|th|table|section|article)\b[^>]*>", re.I)


def _flattened(text: str) -> HtmlElement | None:
    """The last resort for pages no parser can hold: the text, one paragraph per block, and the title."""
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.S | re.I)
    stripped = re.sub(r"<script.*?</script>|<style.*?</style>", "", text, flags=re.S | re.I)
    lines = [html.unescape(re.sub(r"<[^>]*>", "", chunk)).strip() for chunk in _BLOCK_TAG.split(stripped)]
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    head = f"<title>{html.escape(html.unescape(title.group(1)))}</title>" if title else ""
    if not paragraphs:
        return None
    return document_fromstring(f"<html><head>{head}</head><body>{paragraphs}</body></html>")


def _read_article(root: HtmlElement, url: str, options: ExtractOptions, raw: str) -> Extraction:
    blocks.drop_invisible(root)
    named = functools.cache(lambda: blocks.named(root))  # elements with a class or id, found when first needed
    own_titles = headline.references(root, options.title_suffixes)
    title = _first_text(root, options.title_selectors) if options.title_selectors else None
    page_lines = blocks.lines(root.body if root.body is not None else root)
    candidates: list[str] = []
    site_names: frozenset[str] = frozenset()
    if not title:
        elements = chain((el for el in named() if TITLE_CLASSES.intersection(el.get("class", "").split())
                          or el.get("id") in TITLE_IDS), root.iter(*TITLE_TAGS))
        candidates = [text for el in islice(elements, _MAX_TITLE_CANDIDATES)
                      if (text := blocks.short_text(el, headline.MAX_CHARS))]
        site_names = headline.site_names(root, page_lines, [*candidates, *own_titles])
        own_titles = list(dict.fromkeys(headline.without_site_prefix(t, site_names) for t in own_titles))
        title = headline.choose(candidates, own_titles, page_lines, site_names)
    confirmed = title is not None
    title = title or next(iter(headline.own_titles(own_titles, site_names)), None)
    own_title = own_titles[0] if own_titles else title
    if own_title and NON_ARTICLE_TITLE.search(own_title):
        return Extraction(url, "not_article", f"search, tag or column page (title: {own_title})", title=title)
    if title and NOT_FOUND_TEXT.search(title) and len(title) < 40:
        return Extraction(url, "not_found", f"error page (title: {title})", title=title)
    headline_texts, nav_texts = _link_texts(root)

    container, own_container = _body_container(root, options, named)
    if container is not None:
        blocks.drop_chrome(container)
        raw_lines = blocks.lines(container)
    else:
        raw_lines = _generic_body(root, url, options, page_lines, title)

    if not confirmed:  # the page does not say which line is its headline: the one above the story is
        story_at = regions.start_at(page_lines, raw_lines, title)
        title = (headline.above_story(page_lines, story_at, candidates, own_titles, site_names)
                 or title or next(iter(own_titles), None))
    info = "\n".join(regions.info_region(page_lines, raw_lines, title))
    # menus are trimmed before cleaning (so the headline below a menu is seen) and after
    captions = (blocks.caption_texts(container, blocks.named(container)) if container is not None
                else blocks.caption_texts(root, named()))
    body_lines, removed = clean_lines(_without_menus(raw_lines, nav_texts), title, captions)
    body_lines = _without_menus(body_lines, nav_texts)
    linked = [line for line in body_lines if pagetype.is_link_line(line, headline_texts, nav_texts)]
    text = "\n".join(line for line in body_lines if line not in linked)  # related-article lists
    around = "\n".join([*removed, *regions.below(page_lines, body_lines)])
    result = Extraction(
        url,
        "article",
        title=title,
        published=_published(root, url, raw, options, info, page_lines, body_lines, (headline_texts, nav_texts)),
        source=_source(root, url, raw, options, info, around, title, named),
        author=metadata.author_in(info) or metadata.author_in("\n".join(removed)),
        text=text,
        body_by=BODY_BY_PORTAL if own_container else BODY_BY_GENERIC,
    )
    rejection = pagetype.rejection(
        pagetype.Page(text, body_lines, linked, page_lines, headline_texts, raw, container is not None,
                      bool(title) and not headline.is_site_name(title, site_names), confirmed,
                      () if confirmed else pagetype.link_items(root)),
        options.min_chars, options.list_link_share)
    if rejection:
        result.status, result.reason = rejection
        result.text = text or None
        result.story_missing = result.status == "not_article" or result.reason == pagetype.EMPTY_TEMPLATE
    return result


def _source(root: HtmlElement, url: str, raw: str, options: ExtractOptions, info: str, around: str,
            title: str | None, named: Callable[[], list[HtmlElement]]) -> str | None:
    """The story's source wherever the page prints it: the portal's own element; a labelled value below the
    headline or after the story; the head's metadata; a platform's account element; an e-paper's paper; an
    outlet named without a label beside the time."""
    own = _first_text(root, options.source_selectors, min_chars=2) if options.source_selectors else None
    return ((metadata.source_of_element(own) if own else None)
            or metadata.source_in(info) or metadata.source_in(around) or metadata.source_in_meta(root)
            or (_cms_source(named()) if any(s[1:] in raw for s in CMS_SOURCES) else None)
            or (metadata.paper_name(root.findtext(".//title") or "")
                if EPAPER_MARKUP.search(raw) or EPAPER_URL.search(url) else None)
            or metadata.source_in_script(raw) or metadata.outlet_in(info, title))


def _cms_source(named: list[HtmlElement]) -> str | None:
    """A platform's account element (WeChat's #js_name): the source of a post on it."""
    for el in _by_class_or_id(named, CMS_SOURCES):
        text = blocks.clean_line(el.text_content())
        if 2 <= len(text) <= 120:
            return text
    return None


def _generic_body(root: HtmlElement, url: str, options: ExtractOptions, page_lines: list[str],
                  title: str | None) -> list[str]:
    """The body of a page whose container no rule names: trafilatura's, unless the page's prose is elsewhere.

    trafilatura sometimes settles on the wrong block (a comment box below a story it judged too dense with
    markup). When its text does not start right below the headline, the density of running text (`density`) is
    the second opinion; if the two disagree (trafilatura's text mostly outside the densest block), the densest
    block wins when it says at least as much (in sentences), starts below the headline, and trafilatura's text
    starts above the headline or below that block: the story is what follows its headline.
    """
    with cpu_stages.stage(cpu_stages.TRAFILATURA):
        text = trafilatura.extract(root, url=url, options=_TRAFILATURA) or ""  # trafilatura works on a copy
        if pagetype.size(text) < options.min_chars:
            text = trafilatura.extract(root, url=url, options=_TRAFILATURA_BALANCED) or ""
    # trafilatura ends a line broken by <br> with a Markdown hard break, " \\"
    lines = _without_calendars(_table_cells([blocks.clean_line(line.rstrip().removesuffix("\\"))
                                             for line in text.splitlines() if line.strip()]))
    lines_at = regions.start_at(page_lines, lines, title)
    title_at = regions.title_at(page_lines, title, lines_at + 1) if lines_at is not None else None
    if title_at is not None and lines_at - title_at <= _RIGHT_BELOW:
        return lines  # the text starts right below the headline: no second opinion needed
    if lines and (not title or lines_at is None):
        return lines  # without a place for the headline or for the text, the second opinion cannot win
    story = [copy.deepcopy(el) for el in density.story_elements(root)]
    if not story:
        return lines
    for el in story:
        blocks.drop_chrome(el)
    prose = [line for el in story for line in blocks.lines(el)]
    found, kept = "".join(prose), "".join(lines)
    if pagetype.size(found) < options.min_chars or _share_inside(lines, found) >= 0.5:
        return lines
    if not kept:  # trafilatura found nothing: a short story between many links
        return prose
    if _sentences(prose) < _sentences(lines):  # the densest block says less than trafilatura's text
        return lines
    prose_at = regions.start_at(page_lines, prose, title)
    title_at = regions.title_at(page_lines, title, prose_at + 1) if prose_at is not None else None
    if title_at is None or lines_at is None:
        return lines
    return prose if lines_at < title_at or lines_at > prose_at else lines


def _share_inside(lines: list[str], text: str) -> float:
    """The share of `lines` (by characters) whose opening words `text` has too: how much of one extractor's body
    lies in the other's."""
    total = sum(map(len, lines))
    return sum(len(line) for line in lines if line[:12] in text) / total if total else 0.0


_RIGHT_BELOW = regions.INFO_LINES + 4  # lines between a headline and a story that starts right below it
_SENTENCE_MARK = re.compile(r"[。！？!?]|\.(?:\s|$)")


def _sentences(lines: list[str]) -> int:
    return sum(len(_SENTENCE_MARK.findall(line)) for line in lines)


def _first_text(root: HtmlElement, selectors: tuple[str, ...], min_chars: int = 4) -> str | None:
    for el in _select(root, selectors):
        text = blocks.clean_line(el.text_content())
        if min_chars <= len(text) <= 120:
            return text
    return None


def _by_class_or_id(named: list[HtmlElement], selectors: tuple[str, ...]) -> Iterator[HtmlElement]:
    """What `_select` gives for selectors that are one class (".x") or one id ("#y"), from the page's elements
    with a class or id (found once) instead of a CSS query of the whole tree."""
    for selector in selectors:
        name = selector[1:]
        if selector.startswith("#"):
            yield from (el for el in named if el.get("id") == name)
        else:
            yield from (el for el in named if name in el.get("class", "").split())


@functools.lru_cache(maxsize=64)
def _compiled(selectors: tuple[str, ...]) -> tuple[CSSSelector, list[etree.XPath]]:
    """One query for any of the selectors, and a test per selector of whether an element matches it."""
    translator = LxmlHTMLTranslator()
    return (CSSSelector(", ".join(selectors), translator="html"),
            [etree.XPath(translator.css_to_xpath(selector, prefix="self::")) for selector in selectors])


def _select(root: HtmlElement, selectors: tuple[str, ...]) -> Iterator[HtmlElement]:
    """The elements each selector matches, selector after selector, in document order within one: what
    `root.cssselect(selector)` in a loop over the selectors gives, from one walk of the tree instead of one each."""
    if not selectors:
        return
    query, tests = _compiled(selectors)
    candidates = query(root)
    for test in tests:
        yield from (el for el in candidates if test(el))


def _body_container(root: HtmlElement, options: ExtractOptions,
                    named: Callable[[], list[HtmlElement]]) -> tuple[HtmlElement | None, bool]:
    """The portal's (or CMS's) body element when present and not a link list, and whether it is the portal's.

    A portal's own element is authoritative even when short or empty: a photo caption stays a photo caption
    (too little text) and an empty template stays empty, rather than trafilatura guessing from the chrome.
    """
    for el in _select(root, options.body_selectors):
        if blocks.link_text_share(el) < options.list_link_share:
            return el, True
    for el in _by_class_or_id(named(), BODY_SELECTORS):  # CMS names other sites reuse too: only a full one counts
        if (blocks.link_text_share(el) < options.list_link_share
                and len(blocks.clean_line(el.text_content())) >= options.min_chars):
            return el, False
    return None, False


_NAV_TEXT_CHARS = 8  # menu entries are short: "首页", "国内", "工作动态"
_NAV_SPLIT = re.compile(r"[\s\-|｜/·>»›]+")


def _published(root: HtmlElement, url: str, raw: str, options: ExtractOptions, info: str, page_lines: list[str],
               body_lines: list[str], link_texts: tuple[set[str], set[str]]) -> str | None:
    """The publication time, from the places a reader looks first: the info line by the headline, the CMS's own
    record, the head, a labelled line, the URL, a dated line above the story, a notice's sign-off; htmldate's
    guess last, and not when it is only a date of another story in a list. A day read without its time gets
    the time the info line prints without the year."""
    day = (metadata.date_in_text(info) or metadata.date_in_script(raw, options.script_dates + CMS_DATES)
           or metadata.date_in_meta(root)
           or metadata.date_in_labelled_line(regions.outside(page_lines, body_lines))
           or metadata.date_in_url(url) or metadata.date_in_header_line(regions.above(page_lines, body_lines))
           or metadata.date_signed([*body_lines[-_SIGN_OFF_LINES:],
                                    *regions.below(page_lines, body_lines)[:_SIGN_OFF_LINES]])
           or _not_only_listed(metadata.date_by_htmldate(root), page_lines, link_texts))
    return metadata.with_time_of_day(day, info)


def _not_only_listed(day: str | None, page_lines: list[str], link_texts: tuple[set[str], set[str]]) -> str | None:
    """A guessed day, unless the page prints it only beside links to other stories (a related-news list)."""
    if not day:
        return None
    shown = [line for line in page_lines
             if any((metadata.iso_date(m) or "")[:10] == day[:10] for m in metadata.date_matches(line))]
    if shown and all(pagetype.is_link_line(line, *link_texts) for line in shown):
        return None
    return day


def _link_texts(root: HtmlElement) -> tuple[set[str], set[str]]:
    """The page's link texts: long enough to be headlines, and short enough to be menu entries."""
    texts = {blocks.clean_line(a.text_content()) for a in root.iter("a")}
    return {t for t in texts if len(t) >= 6}, {t for t in texts if 0 < len(t) <= _NAV_TEXT_CHARS}


def _without_menus(lines: list[str], nav_texts: set[str]) -> list[str]:
    """The body without the menus a generic extractor took in: menu entries above the story, and runs of
    them (three or more in a row, or two at the end) anywhere.

    A line is a menu entry when every word of it is a short link's text ("首页", "雅虎中国 - 体育 - 娱乐").
    A single short linked word inside the story stays. If less than half the text would be left, the lines
    are returned as they are, so a page of links is still judged a list page.
    """
    def is_nav(line: str) -> bool:
        words = [w for w in _NAV_SPLIT.split(line) if w]
        return bool(words) and all(w in nav_texts for w in words)

    kept: list[str] = []
    at = 0
    for is_menu, group in groupby(lines, key=is_nav):
        run = list(group)
        at += len(run)
        if not (is_menu and (at == len(run) or len(run) >= 3 or (at == len(lines) and len(run) >= 2))):
            kept.extend(run)
    return kept if sum(map(len, kept)) >= sum(map(len, lines)) // 2 else lines


_CALENDAR_CELL = re.compile(r"^(?:[日一二三四五六]|[1-9]|[12]\d|3[01])$")


def _without_calendars(lines: list[str]) -> list[str]:
    """The body without a blog's month calendar: weekday names and the days 1 to 28 or more, one per line."""
    kept: list[str] = []
    for is_cell, group in groupby(lines, key=lambda line: bool(_CALENDAR_CELL.match(line))):
        run = list(group)
        if not (is_cell and {str(day) for day in range(1, 29)} <= set(run)):
            kept.extend(run)
    return kept


_CELL_RULE = re.compile(r"(?<!\\)\|")


def _table_cells(lines: list[str]) -> list[str]:
    """trafilatura renders layout tables as Markdown rows; keep the cells' text, drop the rules."""
    out = []
    for line in lines:
        if not line.startswith("|"):
            out.append(line)
            continue
        cells = _CELL_RULE.split(line.strip("|"))  # a "|" inside a cell comes escaped, "\\|"
        out.extend(cell.replace("\\|", "|") for c in cells if (cell := c.strip()) and set(cell) != {"-"})
    return out
