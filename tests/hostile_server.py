"""A portal that misbehaves on purpose: a raw-socket HTTP server on 127.0.0.1 whose every article URL answers
with one kind of hostile response (lies about charsets, broken framing, bombs, loops, silence).

It speaks raw bytes rather than through http.server, so it can send what no well-behaved server library would:
truncated bodies, bad status lines, conflicting headers, resets.
"""

from __future__ import annotations

import gzip
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable

HOST = "www.hostile.example.cn"
LIST_PATH = "/list/index.html"
MAXSIZE = 1024 * 1024  # the crawl's DOWNLOAD_MAXSIZE in the suite: "huge" cases exceed it
TIMEOUT = 2  # the crawl's DOWNLOAD_TIMEOUT in the suite

Send = Callable[[socket.socket], None]


def _response(status: str, body: bytes, headers: dict[str, str] | None = None, length: bool = True) -> bytes:
    head = [f"HTTP/1.1 {status}"]
    for name, value in (headers or {}).items():
        head.append(f"{name}: {value}")
    if length:
        head.append(f"Content-Length: {len(body)}")
    head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def _html(title: str, paragraphs: int = 6, charset_meta: str | None = None) -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    body = "".join(f"<p>{title}。第{i}段：民警接到报警后迅速赶到现场，依法将嫌疑人控制，案件正在进一步侦办中。</p>"
                   for i in range(paragraphs))
    return (f"<html><head>{meta}<title>{title}</title></head><body><h1>{title}</h1>"
            f"<div class='info'>2026-11-30 09:00 来源：平安浙江</div><div id='content'>{body}</div></body></html>")


def send(data: bytes) -> Send:
    return lambda conn: conn.sendall(data)


def _timeout(conn: socket.socket) -> None:
    time.sleep(TIMEOUT + 1.5)


def _drip(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
    for _ in range(int((TIMEOUT + 1.5) / 0.25)):
        conn.sendall(b" ")
        time.sleep(0.25)


def _reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _gzip_bomb() -> bytes:
    return gzip.compress(b"<html><body>" + b" " * (MAXSIZE * 40) + b"</body></html>", 9)


HTML = {"Content-Type": "text/html; charset=utf-8"}
BIG5_TEXT = ("<html><head><title>警察局破獲詐騙集團</title></head><body><h1>警察局破獲詐騙集團</h1><div>"
             + "".join(f"<p>警方接獲民眾報案後，立即成立第{i}專案小組，經過數月追查，終於將詐騙集團成員全數逮捕到案。</p>"
                       for i in range(5))
             + "</div></body></html>").encode("big5")
GB_TEXT = _html("省公安厅通报一起诈骗案件").encode("gb18030")

# case name -> (what it sends, the outcome the archive must record for it; None: any recorded outcome)
CASES: dict[str, tuple[Send, str | None]] = {
    "ok": (send(_response("200 OK", _html("民警救助走失老人").encode(), HTML)), "article"),
    "charset-missing-gbk": (send(_response("200 OK", GB_TEXT, {"Content-Type": "text/html"})), "article"),
    "charset-lies-utf8-is-gbk": (send(_response("200 OK", GB_TEXT, HTML)), "article"),
    "charset-unknown": (send(_response("200 OK", _html("交警整治酒驾").encode(),
                                       {"Content-Type": "text/html; charset=x-nonsense"})), "article"),
    "broken-html": (send(_response("200 OK", (_html("派出所破获盗窃案")[:-40] + "<div><p><<<>>><td></b>&#xFFFFFFF;"
                                              ).encode(), HTML)), "article"),
    "empty-200": (send(_response("200 OK", b"", HTML)), "not_article"),
    "whitespace-only": (send(_response("200 OK", b" \n\t " * 100, HTML)), "not_article"),
    "binary-as-html": (send(_response("200 OK", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, HTML)),
                       "not_article"),
    "nul-bytes": (send(_response("200 OK", _html("夜间巡逻").encode().replace(b"</h1>", b"\x00" * 50 + b"</h1>"),
                                 HTML)), "article"),
    "nul-blob": (send(_response("200 OK", b"<html>" + bytes(range(256)) * 8, HTML)), "not_article"),
    "huge-declared": (send(_response("200 OK", b"<html>" + b"x" * (MAXSIZE + 10), HTML)), "error"),
    "huge-chunked": (send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n"
                          b"Connection: close\r\n\r\n" + b"".join(b"10000\r\n" + b"y" * 0x10000 + b"\r\n"
                                                                  for _ in range(20)) + b"0\r\n\r\n"), "error"),
    "gzip-bomb": (send(_response("200 OK", _gzip_bomb(), {**HTML, "Content-Encoding": "gzip"})), "error"),
    "gzip-broken": (send(_response("200 OK", b"this is not gzip at all" * 10, {**HTML, "Content-Encoding": "gzip"})),
                    "error"),
    "encoding-unknown": (send(_response("200 OK", _html("社区民警走访").encode(), {**HTML, "Content-Encoding": "zstd9"})),
                         None),
    "redirect-loop": (send(_response("302 Found", b"", {"Location": "/case/redirect-loop.html"})), "error"),
    "redirect-off-portal": (send(_response("301 Moved", b"", {"Location": "http://evil.example.org/a/1.html"})),
                            "not_article"),
    "redirect-no-location": (send(_response("302 Found", b"", {})), "error"),
    "redirect-garbage-location": (send(_response("301 Moved", b"", {"Location": "http://[::1/%%%"})), "error"),
    "meta-refresh-off-portal": (send(_response("200 OK", b'<html><head><meta http-equiv="refresh" '
                                                          b'content="0;url=http://evil.example.org/x.html"></head>'
                                                          b"<body>moved</body></html>", HTML)), "not_article"),
    "http-500": (send(_response("500 Internal Server Error", b"<html>oops</html>", HTML)), "error"),
    "http-503": (send(_response("503 Service Unavailable", b"busy", HTML)), "error"),
    "http-404": (send(_response("404 Not Found", b"<html><body>404</body></html>", HTML)), "not_found"),
    "soft-404": (send(_response("200 OK", "<html><head><title>页面不存在</title></head><body><h1>404</h1>"
                                          "<p>对不起，您访问的页面不存在或已被删除！</p></body></html>".encode(), HTML)),
                 "not_found"),
    "timeout-silent": (_timeout, "error"),
    "timeout-drip": (_drip, "error"),
    "closed-without-answer": (lambda conn: None, "error"),
    "reset": (_reset, "error"),
    "truncated-body": (send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 50000\r\n"
                            b"Connection: close\r\n\r\n" + _html("半截页面").encode()), "error"),
    "bad-status-line": (send(b"HTTP/1.1 abc banana\r\nContent-Length: 2\r\n\r\nhi"), "error"),
    "not-http": (send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(200)), "error"),
    "conflicting-lengths": (send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10\r\n"
                                 b"Content-Length: 99999\r\nConnection: close\r\n\r\n" + _html("两个长度").encode()),
                            "error"),
    "huge-header": (send(b"HTTP/1.1 200 OK\r\nX-Junk: " + b"a" * 200_000 + b"\r\nContent-Length: 4\r\n\r\nhtml"),
                    "error"),
    "deep-nesting": (send(_response("200 OK", (b"<html><body>" + b"<div>" * 20000 + _html("层层嵌套").encode()
                                               + b"</div>" * 20000 + b"</body></html>"), HTML)), "article"),
    "script-only": (send(_response("200 OK", b"<html><head><script src='/app.js'></script></head><body>"
                                             b"<div id='app'></div><script>render()</script></body></html>", HTML)),
                    "not_article"),
    "utf16-bom": (send(_response("200 OK", _html("民警调解邻里纠纷", charset_meta="utf-16").encode("utf-16"),
                                 {"Content-Type": "text/html; charset=utf-16"})), "article"),
    "utf8-stray-bytes": (send(_response("200 OK", _html("民警护送考生").encode().replace("民警".encode(), b"\xff\xfe", 3),
                                        HTML)), "article"),
    "big5-declared-gb2312": (send(_response("200 OK", BIG5_TEXT,
                                            {"Content-Type": "text/html; charset=gb2312"})), "article"),
    "not-html-pdf": (send(_response("200 OK", b"%PDF-1.4\n" + bytes(range(256)) * 20,
                                    {"Content-Type": "application/pdf"})), "not_article"),
}


def list_page() -> bytes:
    links = "".join(f'<li><a href="/case/{name}.html">警情通报 {name} 详细内容</a></li>' for name in CASES)
    return _response("200 OK", f"<html><head><meta charset='utf-8'><title>警情通报</title></head><body><ul>{links}"
                               "</ul></body></html>".encode(), HTML)


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        conn: socket.socket = self.request
        conn.settimeout(10)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
        except OSError:
            return
        lines = data.split(b"\r\n")
        try:
            path = lines[0].split()[1].decode("latin-1")
        except IndexError:
            return
        host = next((line.split(b":", 1)[1].strip().decode("latin-1") for line in lines[1:]
                     if line.lower().startswith(b"host:")), "")
        self.server.requests.append((host, path))  # type: ignore[attr-defined]
        try:
            if path == "/robots.txt":
                conn.sendall(_response("200 OK", b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}))
            elif path == LIST_PATH:
                conn.sendall(list_page())
            elif path.startswith("/case/") and path.endswith(".html") and path[6:-5] in CASES:
                CASES[path[6:-5]][0](conn)
            else:
                conn.sendall(_response("404 Not Found", b"<html>404</html>", HTML))
        except OSError:  # the crawler gave up on us first: that is the point of several cases
            pass


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class HostileServer:
    """Serve the cases on a free port of 127.0.0.1; `requests` lists (Host header, path) of every request."""

    def __enter__(self) -> HostileServer:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.requests = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def requests(self) -> list[tuple[str, str]]:
        return self.server.requests  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


PORTAL_TOML = f"""[portals.hostile]
title = "a portal that misbehaves on purpose"
allowed_domains = ["hostile.example.cn"]
start_urls = ["http://{HOST}{LIST_PATH}"]
article_patterns = ['^/case/[\\w-]+\\.html$']
charset = "gb18030"
"""
