"""The records that flow from the crawler into the archive: one fetched page, one extracted article."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Outcomes a fetched page can have; `list` pages are fetched for discovery only.
OUTCOMES = ("article", "not_found", "not_article", "error", "list")
# Outcomes after which a URL is never requested again (errors are retried on the next run).
FINAL_OUTCOMES = ("article", "not_found", "not_article")
# How a run ended (runs.outcome). Scrapy's other close reasons (shutdown, closespider_*) are stored as they are;
# the scheduler adds interrupted, timeout and abandoned for runs whose process could not say. A run that found its
# portal held by another process is skipped.
RUNNING, FINISHED, FAILED, INTERRUPTED, SKIPPED = "running", "finished", "failed", "interrupted", "skipped"
# SQLite's largest integer: a row limit (or count) beyond it is taken as this, which means every row.
MAX_ROWS = 2**63 - 1


@dataclass
class Article:
    """What extraction makes of an article page."""

    title: str | None
    published: str | None  # ISO 8601, Asia/Shanghai
    source: str | None
    author: str | None
    text: str


@dataclass
class Page:
    """One fetch outcome. The spider fills the fetch fields, extraction the rest."""

    url: str  # as requested (before redirects)
    portal: str
    fetched_at: str  # ISO 8601 UTC
    final_url: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    headers: dict[str, str] | None = None  # the response headers, for replay (WARC export)
    body: bytes = b""
    outcome: str | None = None  # one of OUTCOMES, set by the spider (list, error) or by extraction
    reason: str | None = None  # why a page is not an article, for every rejection
    charset: str | None = None  # the charset the body was decoded with
    article: Article | None = None
    revisit: bool = False  # a re-visit of an archived article (revisit_days), not a newly found link
    body_by: str | None = None  # "portal" (its own body selectors) or "generic"; None when not parsed as a page
    story_missing: bool = False  # an article's frame without its story (extraction's word): a template change?
    signature: Any = None  # the article text's MinHash, when computed before the write (in an extraction worker)
    packed_body: Any = None  # the body's storage.bodies.PackedBody, when packed before the write (in a worker)
    fts: tuple[str, str] | None = None  # the article's title and text as the search index takes them (fts_tokens),
    # when made before the write (in a worker)
