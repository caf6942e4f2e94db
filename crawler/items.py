"""The item the spiders yield: one fetched page (storage.records.Page), filled in by extraction.

One record type from spider to storage, so a field is named in one place.
"""

from storage.records import Article, Page

PageItem = Page

__all__ = ["Article", "PageItem"]
