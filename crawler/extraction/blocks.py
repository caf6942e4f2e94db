"""Turn an lxml element into text lines, one per block, the way a reader sees the page."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction.patterns import (
    BLOCK_TAGS,
    CAPTION_CHARS,
    CAPTION_HINTS,
    CAPTION_TEXT,
    CHROME_HINTS,
    DROP_TAGS,
    LABELLED,
    TIME_LINE,
)

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


_PICTURE_BLOCKS = frozenset(("p", "div", "center", "figure", "td", "section", "span", "font", "strong"))


def named(el: HtmlElement) -> list[HtmlElement]:
    """The elements with a class or an id (and <figcaption>s) in el: what the class and id rules look at."""
    return _NAMED(el)


def caption_texts(root: HtmlElement, named_elements: list[HtmlElement]) -> set[str]:
    """The texts of the image captions in root (named_elements: `named(root)`): <figcaption>, caption classes, and a picture's short text, whether
    it shares the picture's block or stands in the block after it (centred, as editors lay captions out, or
    worded as one: "图为…", "…摄", "视频截图"). Read, not removed: trafilatura weighs the page as it is."""
    found = {clean_line(text) for e in named_elements
             if (e.tag == "figcaption" or CAPTION_HINTS.search(f"{e.get('class', '')} {e.get('id', '')}".lower()))
             and (text := short_text(e, CAPTION_CHARS)) and len(clean_line(text)) <= CAPTION_CHARS}
    for img in root.iter("img"):
        block = img.getparent()
        while block is not None and block.tag not in _PICTURE_BLOCKS:
            block = block.getparent()
        if block is None or block.getparent() is None or block.tag == "td" and len(block) > 3:
            continue
        raw = short_text(block, CAPTION_CHARS)
        if raw is None:
            continue  # a block with much more text than a caption: the story's own
        text = clean_line(raw)
        if text:
            if _is_caption(text, block) and len(block.findall(".//img")) == 1 and block.find(".//a") is None \
                    and not any(isinstance(c.tag, str) and c.tag in ("p", "div", "table") for c in block):
                found.add(text)
            continue
        after = block.getnext()
        if after is not None and isinstance(after.tag, str) and after.find(".//img") is None:
            caption = clean_line(short_text(after, CAPTION_CHARS) or "")
            if _is_caption(caption, after):
                found.add(caption)
    found.discard("")
    return found


def _is_caption(text: str, el: HtmlElement) -> bool:
    """Short, worded or laid out as a caption, and no time or label (an info line with an icon is no caption)."""
    return (0 < len(text) <= CAPTION_CHARS and not TIME_LINE.search(text) and not LABELLED.search(text)
            and (bool(CAPTION_TEXT.search(text)) or _centred(el) or el.tag == "figure"))


_NAMED = etree.XPath("descendant-or-self::figcaption | descendant-or-self::*[@class or @id]")


def _centred(el: HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.tag == "center" or (el.get("align") or "").lower() == "center" or "text-align:center" in style


def short_text(el: HtmlElement, limit: int) -> str | None:
    """The element's text, or None when it is much longer than `limit` characters (up to four times as many
    raw characters pass, markup whitespace included: callers measure the cleaned text), without reading on
    through a big element's whole text."""
    parts: list[str] = []
    size = 0
    for text in el.itertext():
        size += len(text)
        if size > limit * 4:  # markup whitespace counts too, so the cut-off is generous
            return None
        parts.append(text)
    return "".join(parts)


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
