"""A download handler that sends requests to the local replica when REPLICA_URL is set.

It works below every middleware: robots.txt, offsite filtering, redirects, retries and the archive all see
the portals' real URLs, while the bytes travel over 127.0.0.1. With REPLICA_URL empty it is Scrapy's own
HTTP/1.1 handler.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response


class ReplicaAwareDownloadHandler(BaseDownloadHandler):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.replica = crawler.settings.get("REPLICA_URL", "").rstrip("/")
        self.http = HTTP11DownloadHandler.from_crawler(crawler)

    async def download_request(self, request: Request) -> Response:
        if not self.replica:
            return await self.http.download_request(request)
        parts = urlsplit(request.url)
        target = self.replica + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = request.headers.copy()
        headers["Host"] = parts.netloc
        headers["X-Forwarded-Proto"] = parts.scheme
        meta = {k: v for k, v in request.meta.items() if k != "proxy"}  # never via a proxy to loopback
        response = await self.http.download_request(request.replace(url=target, headers=headers, meta=meta))
        return response.replace(url=request.url)

    async def close(self) -> None:
        await self.http.close()
