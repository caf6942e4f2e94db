"""How a portal's article lists go on beyond the first page: pagination, sitemaps and feeds, and its charset.

A spider follows `next_page_texts` links when the list names its next page ("下一页"), or `list_patterns`
when it only numbers them (`index_1.html`, an e-paper's `node_2.htm`). Sitemaps and feeds are taken only from
where a site names them (robots.txt, the page head, an RSS link on the page) or from the conventional
`/sitemap.xml` places, and only when they list URLs the article patterns accept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement
from scrapy.http import Response

from crawler.extraction.decode import normalise_charset
from crawler.inference.links import Link, shape_pattern
from crawler.inference.source import PageSource
from crawler.sitemaps import SitemapError, read_sitemap

NEXT_TEXTS = ("下一页", "下页", "下一页>", "下一页 >", "下一页>>", "后页", "Next", "next", "»", "›")
MAX_LIST_PAGES = 30  # how far inference walks a list's pages; a longer list is crawled this deep
_NUMBERED_PAGE = re.compile(r"^(?P<stem>[A-Za-z]+)_(?P<n>\d+)\.(?P<ext>s?html?)$")
# a list page asked for by number in its query (a JCMS `dataproxy.jsp?page=2&…`, `list.jsp?pageNum=3`)
_PAGE_QUERY = re.compile(r"(?:^|&)(?:page|pagenum|pageno|pageindex|curpage|startrecord)=\d+(?:&|$)", re.I)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";\s>]+)", re.I)
_SCRIPT_LOCATION = re.compile(r"""location(?:\.href)?\s*=\s*["']([^"']+)["']""")
_CONVENTIONAL_SITEMAPS = ("/sitemap.xml", "/sitemap.xml.gz", "/sitemap_index.xml")
_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml")
_MAX_SITEMAP_BYTES = 32 * 1024 * 1024


@dataclass
class Pagination:
    """How to reach a list's further pages: link texts, or path patterns of numbered pages."""

    next_page_texts: list[str] = field(default_factory=list)
    list_patterns: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.next_page_texts or self.list_patterns)


def pagination(links: list[Link], hosts: set[str]) -> Pagination:
    """`下一页`-style link texts when the page has them, else the numbered sibling pages as list patterns; and
    pages asked for by number in the query (their path as a list pattern) either way."""
    on_site = [link for link in links if (urlsplit(link.url).hostname or "") in hosts]
    by_query = sorted({"^" + re.escape(link.path) + "$" for link in on_site
                       if _PAGE_QUERY.search(urlsplit(link.url).query)})
    texts = sorted({link.text for link in on_site if link.text in NEXT_TEXTS})
    if texts:
        return Pagination(next_page_texts=texts, list_patterns=by_query)
    numbered: dict[tuple[str, str], list[str]] = {}
    for link in on_site:
        folder, _, name = link.path.rpartition("/")
        if match := _NUMBERED_PAGE.match(name):
            numbered.setdefault((folder, match["stem"]), []).append(link.path)
    patterns = [shape_pattern(sorted(set(paths))) for paths in numbered.values() if len(set(paths)) >= 2]
    return Pagination(list_patterns=[p.replace(r"\d{1,2}", r"\d+") for p in patterns] + by_query)


def forward_target(root: HtmlElement, links: list[Link], base_url: str, hosts: set[str]) -> str | None:
    """Where an entry page without a list sends its reader: its meta refresh, a script setting the location,
    or its only link on the site (an e-paper's `index.htm` points at today's first printed page)."""
    for meta in root.iter("meta"):
        if meta.get("http-equiv", "").lower() == "refresh" and (match := _REFRESH_URL.search(meta.get("content", ""))):
            return urljoin(base_url, match.group(1))
    for script in root.iter("script"):
        if match := _SCRIPT_LOCATION.search(script.text or ""):
            return urljoin(base_url, match.group(1))
    on_site = {link.url for link in links if (urlsplit(link.url).hostname or "") in hosts and link.url != base_url}
    return on_site.pop() if len(on_site) == 1 else None


def next_pages(links: list[Link], hosts: set[str], rule: Pagination) -> list[str]:
    """The list pages a spider with this pagination rule would go to from a page with these links."""
    patterns = [re.compile(p) for p in rule.list_patterns]
    return [link.url for link in links
            if (urlsplit(link.url).hostname or "") in hosts
            and (link.text in rule.next_page_texts or any(p.search(link.path) for p in patterns))]


def declared_charset(body: bytes, content_type: str | None) -> str | None:
    """The charset the server or the page declares, GB names read as GB18030 (as the extractor reads them)."""
    from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

    name = http_content_type_encoding(content_type) if content_type else None
    return normalise_charset(name or html_body_declared_encoding(body))


def robots_sitemaps(source: PageSource, base_url: str) -> list[str]:
    """The sitemaps robots.txt names, on the page's own host."""
    answer = source.get(urljoin(base_url, "/robots.txt"))
    if not answer.ok:
        return []
    text = answer.body.decode("utf-8", "replace")
    host = urlsplit(base_url).hostname
    return [url for url in _SITEMAP_LINE.findall(text) if urlsplit(url).hostname == host]


def feed_links(root: HtmlElement, links: list[Link], base_url: str) -> list[str]:
    """Feeds the page names: `<link rel=alternate>` of an RSS/Atom type, or an on-page link called RSS."""
    found = [urljoin(base_url, el.get("href", "")) for el in root.iter("link")
             if el.get("type", "").lower() in _FEED_TYPES and el.get("href")]
    found += [link.url for link in links
              if "rss" in link.text.lower() or link.path.lower().endswith(("/rss.xml", ".rss", "/feed"))
              or ("rss" in link.path.lower() and link.path.endswith(".xml"))]
    return list(dict.fromkeys(found))


def sitemap_urls(source: PageSource, url: str, depth: int = 1) -> list[str] | None:
    """The page URLs a sitemap lists (the first few children of a sitemap index followed), or None if it is none."""
    answer = source.get(url)
    if not answer.ok:
        return None
    try:
        sitemap = read_sitemap(Response(url, body=answer.body), _MAX_SITEMAP_BYTES, 0)
    except SitemapError:
        return None
    if sitemap.kind == "urlset":
        return sitemap.locations
    if depth <= 0:
        return []
    return [page for child in sitemap.locations[:5] for page in sitemap_urls(source, child, depth - 1) or []]


def feed_urls(source: PageSource, url: str) -> list[str] | None:
    """The item links of an RSS or Atom feed, or None if the URL serves no feed."""
    answer = source.get(url)
    if not answer.ok:
        return None
    try:
        root = etree.fromstring(answer.body, parser=etree.XMLParser(recover=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return None
    if root is None or etree.QName(root).localname not in ("rss", "feed", "RDF"):
        return None
    links = root.xpath("//*[local-name()='item']/*[local-name()='link']/text()")
    links += root.xpath("//*[local-name()='entry']/*[local-name()='link']/@href")
    return [link.strip() for link in links]


def candidate_sitemaps(source: PageSource, base_url: str) -> list[str]:
    """Sitemaps to try: robots.txt's, else the conventional places."""
    named = robots_sitemaps(source, base_url)
    return named or [urljoin(base_url, path) for path in _CONVENTIONAL_SITEMAPS]
