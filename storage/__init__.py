"""The archive library: schema, deduplication and queries over one SQLite file. Knows nothing of Scrapy."""

import sys

if "numpy" not in sys.modules:  # sqlite-utils imports numpy when it can, only to map numpy types to columns (we store
    # none): a fifth of a crawl's start-up. It is told numpy is absent while it loads; numpy itself still imports later.
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]

from storage.archive import Archive, ArchiveDamagedError, ArchiveError, BatchResult  # noqa: E402
from storage.records import Article, Page  # noqa: E402

__all__ = ["Archive", "ArchiveDamagedError", "ArchiveError", "Article", "BatchResult", "Page"]
