"""The archive library: schema, deduplication and queries over one SQLite file. Knows nothing of Scrapy."""

from storage.archive import Archive, ArchiveDamagedError, ArchiveError, BatchResult
from storage.records import Article, Page

__all__ = ["Archive", "ArchiveDamagedError", "ArchiveError", "Article", "BatchResult", "Page"]
