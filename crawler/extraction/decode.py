"""Bytes to text: trust UTF-8 when the bytes are UTF-8, read the GB family as GB18030, and survive lies.

Portal pages declare gb2312 and use GBK characters; benchmark copies declare gb2312 over UTF-8 bytes; some
pages declare nothing, some are UTF-16, some are Big5 under a gb2312 label, some are UTF-8 with stray bytes
or a GBK fragment inside. A page must decode whatever its declaration says. The common cases (valid UTF-8,
valid and plausible GB18030) cost one or two strict decodes; only the rest pays for comparing readings.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from crawler.extraction.readings import best_reading, looks_wrong

# Every GB-family name is read as GB18030, their superset: real "gb2312" pages use GBK characters.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "euc-cn", "x-gbk", "hz-gb-2312", "csgb2312", "ms936"}
# Decoders that accept almost any byte pair: a clean decode with them still has to look like text.
_PERMISSIVE = {"gb18030", "big5", "big5hkscs", "cp950"}
FALLBACKS = ("utf-8", "gb18030", "big5hkscs")  # compared when nothing declared reads cleanly
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_SNIFF_BYTES = 1024  # how much of the head says whether BOM-less bytes are UTF-16
_WHITESPACE = {"\t", "\n", "\r", "\f"}


@dataclass(frozen=True)
class Decoded:
    text: str
    charset: str
    note: str | None = None  # set when the declaration was wrong, bytes had to be replaced or charsets mixed


def normalise_charset(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if canonical in _GB_FAMILY else canonical


def sniff_unicode(body: bytes) -> tuple[str, int] | None:
    """(charset, BOM length) when a BOM, or the NULs of UTF-16 markup, say the body is UTF-8 or UTF-16.

    Checked before a body with NUL bytes is called binary: UTF-16 markup is half NULs.
    """
    for bom, charset in _BOMS:
        if body.startswith(bom):
            return charset, len(bom)
    head = body[:_SNIFF_BYTES]
    head = head[: len(head) // 2 * 2]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    # ASCII markup puts a NUL in every other byte; the other half holds one only for U+xx00 (一 is U+4E00).
    if odd >= len(head) / 10 and even * 8 < odd:
        charset = "utf-16-le"
    elif even >= len(head) / 10 and odd * 8 < even:
        charset = "utf-16-be"
    else:
        return None
    sample = head.decode(charset, "replace")
    controls = sum(1 for c in sample if c < " " and c not in _WHITESPACE)
    return (charset, 0) if controls * 20 < len(sample) else None


def _strict(body: bytes, charset: str) -> str | None:
    try:
        return body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None, default_charset: str = "utf-8") -> Decoded:
    """Decode an HTML body; `note` says when what was declared is not what was used, or what was repaired."""
    declared_name = http_content_type_encoding(content_type or "") or html_body_declared_encoding(body[:4096])
    declared = normalise_charset(declared_name)
    unicode = sniff_unicode(body)
    if unicode:
        charset, bom = unicode
        return _decoded(body[bom:].decode(charset, "replace"), charset, declared_name, declared, lossy=True)
    if declared and declared.startswith(("utf-16", "utf-32")):
        declared = None  # a declaration readable as ASCII cannot be right about a two-byte charset
    # UTF-8 first: GB bytes almost never form valid UTF-8, while UTF-8 bytes often "decode" as GB18030.
    text = _strict(body, "utf-8")
    if text is not None:
        return _decoded(text, "utf-8", declared_name, declared)
    default = normalise_charset(default_charset)
    for charset in dict.fromkeys(c for c in (declared, default, "gb18030") if c):
        text = _strict(body, charset)
        if text is not None and not (charset in _PERMISSIVE and looks_wrong(text)):
            return _decoded(text, charset, declared_name, declared)
    # Nothing reads cleanly, or only as mojibake: the most plausible reading, and say what was done.
    reading = best_reading(body, (c for c in (declared, default, *FALLBACKS) if c))
    return _decoded(reading.text, reading.charset, declared_name, declared, lossy=True, detail=reading.detail)


def _decoded(text: str, charset: str, declared_name: str | None, declared: str | None, lossy: bool = False,
             detail: str | None = None) -> Decoded:
    """The decoded text with a note when the declaration was wrong, charsets were mixed or bytes replaced."""
    notes = [detail] if detail else []
    if not detail and declared and not _same_charset(declared, charset):
        notes.append(f"declared {declared_name}, bytes are {charset}")
    replaced = text.count("\ufffd") if lossy else 0
    if replaced:
        notes.append(f"undecodable bytes replaced ({replaced})")
    return Decoded(text, charset, "; ".join(notes) or None)


def _same_charset(declared: str, used: str) -> bool:
    """ASCII is UTF-8; "utf-16" names either byte order."""
    return declared == used or (declared, used) == ("ascii", "utf-8") or used.startswith(f"{declared}-")
