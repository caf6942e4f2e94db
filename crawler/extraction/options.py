"""How to read one portal's pages: a plain record, importable without loading the extractor (the crawl's own
process only needs it to hand a portal's options to the extraction workers)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractOptions:
    """How to read one portal's pages (built from its portals.toml entry, or the defaults)."""

    body_selectors: tuple[str, ...] = ()  # tried before the generic CMS selectors
    title_selectors: tuple[str, ...] = ()  # the portal's headline element; trusted over <title>
    source_selectors: tuple[str, ...] = ()  # an element whose text is the source (a WeChat account name)
    script_dates: tuple[str, ...] = ()  # regexes over the raw page, group "epoch" (seconds) or "date"
    title_suffixes: tuple[str, ...] = ()  # exact site suffixes to cut from <title>
    default_charset: str = "utf-8"  # assumed when a page declares none and is not UTF-8
    min_chars: int = 60  # an article has at least this many characters of body text
    max_bytes: int = 8_000_000  # bigger pages are rejected unparsed (no article is that large)
    list_link_share: float = 0.5  # body paragraphs that are link texts above this share: a list page
