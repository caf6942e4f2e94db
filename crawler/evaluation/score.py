"""Scores over one extraction against its truth. Pure functions."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from crawler.extraction.metadata import date_in_text

_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str | None) -> str:
    """NFKC, lower case, whitespace and punctuation removed: how texts are compared."""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def bigrams(text: str | None) -> Counter:
    s = normalise(text)
    return Counter(s[i:i + 2] for i in range(len(s) - 1))


def body_prf(predicted: str | None, truth: str) -> tuple[float, float, float]:
    """Precision, recall, F1 over character bigrams (the measure CJK extraction benchmarks use)."""
    p, t = bigrams(predicted), bigrams(truth)
    overlap = sum((p & t).values())
    if not p or not t or not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(t.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


_TITLE_TAIL = re.compile(r"\s*(?:_|-|－|—|\||｜|@|::)")


def same_title(predicted: str | None, truth: str) -> bool:
    """Equal after normalisation; a truth that still carries the site suffix may extend the prediction."""
    p, t = normalise(predicted), normalise(truth)
    if not p:
        return False
    if p == t or (t.startswith(p) and len(p) >= 0.5 * len(t)):
        return True
    # "标题 @ 博客名_站名" in a truth taken from <title>: the headline up to a title separator
    head = (predicted or "").strip()
    return (truth or "").startswith(head) and bool(_TITLE_TAIL.match(truth[len(head):]))


_PARTIAL_DATE = re.compile(r"^\s*((?:19|20)\d{2})(?:\s*[-/年.]\s*(\d{1,2}))?\s*月?\s*$")


def same_day(predicted: str | None, truth: str) -> bool:
    """Same calendar day; a truth that gives only a year or a month is compared at that precision."""
    day = (date_in_text(predicted or "") or "")[:10]
    truth_day = (date_in_text(truth) or "")[:10]
    if truth_day:
        return day == truth_day
    partial = _PARTIAL_DATE.match(truth or "")
    if not partial or not day:
        return False
    year, month = partial.groups()
    return day[:4] == year and (month is None or int(day[5:7]) == int(month))


def same_value(predicted: str | None, truth: str | None) -> bool:
    return normalise(predicted) == normalise(truth)


def page_class(status: str) -> str:
    """Truth page types and extractor statuses on one scale."""
    return {"list": "not_article"}.get(status, status)
