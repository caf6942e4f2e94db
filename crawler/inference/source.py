"""Where `portal add` reads pages from: the web, the local replica (real URLs, loopback sockets), or a folder of
saved pages laid out as `<host>/<path>` (the replica's `replica/site` layout), so inference works offline."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

MAX_REDIRECTS = 3
_INDEX_FILES = ("index.html", "index.htm", "index.shtml")


class SourceError(ValueError):
    """A page that `portal add` needs (the channel page) cannot be read."""


@dataclass(frozen=True)
class Fetched:
    """One answer: the URL asked for, the URL that answered (after redirects), status, headers and bytes."""

    url: str
    final_url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.body)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by `PageSource` itself, so each hop goes through the replica too."""

    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 (urllib's signature)
        return None


class PageSource:
    """Fetches pages for inference; `fetched` keeps every URL asked for, so a person can see what was read."""

    def __init__(self, replica_url: str = "", saved_dir: Path | None = None, timeout: float = 10.0,
                 user_agent: str = "police-news-archiver (portal add)"):
        self.replica_url = replica_url.rstrip("/")
        self.saved_dir = saved_dir
        self.timeout = timeout
        self.user_agent = user_agent
        self.fetched: list[str] = []
        self._opener = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))

    def get(self, url: str) -> Fetched:
        """The page at `url`, redirects followed (up to MAX_REDIRECTS); a failure is a status of 0."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            answer = self._one(current)
            location = answer.headers.get("location")
            if answer.status in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                continue
            return Fetched(url, current, answer.status, answer.body, answer.headers)
        return Fetched(url, current, 0, headers={"error": "too many redirects"})

    def _one(self, url: str) -> Fetched:
        self.fetched.append(url)
        if self.saved_dir is not None:
            return self._saved(url)
        parts = urlsplit(url)
        target, headers = url, {"User-Agent": self.user_agent}
        if self.replica_url:
            target = self.replica_url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            headers["Host"] = parts.netloc
            headers["X-Forwarded-Proto"] = parts.scheme
        request = urllib.request.Request(target, headers=headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return Fetched(url, url, response.status, response.read(), _lower(response.headers))
        except urllib.error.HTTPError as exc:
            return Fetched(url, url, exc.code, exc.read() or b"", _lower(exc.headers))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return Fetched(url, url, 0, headers={"error": str(getattr(exc, "reason", exc))})

    def _saved(self, url: str) -> Fetched:
        """A saved page: `<dir>/<host>/<path>`, else `<dir>/<path>`; a folder's index file for a path ending in /."""
        parts = urlsplit(url)
        path = unquote(parts.path or "/").lstrip("/")
        for base in (self.saved_dir / (parts.hostname or ""), self.saved_dir):
            candidates = [base / path] if path and not path.endswith("/") else []
            candidates += [base / path / name for name in _INDEX_FILES]
            for candidate in candidates:
                if candidate.is_file() and not any(p.startswith("_") for p in candidate.parts[-3:]):
                    return Fetched(url, url, 200, candidate.read_bytes())
        return Fetched(url, url, 404)


def _lower(headers) -> dict[str, str]:  # noqa: ANN001 (http.client's message type)
    return {k.lower(): v for k, v in headers.items()} if headers else {}
