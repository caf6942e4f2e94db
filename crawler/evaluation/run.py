"""Run both extractors over labelled pages and add up the scores, per corpus (Chinese pages apart)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import trafilatura

from crawler.evaluation import score, sites
from crawler.evaluation.corpora import LabelledPage
from crawler.extraction import extract_page
from crawler.extraction.decode import decode_html
from crawler.portals import options_for_url


@dataclass
class Prediction:
    status: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None
    text: str | None = None


@dataclass
class Tally:
    """Sums for one (group, extractor); the report divides."""

    pages: int = 0
    type_correct: int = 0
    body: list[tuple[float, float, float]] = field(default_factory=list)
    title: list[bool] = field(default_factory=list)
    date: list[bool] = field(default_factory=list)
    source: list[bool] = field(default_factory=list)
    leaked: int = 0
    seconds: float = 0.0

    @staticmethod
    def mean(values: list) -> float | None:
        return sum(values) / len(values) if values else None

    def body_mean(self, i: int) -> float | None:
        return self.mean([v[i] for v in self.body])


Extractor = Callable[[LabelledPage], Prediction]


def ours() -> Extractor:
    """Our extractor with the rules the configuration gives each page's URL (as `extract` uses them)."""
    options = functools.lru_cache(maxsize=None)(options_for_url)

    def run(page: LabelledPage) -> Prediction:
        url = page.url or "http://example.invalid/article.html"
        r = extract_page(page.html, url, page.http_status, options=options(f"http://{urlsplit(url).netloc}/"))
        return Prediction(r.status, r.title, r.published, r.source, r.author, r.text if r.status == "article" else None)

    return run


_CLASS_OR_ID = re.compile(rb"""(\b(?:class|id)\s*=\s*)(?:(["'])(.*?)\2|([^\s>"']+))""", re.I | re.S)


def renamed_classes(html: bytes) -> bytes:
    """The page with every class and id name replaced by a meaningless one (the same name gives the same
    replacement): a template change that keeps the layout, to measure what extraction owes to names."""
    def rename(match: re.Match[bytes]) -> bytes:
        quote, value = match.group(2) or b"", match.group(3) if match.group(2) else match.group(4)
        names = b" ".join(b"n" + hashlib.sha1(name).hexdigest()[:8].encode() for name in value.split())
        return match.group(1) + quote + names + quote
    return _CLASS_OR_ID.sub(rename, html)


def on_renamed_classes(extractor: Extractor) -> Extractor:
    """The extractor run on pages whose class and id names were renamed."""
    return lambda page: extractor(dataclasses.replace(page, html=renamed_classes(page.html)))


def plain_trafilatura(page: LabelledPage) -> Prediction:
    """trafilatura as a user would call it, with metadata; it has no notion of error pages."""
    doc = trafilatura.bare_extraction(decode_html(page.html).text, url=page.url, with_metadata=True)
    if doc is None or not doc.text:
        return Prediction("not_article")
    return Prediction("article", doc.title, doc.date, None, doc.author, doc.text)


def groups_of(page: LabelledPage) -> list[str]:
    """The rows a page counts in: its corpus; for our own set, the whole set too; for a real Chinese page,
    the split of its site (tuning or validation, see `sites`)."""
    if page.corpus.startswith("own:"):
        return [page.corpus, "own (all)"]
    split = split_of(page)
    return [f"{page.corpus} ({'zh' if page.chinese else 'other'})", *([f"{SPLIT_PREFIX}{split}"] if split else [])]


SPLIT_PREFIX = "real zh, sites: "


def evaluate(pages: Iterable[LabelledPage], extractors: dict[str, Extractor]) -> dict[tuple[str, str], Tally]:
    tallies: dict[tuple[str, str], Tally] = {}
    for page in pages:
        for name, extractor in extractors.items():
            start = time.perf_counter()
            prediction = extractor(page)
            elapsed = time.perf_counter() - start
            for group in groups_of(page):
                _add(tallies.setdefault((group, name), Tally()), page, prediction, elapsed)
    return tallies


def _add(tally: Tally, page: LabelledPage, p: Prediction, elapsed: float) -> None:
    tally.pages += 1
    tally.seconds += elapsed
    tally.type_correct += score.page_class(p.status) == score.page_class(page.page_type)
    if page.page_type != "article":
        return
    if page.body:
        tally.body.append(score.body_prf(p.text, page.body))
    if page.title:
        tally.title.append(score.same_title(p.title, page.title))
    if page.date:
        tally.date.append(score.same_day(p.date, page.date))
    if page.source:
        tally.source.append(score.same_value(p.source, page.source))
    text = p.text or ""
    tally.leaked += sum(1 for s in page.without_snippets if s and s in text)


def split_of(page: LabelledPage) -> str | None:
    """'tuning' or 'validation' for a real Chinese page (by its site), None for the others."""
    if not page.chinese or page.corpus.startswith("own:"):
        return None
    return sites.split_of(sites.site_of(page.id, page.url))


def is_validation(page: LabelledPage) -> bool:
    return split_of(page) == "validation"


def misses(pages: Iterable[LabelledPage], extractor: Extractor, below_f1: float = 0.9) -> Iterator[str]:
    """One line per wrong answer on pages that are not validation pages (those are scored, never read):
    what a person writing rules looks at."""
    for page in pages:
        if is_validation(page):
            continue
        p = extractor(page)
        found: list[str] = []
        if score.page_class(p.status) != score.page_class(page.page_type):
            found.append(f"type {p.status} (truth {page.page_type})")
        elif page.page_type == "article":
            if page.body:
                precision, recall, f1 = score.body_prf(p.text, page.body)
                if f1 < below_f1:
                    found.append(f"body F1 {f1:.2f} (P {precision:.2f} R {recall:.2f})")
            for name, truth, predicted, same in (("title", page.title, p.title, score.same_title),
                                                 ("date", page.date, p.date, score.same_day),
                                                 ("source", page.source, p.source, score.same_value)):
                if truth and not same(predicted, truth):
                    found.append(f"{name} {predicted!r} (truth {truth!r})")
        if found:
            yield f"{page.id}: " + "; ".join(found)
