"""Where the story is, found by where the page's prose is: a second opinion beside trafilatura.

Readability's method, with Chinese punctuation: every block of running text (at least `MIN_BLOCK_CHARS`
characters) scores one point, one per comma or full stop, and one per 100 characters (three at most); its
parent gets the score, its grandparent half, its great-grandparent a third. The best-scoring element, its score
cut by its share of link text, holds the story; sibling blocks that score well too are part of it (a story split
over several <div>s). Menus, link lists and comment boxes lose: little prose, many links.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

MIN_BLOCK_CHARS = 25
SIBLING_SHARE = 0.2  # a sibling scoring this share of the best element is part of the story
_PUNCTUATION = re.compile(r"[，。；！？,;]")
_SPACE = re.compile(r"\s+")
_TEXT_BLOCKS = frozenset(("p", "td", "pre", "blockquote", "li", "dd", "div", "section", "article"))
_CANDIDATES = frozenset(("div", "td", "section", "article", "main", "blockquote", "center", "font", "span", "dd"))
_LEADERS = 12  # elements weighed for their links: the story's element is among the best-scoring before that
_BLOCK_CHILDREN = frozenset(("p", "div", "table", "ul", "ol", "section", "article"))


def _chars(text: str | None) -> int:
    return len("".join(text.split())) if text else 0


def _own_text(el: HtmlElement) -> str:
    """The element's text outside its block children: the prose it holds itself."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _BLOCK_CHILDREN:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return _SPACE.sub("", "".join(parts))


def _link_share(el: HtmlElement) -> float:
    total = _chars(el.text_content())
    if not total:
        return 1.0
    return min(1.0, sum(_chars(a.text_content()) for a in el.iter("a")) / total)


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
    # the link penalty only lowers a score, so it is read (a walk of the element's whole text) best score first,
    # until no score left can beat the best one found
    final: dict[HtmlElement, float] = {}
    best, best_score = None, 0.0
    for el in sorted(scores, key=scores.get, reverse=True)[:_LEADERS]:
        if scores[el] <= best_score:
            break
        final[el] = scores[el] * (1 - _link_share(el))
        if final[el] > best_score:
            best, best_score = el, final[el]
    if best is None:
        return []
    parent = best.getparent()
    if parent is None:
        return [best]
    threshold = max(10.0, final[best] * SIBLING_SHARE)

    def continues(el: HtmlElement) -> bool:
        if scores.get(el, 0.0) < threshold:
            return False
        return (final[el] if el in final else scores[el] * (1 - _link_share(el))) >= threshold

    return [el for el in parent if el is best or (isinstance(el.tag, str) and continues(el))]
