"""The archive library: schema, deduplication and queries over one SQLite file. Knows nothing of Scrapy."""

from storage.archive import Archive, ArchiveError, BatchResult
from storage.records import Article, Page

__all__ = ["Archive", "ArchiveError", "Article", "BatchResult", "Page"]
