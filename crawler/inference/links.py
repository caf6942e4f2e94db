"""The article links of a channel page, found by the shape of their URLs.

A list page links to its articles, to other channels, to pagination and to the site's chrome. Article URLs of
one template share a shape (`/zjnews/202608/t20260810_31838905.shtml`: fixed words, a date, a number) and carry
headlines as anchor texts, while menus carry two-word labels. So links are grouped by shape, and the groups
of numbered or dated URLs with headline-length anchors are the articles; each group becomes one anchored
regex over the URL path, which is what `Portal.is_article_url` matches.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass
from statistics import median
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from crawler.extraction.blocks import clean_line

HEADLINE_CHARS = 8  # a menu entry is shorter ("警务动态", "平安浙江"); a headline says what happened
MIN_LINKS = 2  # one link of a shape is an accident of the page, two make a pattern
# hrefs with their anchor text inside <script> (a JCMS list is XML in a script element)
_SCRIPT_LINK = re.compile(r"""<a\b[^>]*?href\s*=\s*["']([^"'<>\s]+)["'][^>]*>(.*?)</a>""", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_DIGITS = re.compile(r"\d+")
_PAGINATION_NAME = re.compile(r"^(index|list|node|default)(_\d+)?\.\w+$", re.I)


@dataclass(frozen=True)
class Link:
    """One link of a page: where it goes, what it says, and the text of the row around it (dates live there)."""

    url: str
    text: str
    context: str = ""
    in_script: bool = False

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


@dataclass
class Cluster:
    """Links whose paths have one shape, and the anchored regex for that shape."""

    key: tuple[str, ...]
    links: list[Link]

    @property
    def paths(self) -> list[str]:
        return sorted({link.path for link in self.links})

    @property
    def pattern(self) -> str:
        return shape_pattern(self.paths)

    @property
    def headline_share(self) -> float:
        return sum(len(link.text) >= HEADLINE_CHARS for link in self.links) / len(self.links)

    @property
    def numbered(self) -> bool:
        """Whether the shape holds a date or an id: detail pages are numbered, channel pages are named."""
        last = self.key[-1] if self.key else ""
        return "#" in last or sum(part.count("#") for part in self.key) >= 2

    def is_articles(self) -> bool:
        name = self.paths[0].rsplit("/", 1)[-1]
        return (len(self.paths) >= MIN_LINKS and self.numbered and not _PAGINATION_NAME.match(name)
                and self.headline_share >= 0.5 and median(len(link.text) for link in self.links) >= HEADLINE_CHARS)


    def near_articles(self) -> bool:
        """Numbered links with headline-like anchors that is_articles() turned down by a small margin."""
        name = self.paths[0].rsplit("/", 1)[-1]
        return (len(self.paths) >= MIN_LINKS and self.numbered and not self.is_articles()
                and not _PAGINATION_NAME.match(name) and self.headline_share >= 0.3
                and median(len(link.text) for link in self.links) >= HEADLINE_CHARS / 2)


def page_links(root: HtmlElement, raw: str, base_url: str) -> list[Link]:
    """Every link of the page, resolved, with `<a>` elements first, then the hrefs written inside scripts."""
    links = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.lower().startswith(("javascript:", "mailto:", "#")):
            row = a.getparent()
            context = clean_line(row.text_content()) if row is not None else ""
            links.append(Link(urljoin(base_url, href), clean_line(a.text_content()) or a.get("title", ""),
                              context[:200]))
    seen = {link.url for link in links}
    for script in root.iter("script"):
        for href, inner in _SCRIPT_LINK.findall(script.text or ""):
            url = urljoin(base_url, html.unescape(href))
            if url not in seen:
                text = clean_line(html.unescape(_TAG.sub("", inner)))
                links.append(Link(url, text, _script_row(script.text or "", href), in_script=True))
    return links


def _script_row(script: str, href: str) -> str:
    """The text around a link written in a script (its date in a `<span>` beside it)."""
    at = script.find(href)
    return clean_line(html.unescape(_TAG.sub(" ", script[at:at + 400].split("</li>")[0])))[:200]


_HTM = re.compile(r"\.html?$")


def shape_key(path: str) -> tuple[str, ...]:
    """A path's shape: each segment with its digit runs replaced by `#` (`t#_#.shtml`); `.htm` and `.html` are
    one shape (one CMS writes both over the years)."""
    return tuple(_DIGITS.sub("#", segment) for segment in _HTM.sub(".htm", path).split("/"))


def clusters(links: list[Link], hosts: set[str]) -> list[Cluster]:
    """The page's links on the given hosts grouped by path shape, the biggest group first."""
    groups: dict[tuple[str, ...], list[Link]] = defaultdict(list)
    for link in links:
        parts = urlsplit(link.url)
        if parts.scheme in ("http", "https") and (parts.hostname or "").lower() in hosts:
            groups[shape_key(link.path)].append(link)
    return sorted((Cluster(key, group) for key, group in groups.items()), key=lambda c: -len(c.paths))


def article_clusters(links: list[Link], hosts: set[str]) -> list[Cluster]:
    """The groups of numbered or dated detail URLs with headlines as anchors: the list's articles."""
    return [c for c in clusters(links, hosts) if c.is_articles()]


def shape_pattern(paths: list[str]) -> str:
    """One anchored regex for paths of one shape: words kept, digit runs generalised by what they look like."""
    pieces_per_path = [_DIGITS.split(path) for path in paths]
    numbers_per_path = [_DIGITS.findall(path) for path in paths]
    words = pieces_per_path[0]
    out = [re.escape(words[0])]
    for i, word in enumerate(words[1:]):
        runs = [numbers[i] for numbers in numbers_per_path]
        out.append(re.escape(runs[0]) if _is_part_of_name(runs, word) else _digit_class(runs))
        out.append(re.escape(word))
    pattern = "".join(out)
    if len({path.endswith(".html") for path in paths}) == 2:
        pattern = _HTM.sub("", pattern.removesuffix(r"\.html").removesuffix(r"\.htm")) + r"\.html?"
    return "^" + pattern + "$"


def _is_part_of_name(runs: list[str], following: str) -> bool:
    """A short fixed number that starts a word (`05zjnews`) names a channel; it is no date or id."""
    return following[:1].isalpha() and len(set(runs)) == 1 and len(runs[0]) <= 3 and len(runs) >= MIN_LINKS


def _digit_class(runs: list[str]) -> str:
    """A date part keeps its width (`\\d{4}`, `\\d{6}`, `\\d{1,2}`); an id may grow (`\\d+`)."""
    lengths = {len(run) for run in runs}
    if max(lengths) <= 2:
        return r"\d{1,2}"
    if len(lengths) == 1 and all(_looks_like_date(run) for run in runs):
        return rf"\d{{{lengths.pop()}}}"
    return r"\d+"


def _looks_like_date(run: str) -> bool:
    """YYYY, YYYYMM or YYYYMMDD with a plausible year and month."""
    if len(run) not in (4, 6, 8) or not 1990 <= int(run[:4]) <= 2100:
        return False
    return len(run) == 4 or 1 <= int(run[4:6]) <= 12
