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


def same_title(predicted: str | None, truth: str) -> bool:
    """Equal after normalisation; a truth that still carries the site suffix may extend the prediction."""
    p, t = normalise(predicted), normalise(truth)
    return bool(p) and (p == t or (t.startswith(p) and len(p) >= 0.5 * len(t)))


def same_day(predicted: str | None, truth: str) -> bool:
    truth_day = (date_in_text(truth) or "")[:10]
    return bool(truth_day) and (date_in_text(predicted or "") or "")[:10] == truth_day


def same_value(predicted: str | None, truth: str | None) -> bool:
    return normalise(predicted) == normalise(truth)


def page_class(status: str) -> str:
    """Truth page types and extractor statuses on one scale."""
    return {"list": "not_article"}.get(status, status)
