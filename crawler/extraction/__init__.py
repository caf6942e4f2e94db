"""Decode, clean and classify a fetched page: `extract_page(body, url, ...)` is the one entry point.

The extractor (trafilatura, lxml, the rules) is imported on first use: a crawl whose extraction runs in worker
processes, or that finds nothing new, never loads it in its own process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.extraction.options import ExtractOptions

if TYPE_CHECKING:
    from crawler.extraction.extract import STATUSES, Extraction, extract_page

__all__ = ["STATUSES", "ExtractOptions", "Extraction", "extract_page"]


def __getattr__(name: str) -> Any:
    if name in ("STATUSES", "Extraction", "extract_page"):
        from crawler.extraction import extract

        return getattr(extract, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
