"""The body and title elements of a portal's articles, found on a sample of its pages.

The generic extractor already finds the story on most pages; a portal's own container makes that exact and
fast, and keeps working when a story is short. So the container we want is the element whose text the
extractor keeps on every sample page: it holds nearly all of the extracted text (coverage) and little else
(tightness). A selector holds only if, on every sample, the first element it matches, as the extractor picks
it, is such an element; a title selector only if its text is the extracted headline on every sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from lxml.cssselect import CSSSelector
from lxml.etree import XPathError
from lxml.html import HtmlElement, document_fromstring

from crawler.extraction import ExtractOptions
from crawler.extraction.blocks import clean_line, drop_invisible, link_text_share
from crawler.extraction.decode import decode_html
from crawler.extraction.metadata import source_of_element

MIN_COVERAGE = 0.9  # share of the extracted text the element must hold
MIN_TIGHTNESS = 0.5  # share of the element's text that is the extracted text (the rest: chrome inside it)
_SQUASH = re.compile(r"\s+")
_NAME = re.compile(r"^[A-Za-z_][\w-]*$")


@dataclass
class Sample:
    """One sample article: its bytes and the generic extractor's reading of it."""

    url: str
    body: bytes
    content_type: str | None
    text: str
    title: str | None
    root: HtmlElement
    source: str | None = None


def parse_sample(url: str, body: bytes, content_type: str | None, charset: str, text: str,
                 title: str | None, source: str | None = None) -> Sample:
    root = document_fromstring(decode_html(body, content_type, charset).text or "<html></html>")
    drop_invisible(root)
    return Sample(url, body, content_type, text, title, root, source)


def _squash(text: str) -> str:
    return _SQUASH.sub("", text)


def fit(element: HtmlElement, text: str) -> tuple[float, float]:
    """(coverage, tightness) of an element for an extracted text, over the text's lines by characters."""
    inside = _squash(element.text_content())
    lines = [_squash(line) for line in text.splitlines() if line.strip()]
    total = sum(map(len, lines))
    if not total or not inside:
        return 0.0, 0.0
    covered = sum(len(line) for line in lines if line[:12] in inside)
    return covered / total, min(1.0, total / len(inside))


def _selectors_of(element: HtmlElement) -> list[str]:
    out = []
    if (ident := element.get("id", "").strip()) and _NAME.match(ident):
        out.append(f"#{ident}")
    out += [f".{name}" for name in element.get("class", "").split() if _NAME.match(name)]
    return out


def body_candidates(sample: Sample) -> list[str]:
    """Selectors of the elements that hold the sample's extracted text."""
    found = []
    for element in sample.root.iter():
        if isinstance(element.tag, str) and (element.get("id") or element.get("class")):
            coverage, tightness = fit(element, sample.text)
            if coverage >= MIN_COVERAGE and tightness >= MIN_TIGHTNESS:
                found += _selectors_of(element)
    return list(dict.fromkeys(found))


def _query(selector: str) -> CSSSelector | None:
    try:
        return CSSSelector(selector, translator="html")
    except (XPathError, ValueError, SyntaxError):
        return None


def body_fit(selector: str, sample: Sample) -> float:
    """How well the element the extractor would take for this selector fits the sample: its tightness, or 0
    when it misses the text. The extractor takes the first match that is not mostly links."""
    query = _query(selector)
    if query is None:
        return 0.0
    for element in query(sample.root):
        if link_text_share(element) < ExtractOptions.list_link_share:
            coverage, tightness = fit(element, sample.text)
            return tightness if coverage >= MIN_COVERAGE else 0.0
    return 0.0


def without_template_lines(samples: list[Sample]) -> list[Sample]:
    """The samples with the lines their texts all share taken out: a line printed on every page (a footer the
    extractor kept) is the template's, and the story's container need not hold it."""
    if len(samples) < 2:
        return samples
    shared = set.intersection(*({line.strip() for line in s.text.splitlines()} for s in samples)) - {""}
    return [replace(s, text="\n".join(line for line in s.text.splitlines() if line.strip() not in shared))
            for s in samples]


def body_selector(samples: list[Sample]) -> str | None:
    """The selector that holds on every sample, the tightest (an id before a class on a tie); None if none does."""
    if not samples:
        return None
    samples = without_template_lines(samples)
    candidates = set(body_candidates(samples[0]))
    for sample in samples[1:]:
        candidates &= set(body_candidates(sample))
    scored = [(min(body_fit(s, sample) for sample in samples), s.startswith("#"), -len(s), s) for s in candidates]
    scored = [row for row in scored if row[0] >= MIN_TIGHTNESS]
    return max(scored)[-1] if scored else None


def _title_selectors_of(element: HtmlElement) -> list[str]:
    tag = element.tag
    return [f"{tag}{s}" for s in _selectors_of(element)] + _selectors_of(element) + [tag]


def _first_title(selector: str, root: HtmlElement) -> str | None:
    query = _query(selector)
    for element in query(root) if query is not None else ():
        text = clean_line(element.text_content())
        if 4 <= len(text) <= 120:
            return text
    return None


def title_selector(samples: list[Sample]) -> str | None:
    """A selector whose first element's text is the extracted headline on every sample, most specific first."""
    usable = [s for s in samples if s.title]
    if not usable:
        return None
    first = usable[0]
    candidates = [sel for el in first.root.iter() if isinstance(el.tag, str)
                  and clean_line(el.text_content()) == first.title for sel in _title_selectors_of(el)]
    for selector in dict.fromkeys(candidates):
        if selector in ("html", "body", "title", "head"):
            continue
        if all(_first_title(selector, s.root) == s.title for s in usable):
            return selector
    return None


def _first_source(selector: str, root: HtmlElement) -> str | None:
    """What the extractor reads as the source through this selector (its first element of 2 to 120 characters)."""
    query = _query(selector)
    for element in query(root) if query is not None else ():
        text = clean_line(element.text_content())
        if 2 <= len(text) <= 120:
            return source_of_element(text)
    return None


def source_selector(samples: list[Sample]) -> str | None:
    """The element that holds the source line (来源/稿源 and its value) on every sample whose source the generic
    extractor read (two at least), the one with the shortest text first; None if no element does."""
    usable = [s for s in samples if s.source]
    if len(usable) < 2:
        return None
    first = usable[0]
    candidates = sorted((len(text), selector) for el in first.root.iter()
                        if isinstance(el.tag, str) and (el.get("id") or el.get("class"))
                        and first.source in (text := clean_line(el.text_content())) and len(text) <= 120
                        for selector in _selectors_of(el))
    for _, selector in candidates:
        if all(_first_source(selector, s.root) == s.source for s in usable):
            return selector
    return None


def group_by_pattern(samples: list[Sample], patterns: list[str]) -> list[list[Sample]]:
    """Samples by the article pattern their URL matches: one template per pattern, one selector each."""
    groups: list[list[Sample]] = [[] for _ in patterns]
    for sample in samples:
        path = urlsplit(sample.url).path
        for i, pattern in enumerate(patterns):
            if re.search(pattern, path):
                groups[i].append(sample)
                break
    return [g for g in groups if g]
