"""Decode, clean and classify a fetched page: `extract_page(body, url, ...)` is the one entry point."""

from crawler.extraction.extract import STATUSES, Extraction, ExtractOptions, extract_page

__all__ = ["STATUSES", "ExtractOptions", "Extraction", "extract_page"]
