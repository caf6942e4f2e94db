"""Bytes to text: trust UTF-8 when the bytes are UTF-8, read the GB family as GB18030, and survive lies.

Portal pages declare gb2312 and use GBK characters; benchmark copies declare gb2312 over UTF-8 bytes; some
pages declare nothing. A page must decode whatever its declaration says.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

# Every GB-family name is read as GB18030, their superset: real "gb2312" pages use GBK characters.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "euc-cn", "x-gbk", "hz-gb-2312", "csgb2312", "ms936"}


@dataclass(frozen=True)
class Decoded:
    text: str
    charset: str
    note: str | None = None  # set when the declaration was wrong or bytes had to be replaced


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


def _strict(body: bytes, charset: str) -> str | None:
    try:
        return body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None, default_charset: str = "utf-8") -> Decoded:
    """Decode an HTML body; `note` says when what was declared is not what was used."""
    declared_name = http_content_type_encoding(content_type or "") or html_body_declared_encoding(body[:4096])
    declared = normalise_charset(declared_name)
    if body.startswith(codecs.BOM_UTF8):
        return Decoded(body[3:].decode("utf-8", "replace"), "utf-8")
    # UTF-8 first: GB bytes almost never form valid UTF-8, while UTF-8 bytes often "decode" as GB18030.
    text = _strict(body, "utf-8")
    if text is not None:
        wrong = declared and declared not in ("utf-8", "ascii")
        return Decoded(text, "utf-8", f"declared {declared_name}, bytes are utf-8" if wrong else None)
    for charset in dict.fromkeys(c for c in (declared, normalise_charset(default_charset), "gb18030") if c):
        text = _strict(body, charset)
        if text is not None:
            wrong = declared and declared != charset
            return Decoded(text, charset, f"declared {declared_name}, bytes are {charset}" if wrong else None)
    # Nothing decodes cleanly (a GB page with a few broken bytes, mixed encodings): the candidate that
    # has to replace the fewest bytes, and say so.
    candidates = dict.fromkeys(c for c in (declared, normalise_charset(default_charset), "utf-8", "gb18030") if c)
    readings = [(body.decode(c, "replace"), c) for c in candidates]
    text, charset = min(readings, key=lambda reading: reading[0].count("\ufffd"))
    return Decoded(text, charset, f"undecodable bytes replaced ({text.count(chr(0xFFFD))})")
