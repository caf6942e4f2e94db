"""Real article pages served as a portal without rules, for the benchmark: the Chinese article pages of the
shared corpora (`../shared/corpora`), each served `copies` times under its own URL, as saved (the bytes as the site sent them; files stored gzipped are unpacked).

Nothing is bundled: the pages stay in the corpora folder, and the benchmark says so when it is missing.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from replica.server import Answer

HOST = "real.police.test"
PER_LIST = 20


def chinese_article_pages(corpora: Path) -> list[bytes]:
    """The raw bytes of every Chinese article page listed in the corpora's index, in index order."""
    pages = []
    for line in (corpora / "index.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        if row.get("lang") in ("zh", "zh-TW") and row.get("page_type") == "article":
            path = corpora / row["html"]
            pages.append(gzip.open(path, "rb").read() if path.suffix == ".gz" else path.read_bytes())
    return pages


def article_path(n: int) -> str:
    return f"/news/2026/{n:06d}.html"


class CorpusPortal:
    """A dynamic site for ReplicaServer: every page served `copies` times, behind list pages of PER_LIST links."""

    _ARTICLE = re.compile(r"^/news/2026/(\d{6})\.html$")
    _LIST = re.compile(r"^/list/index(?:_(\d+))?\.html$")

    def __init__(self, pages: list[bytes], copies: int = 1):
        self.bodies = pages
        self.articles = len(pages) * copies
        self.lists = -(-self.articles // PER_LIST)

    def body(self, n: int) -> bytes:
        return self.bodies[n % len(self.bodies)]

    def __call__(self, host: str, path: str) -> Answer | None:
        if host != HOST:
            return None
        if path == "/robots.txt":
            return Answer(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        if (match := self._LIST.match(path)) and (page := int(match.group(1) or 0)) < self.lists:
            links = "".join(f'<li><a href="{article_path(n)}">新闻 {n}</a></li>'
                            for n in range(page * PER_LIST, min(self.articles, (page + 1) * PER_LIST)))
            more = f'<a href="/list/index_{page + 1}.html">下一页</a>' if page + 1 < self.lists else ""
            html = f"<html><head><meta charset='utf-8'></head><body><ul>{links}</ul>{more}</body></html>"
            return Answer(200, html.encode(), {"Content-Type": "text/html; charset=utf-8"})
        if (match := self._ARTICLE.match(path)) and int(match.group(1)) < self.articles:
            return Answer(200, self.body(int(match.group(1))), {"Content-Type": "text/html"})
        return Answer(404, b"<html><body><h1>404 Not Found</h1></body></html>", {"Content-Type": "text/html"})

    def portal_toml(self) -> str:
        """A portal entry with no rules of its own: every page goes through the generic path (trafilatura)."""
        return f"""[portals.real]
title = "real pages of the shared corpora, no portal rules"
allowed_domains = ["{HOST}"]
start_urls = ["http://{HOST}/list/index.html"]
next_page_texts = ["下一页"]
max_list_pages = {self.lists + 1}
article_patterns = ['^/news/2026/\\d{{6}}\\.html$']
"""
