"""Page-level verdicts that need no parsing: HTTP status, empty, binary or oversized bodies, redirects home."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.extraction.decode import sniff_unicode

_BINARY_MAGIC = {
    b"%PDF": "a PDF file", b"\x89PNG": "a PNG image", b"GIF8": "a GIF image", b"\xff\xd8\xff": "a JPEG image",
    b"PK\x03\x04": "a ZIP archive", b"\xd0\xcf\x11\xe0": "an Office document", b"\x1f\x8b": "gzip data",
    b"RIFF": "a media file", b"\x00\x00\x00": "a media file",
}
_TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/html")
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/default.html", "/index.jsp"}


def verdict_before_parsing(
    body: bytes, url: str, http_status: int, content_type: str | None, final_url: str | None, max_bytes: int
) -> tuple[str, str] | None:
    """(status, reason) when the page can be judged without reading it, else None."""
    if http_status in (404, 410):
        return "not_found", f"http {http_status}"
    if http_status >= 400:
        return "error", f"http {http_status}"
    if not body.strip():
        return "not_article", "empty body"
    kind = binary_kind(body, content_type)
    if kind:
        return "not_article", f"binary content ({kind})"
    if len(body) > max_bytes:
        return "not_article", f"page too large to be an article ({len(body) / 1e6:.1f} MB)"
    if final_url and redirected_home(url, final_url):
        return "not_found", "redirected to the homepage"
    return None


_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\f")


def _text_with_stray_nuls(head: bytes) -> bool:
    """Markup with a few NULs in it (a CMS glitch), not binary data: without the NULs, the bytes are markup and
    almost free of other control bytes, which random binary data is not (one byte in ten is a control byte)."""
    text = head.replace(b"\x00", b"")
    controls = len(text) - len(text.translate(None, _CONTROL))
    return b"<" in text[:512] and controls <= len(text) // 200


def binary_kind(body: bytes, content_type: str | None) -> str | None:
    """What the body is when it is not text: magic bytes first, then NUL bytes (unless UTF-16), then the
    declared type."""
    for magic, kind in _BINARY_MAGIC.items():
        if body.startswith(magic):
            return kind
    if b"\x00" in body[:2048] and not sniff_unicode(body) and not _text_with_stray_nuls(body[:2048]):
        return "bytes with NULs"
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime and not mime.startswith(_TEXT_TYPES) and not body.lstrip()[:1] == b"<":
        return mime
    return None


def redirected_home(url: str, final_url: str) -> bool:
    requested, landed = urlsplit(url), urlsplit(final_url)
    return landed.path in _HOME_PATHS and requested.path not in _HOME_PATHS
