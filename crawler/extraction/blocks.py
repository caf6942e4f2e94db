"""Turn an lxml element into text lines, one per block, the way a reader sees the page."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction.patterns import BLOCK_TAGS, CHROME_HINTS, DROP_TAGS

_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u3000\u200b\ufeff]+")


def clean_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def drop_invisible(root: HtmlElement) -> None:
    """Remove scripts, styles, comments and the like in place."""
    etree.strip_elements(root, *DROP_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)


def is_chrome(el: HtmlElement) -> bool:
    """Whether class/id say this element is navigation, footer, related links, comments or sharing."""
    attrs = f"{el.get('class', '')} {el.get('id', '')}".lower()
    return bool(attrs.strip()) and any(hint in attrs for hint in CHROME_HINTS)


def drop_chrome(root: HtmlElement) -> None:
    """Remove chrome containers (by class/id) below root, keeping root itself."""
    for el in [e for e in root.iterdescendants() if isinstance(e.tag, str) and is_chrome(e)]:
        if el.getparent() is not None:
            el.drop_tree()


def lines(el: HtmlElement) -> list[str]:
    """The element's visible text, one entry per block, empty blocks skipped."""
    out: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = clean_line("".join(current))
        if line:
            out.append(line)
        current.clear()

    # Iterative, not recursive: broken pages can nest thousands of unclosed elements.
    for event, node in etree.iterwalk(el, events=("start", "end")):
        block = isinstance(node.tag, str) and node.tag in BLOCK_TAGS
        if event == "start":
            if block:
                flush()
            if node.text and isinstance(node.tag, str):
                current.append(node.text)
        else:
            if block:
                flush()
            if node is not el and node.tail:
                current.append(node.tail)
    flush()
    return out


def link_text_share(el: HtmlElement) -> float:
    """Share of the element's text that sits inside links: high for lists and navigation."""
    total = len(clean_line(el.text_content()))
    if not total:
        return 0.0
    linked = sum(len(clean_line(a.text_content())) for a in el.iter("a"))
    return min(1.0, linked / total)
