"""A portal that changes between crawls, as real ones do over months: articles are published a few at a time,
and its article URLs or its article template change. Tests of health rules change it between runs.

Pages are the generated portal's (`replica.generated`): TRS-style, GB18030, full site chrome.
"""

from __future__ import annotations

import json
import re

from replica.generated import article_html, article_path
from replica.server import Answer

HOST = "living.police.test"
LIST_PATH = "/zjnews/pazj/index.shtml"
PER_LIST = 20
FIRST = 30000000
# How article URLs look: the TRS scheme the portal entry's article_patterns know, and the one it moves to.
URL_SCHEMES = ("trs", "cms")
# What an article page looks like: as the portal entry's extract.body expects; its body gone (a template
# that broke); its body in a container the entry does not name; its body written by a script.
TEMPLATES = ("ok", "broken", "moved", "script")
_BODY = re.compile(r'<div class="artCon"><div class="TRS_Editor">(.*?)</div></div>', re.S)


def cms_path(n: int) -> str:
    return f"/zjnews/content/2026-{1 + n % 12:02d}/{1 + n % 28:02d}/c_{FIRST + n}.htm"


class LivingPortal:
    """A dynamic site for ReplicaServer; change `urls` and `template`, and `publish()`, between crawls."""

    _TRS = re.compile(r"^/zjnews/\d{6}/t\d{8}_(\d+)\.shtml$")
    _CMS = re.compile(r"^/zjnews/content/\d{4}-\d{2}/\d{2}/c_(\d+)\.htm$")

    def __init__(self, published: int = 0):
        self.published = published
        self.urls = "trs"
        self.template = "ok"

    def publish(self, count: int = 1) -> None:
        self.published += count

    def __call__(self, host: str, path: str) -> Answer | None:
        if host != HOST:
            return None
        if path == "/robots.txt":
            return Answer(200, b"User-agent: *\nDisallow:\n", {"Content-Type": "text/plain"})
        if path == LIST_PATH:
            return self._page(self.list_html())
        match = self._TRS.match(path) or self._CMS.match(path)
        if match and 0 <= (n := int(match.group(1)) - FIRST) < self.published:
            return self._page(self.article_html(n))
        return Answer(404, b"<html><body><h1>404 Not Found</h1></body></html>", {"Content-Type": "text/html"})

    @staticmethod
    def _page(html: str) -> Answer:
        return Answer(200, html.encode("gb18030"), {"Content-Type": "text/html"})

    def path(self, n: int) -> str:
        return article_path(n) if self.urls == "trs" else cms_path(n)

    def list_html(self) -> str:
        newest = range(self.published - 1, max(-1, self.published - 1 - PER_LIST), -1)
        items = "".join(f'<li><a href="{self.path(n)}">第{n}号通报</a></li>' for n in newest)
        nav = "".join(f'<a href="/{name}/index.shtml">{name}</a> ' for name in ("news", "zj", "video", "photo"))
        return (f'<html><head><meta charset="gb2312"><title>平安浙江</title></head><body><div class="nav">{nav}'
                f'</div><ul class="listUl">{items}</ul></body></html>')

    def article_html(self, n: int) -> str:
        html = article_html(n)
        if self.template == "broken":
            return _BODY.sub('<div class="artCon"><div class="TRS_Editor"><p>图片</p></div></div>', html)
        if self.template == "moved":
            return _BODY.sub(r'<section class="story"><div class="story-text">\1</div></section>', html)
        if self.template == "script":
            def rendered(match: re.Match) -> str:
                data = json.dumps({"content": match.group(1)})  # ASCII escapes: no text a parser can read
                return (f'<div class="artCon"><div class="TRS_Editor" id="app"></div></div>'
                        f'<script>window.__ARTICLE__ = {data}; render(window.__ARTICLE__);</script>')
            return _BODY.sub(rendered, html)
        return html

    def portal_toml(self, extra: str = "") -> str:
        """The portals.toml entry for this site as it was first configured (TRS URLs, the TRS body container)."""
        return f"""[portals.living]
title = "a portal that changes"
allowed_domains = ["{HOST}"]
start_urls = ["http://{HOST}{LIST_PATH}"]
article_patterns = ['/zjnews/\\d{{6}}/t\\d{{8}}_\\d+\\.shtml$']
charset = "gb18030"
extract.body = [".artCon"]
{extra}"""
