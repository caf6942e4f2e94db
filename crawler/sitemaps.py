"""Sitemaps as portals serve them: plain XML, or a gzip file (`sitemap.xml.gz`), read within the size limits.

A `.xml.gz` sent as a file (Content-Type application/x-gzip or octet-stream, no Content-Encoding) reaches the
spider compressed; Scrapy's SitemapSpider decompresses it with `scrapy.utils.gz.gunzip` bounded by
DOWNLOAD_MAXSIZE and warns past DOWNLOAD_WARNSIZE, and so do we, so a gzip bomb stops at the limit.
"""

from __future__ import annotations

import logging
import struct
import zlib
from dataclasses import dataclass

from lxml import etree
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap

logger = logging.getLogger(__name__)
KINDS = ("urlset", "sitemapindex")


class SitemapError(ValueError):
    """A sitemap that cannot be read: a broken gzip file, too large once decompressed, or not a sitemap."""


@dataclass(frozen=True)
class SitemapLinks:
    """What a sitemap lists: pages (`urlset`) or further sitemaps (`sitemapindex`)."""

    kind: str
    locations: list[str]


def read_sitemap(response: Response, max_size: int, warn_size: int) -> SitemapLinks:
    """The locations a sitemap response lists; SitemapError says why there are none to read."""
    xml = _xml(response, max_size, warn_size)
    try:
        sitemap = Sitemap(xml)
        locations = [entry["loc"] for entry in sitemap if entry.get("loc")]
    except (StopIteration, etree.XMLSyntaxError):  # not even a root element
        raise SitemapError("not a sitemap (not XML)") from None
    if sitemap.type not in KINDS:
        raise SitemapError(f"not a sitemap (an XML <{sitemap.type}> document)")
    return SitemapLinks(sitemap.type, locations)


def _xml(response: Response, max_size: int, warn_size: int) -> bytes:
    if not gzip_magic_number(response):
        return response.body  # plain XML, or XML that HttpCompressionMiddleware already inflated
    try:
        xml = gunzip(response.body, max_size=max_size)
    except ValueError:  # gunzip's only ValueError: the max_size it was given was exceeded
        raise SitemapError(f"larger than DOWNLOAD_MAXSIZE ({max_size} bytes) once decompressed") from None
    except (OSError, EOFError, zlib.error, struct.error) as exc:
        raise SitemapError(f"broken gzip file ({exc})") from None
    if warn_size and len(response.body) < warn_size <= len(xml):
        logger.warning("sitemap %s is %d bytes once decompressed, over DOWNLOAD_WARNSIZE (%d bytes)",
                       response.url, len(xml), warn_size)
    return xml
