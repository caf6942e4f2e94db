"""Hashes that decide whether two URLs, or two texts, are the same article."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

# Query parameters that only say where a reader came from; `?from=groupmessage` is the same article.
TRACKING_PARAMS = (
    "from", "spm", "isappinstalled", "scene", "share", "share_from", "shareid", "tt_from",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "timestamp", "wfr",
)

_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def canonical_url(url: str) -> str:
    """The URL with scheme, fragment, tracking parameters and argument order made irrelevant."""
    parts = urlsplit(canonicalize_url(without_tracking(url)))
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    return urlunsplit(("", host, parts.path or "/", parts.query, ""))


@functools.lru_cache(maxsize=16384)  # one URL is hashed by the duplicate filter, the archive check and the write
def url_hash(url: str) -> str:
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()


def normalise_text(text: str) -> str:
    """NFKC, with whitespace and punctuation removed: two copies that differ only in layout compare equal."""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text))


def content_hash(text: str) -> str:
    return hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()


def without_tracking(url: str) -> str:
    """The URL without tracking parameters, so `?from=groupmessage` variants are requested once."""
    return url_query_cleaner(url, TRACKING_PARAMS, remove=True, keep_fragments=False)
