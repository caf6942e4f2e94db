"""A real HTTP server on loopback that answers as the police-news portals do.

It serves `replica/site/<host>/...` by the request's Host header, encodes pages in each portal's real
charset and plays the special routes of `_host.toml` (errors, redirects, slow and broken answers), so the
crawler meets what it meets on the internet without leaving 127.0.0.1. See replica/README.md.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import sys
import threading
import time
import tomllib
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SITE_DIR = Path(__file__).parent / "site"
TEXT_SUFFIXES = {".htm", ".html", ".shtml", ".xml", ".txt"}
# A fixed date so that Last-Modified, and so conditional GETs, are reproducible.
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)
NOT_FOUND_PAGE = (
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class Answer:
    """What the server sends for one request."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


# A dynamic site answers (host, path) with an Answer, or None for "not mine".
DynamicSite = Callable[[str, str], Answer | None]


@dataclass
class Host:
    """One portal host: its folder and how it serves what is in it."""

    folder: Path
    encoding: str = "utf-8"
    content_type: str = "text/html"
    routes: dict[str, dict] = field(default_factory=dict)
    played: Counter = field(default_factory=Counter)  # how often each limited route (`times`) was played
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, folder: Path) -> Host:
        conf_path = folder / "_host.toml"
        conf = tomllib.loads(conf_path.read_text("utf-8")) if conf_path.exists() else {}
        routes = {route["path"]: route for route in conf.get("routes", [])}
        return cls(folder, conf.get("encoding", "utf-8"), conf.get("content_type", "text/html"), routes)

    def answer(self, path: str) -> Answer:
        route = self._route(path)
        if "gzip_bomb" in route:
            return Answer(200, _gzip_bomb(route["gzip_bomb"]), {"Content-Type": "application/x-gzip"})
        status = route.get("status", 200)
        headers: dict[str, str] = {}
        if "location" in route:
            headers["Location"] = route["location"]
        if "retry_after" in route:
            headers["Retry-After"] = str(route["retry_after"])
        if "file" in route:
            file_path = self._existing(route["file"])
        elif "body" in route:
            file_path = None
        else:
            file_path = self._public_file(urlsplit(path).path)
        if file_path is None:
            if status == 200:
                status = 404
            body = NOT_FOUND_PAGE.encode() if status == 404 else route.get("body", "").encode("utf-8")
            headers.setdefault("Content-Type", "text/html")
            return Answer(status, body, headers, route.get("delay", 0.0))
        body = file_path.read_bytes()
        is_text = file_path.suffix in TEXT_SUFFIXES and not route.get("raw")
        if is_text:
            body = body.decode("utf-8").encode(route.get("encoding", self.encoding))
        headers["Content-Type"] = route.get("content_type") or self._content_type(file_path)
        if route.get("gzip"):
            body = gzip.compress(body, mtime=0)
        if "truncate" in route:
            body = body[: route["truncate"]]
        return Answer(status, body, headers, route.get("delay", 0.0))

    def _route(self, path: str) -> dict:
        """The special route of a path; one limited to its first `times` requests is then an ordinary path."""
        route = self.routes.get(path, {})
        if "times" not in route:
            return route
        with self._lock:
            self.played[path] += 1
            return route if self.played[path] <= route["times"] else {}

    def _public_file(self, url_path: str) -> Path | None:
        relative = url_path.lstrip("/") or "index.html"
        if relative.endswith("/"):
            relative += "index.html"
        if any(part.startswith((".", "_")) for part in Path(relative).parts):
            return None
        return self._existing(relative)

    def _existing(self, relative: str) -> Path | None:
        candidate = (self.folder / relative).resolve()
        if self.folder.resolve() not in candidate.parents or not candidate.is_file():
            return None
        return candidate

    def _content_type(self, file_path: Path) -> str:
        return {
            ".xml": "application/xml",
            ".txt": "text/plain",
            ".png": "image/png",
            ".jpg": "image/jpeg",
            ".pdf": "application/pdf",
        }.get(file_path.suffix, self.content_type)


@functools.lru_cache(maxsize=4)
def _gzip_bomb(size: int) -> bytes:
    """A small gzip file that inflates to `size` bytes of spaces."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
    chunk = b" " * (1 << 20)
    parts = [compressor.compress(chunk) for _ in range(size >> 20)]
    parts += [compressor.compress(b" " * (size & ((1 << 20) - 1))), compressor.flush()]
    return b"".join(parts)


class Site:
    """Every host under one folder, plus optional dynamic sites (the benchmark's generated portal)."""

    def __init__(self, folder: Path = SITE_DIR, dynamic: list[DynamicSite] | None = None):
        self.hosts = {p.name: Host.load(p) for p in folder.iterdir() if p.is_dir()} if folder.exists() else {}
        self.dynamic = dynamic or []

    def answer(self, host: str, path: str) -> Answer:
        for site in self.dynamic:
            answer = site(host, path)
            if answer is not None:
                return answer
        if host in self.hosts:
            return self.hosts[host].answer(path)
        return Answer(502, b"unknown host in replica: " + host.encode(), {"Content-Type": "text/plain"})


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        self.server.log_request_line(host, self.path)
        answer = self.server.site.answer(host, self.path)
        if answer.delay:
            time.sleep(answer.delay)
        etag = '"' + hashlib.sha1(answer.body).hexdigest()[:16] + '"'
        unchanged = answer.status == 200 and self.headers.get("If-None-Match") == etag
        self.send_response(304 if unchanged else answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if answer.status == 200:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
        body = b"" if unchanged else answer.body
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to tell it

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # requests are recorded in server.requests instead of stderr


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: Site):
        super().__init__(address, _Handler)
        self.site = site
        self.requests: list[tuple[float, str, str]] = []  # (time.monotonic(), host, path)
        self._lock = threading.Lock()
        self.record = True

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """A crawler that hangs up (a timeout, a cancelled oversized download, a killed crawl) is normal here."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def log_request_line(self, host: str, path: str) -> None:
        if self.record:
            with self._lock:
                self.requests.append((time.monotonic(), host, path))


class ReplicaServer:
    """Serve the replica on 127.0.0.1 in a background thread; use as a context manager.

    `requests` lists every (host, path) asked for, so tests can check what the crawler fetched;
    `timed_requests` adds when each arrived.
    """

    def __init__(self, site: Site | None = None, port: int = 0, record: bool = True):
        self._server = _Server(("127.0.0.1", port), site or Site())
        self._server.record = record
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[tuple[str, str]]:
        return [(host, path) for _, host, path in self._server.requests]

    @property
    def timed_requests(self) -> list[tuple[float, str, str]]:
        """Every request as (time.monotonic() when it arrived, host, path)."""
        return list(self._server.requests)

    def start(self) -> ReplicaServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the portal replica on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--generated", type=int, default=0, metavar="N",
                        help="also serve a generated portal of N articles (the benchmark's)")
    parser.add_argument("--corpus", type=Path, default=None, metavar="DIR",
                        help="also serve the Chinese article pages of a shared-corpora folder as a portal")
    parser.add_argument("--copies", type=int, default=1, help="how many times each corpus page is served")
    args = parser.parse_args(argv)
    from replica.corpus import CorpusPortal, chinese_article_pages
    from replica.generated import GeneratedPortal

    dynamic = [GeneratedPortal(args.generated)] if args.generated else []
    if args.corpus:
        dynamic.append(CorpusPortal(chinese_article_pages(args.corpus), args.copies))
    server = ReplicaServer(Site(dynamic=dynamic), port=args.port, record=False).start()
    print(f"replica serving on {server.url} (set REPLICA_URL to this); Ctrl-C stops it", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
