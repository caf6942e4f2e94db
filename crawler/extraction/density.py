"""Where the story is, found by where the page's prose is: a second opinion beside trafilatura.

Readability's method, with Chinese punctuation: every block of running text (at least `MIN_BLOCK_CHARS`
characters) scores one point, one per comma or full stop, and one per 100 characters (three at most); its
parent gets the score, its grandparent half, its great-grandparent a third. The best-scoring element, its score
cut by its share of link text, holds the story; sibling blocks that score well too are part of it (a story split
over several <div>s). Menus, link lists and comment boxes lose: little prose, many links.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

MIN_BLOCK_CHARS = 25
SIBLING_SHARE = 0.2  # a sibling scoring this share of the best element is part of the story
_PUNCTUATION = re.compile(r"[，。；！？,;]")
_SPACE = re.compile(r"\s+")
_TEXT_BLOCKS = frozenset(("p", "td", "pre", "blockquote", "li", "dd", "div", "section", "article", "span", "font"))
_CANDIDATES = frozenset(("div", "td", "section", "article", "main", "blockquote", "center", "font", "span", "dd"))


def _own_text(el: HtmlElement) -> str:
    """The element's text outside its block children: the prose it holds itself."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag in ("p", "div", "table", "ul", "ol", "section", "article"):
            parts.append(child.tail or "")
        else:
            parts.append(child.text_content() if isinstance(child.tag, str) else "")
            parts.append(child.tail or "")
    return _SPACE.sub("", "".join(parts))


def _link_share(el: HtmlElement, total: int) -> float:
    if not total:
        return 1.0
    linked = sum(len(_SPACE.sub("", a.text_content())) for a in el.iter("a"))
    return min(1.0, linked / total)


def story_elements(root: HtmlElement) -> list[HtmlElement]:
    """The element holding the story and the sibling blocks that continue it, in page order; [] when the page
    has no running text."""
    scores: dict[HtmlElement, float] = {}
    for el in root.iter(*_TEXT_BLOCKS):
        if el.getparent() is not None and el.getparent().tag == "a":
            continue
        text = _own_text(el)
        if len(text) < MIN_BLOCK_CHARS:
            continue
        points = 1 + len(_PUNCTUATION.findall(text)) + min(len(text) / 100, 3)
        ancestor, level = el.getparent(), 0
        while ancestor is not None and level < 3 and isinstance(ancestor.tag, str) and ancestor.tag != "html":
            scores[ancestor] = scores.get(ancestor, 0.0) + points / (1, 2, 3)[level]
            ancestor, level = ancestor.getparent(), level + 1
        if el.tag in _CANDIDATES:
            scores[el] = scores.get(el, 0.0) + points
    if not scores:
        return []
    final = {el: s * (1 - _link_share(el, len(_SPACE.sub("", el.text_content())))) for el, s in scores.items()}
    best = max(final, key=final.get)
    if final[best] <= 0:
        return []
    parent = best.getparent()
    if parent is None:
        return [best]
    threshold = max(10.0, final[best] * SIBLING_SHARE)
    return [el for el in parent if el is best or (isinstance(el.tag, str) and final.get(el, 0.0) >= threshold)]
