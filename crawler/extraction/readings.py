"""Telling text from mojibake, for bytes that no charset reads cleanly or that read suspiciously.

A GB18030 or Big5 decoder accepts almost any byte pair, so "it decoded" proves little: UTF-8 or Big5 bytes
read as GB18030 come out as rare hanzi, kana, Cyrillic and private-use code points, which real pages seldom
use (at most 2 % of the non-ASCII characters of the 51 GB pages of the shared corpora, at least 55 % when
their 162 Chinese UTF-8 pages are read as GB18030). Readings are compared by how many such implausible
characters they hold, U+FFFD included.

A detector library does not do this better: charset-normalizer (which Scrapy brings along) named a wrong
charset for 3 of those GB pages (ptcp154 once, none twice) and hp_roman8 or mac_latin2 for UTF-8 pages with
stray bytes, and it cannot read a page that mixes two charsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_IMPLAUSIBLE_SHARE = 0.25  # a strict CJK reading above this share of its non-ASCII characters is suspect
# Another reading replaces the declared one (and a mixed reading a single one) only when it at least halves the
# implausible characters, and by more than a stray byte or two could: the declaration is evidence too.
GAIN_FACTOR = 2
GAIN_MIN = 3


def _decodable(charset: str, leads: Iterable[int], trails: Iterable[int]) -> set[str]:
    """The characters a two-byte charset maps those byte pairs to."""
    found = set()
    for lead in leads:
        for trail in trails:
            try:
                found.add(bytes((lead, trail)).decode(charset))
            except UnicodeDecodeError:
                continue
    return found


_GB2312 = "".join(sorted(_decodable("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))))
# GB2312's 6,763 hanzi and Big5's 5,401 frequent ones: what nearly all Chinese text, either script, is made of.
_COMMON_HANZI = "".join(sorted(c for c in _decodable("gb2312", range(0xB0, 0xF8), range(0xA1, 0xFF))
                               | _decodable("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
                               if "\u4e00" <= c <= "\u9fff"))
# Plausible: Latin, general punctuation and common symbols, CJK punctuation, full-width forms, common hanzi.
_IMPLAUSIBLE = re.compile(f"[^\\x00-\u017f\u2000-\u27bf\u3000-\u303f\uff00-\uffef{_COMMON_HANZI}]")
# A run read as GB18030 in a mixed page must be GB2312 text: a Latin-1 byte before a letter decodes too (as a
# GBK character), and a GBK fragment of a simplified-Chinese page is nearly all GB2312.
_NOT_GB2312 = re.compile(f"[^\\x00-\\x7f{_GB2312}]")
# A run of non-ASCII bytes with the letters and digits inside it (GBK trail bytes and GB18030 four-byte
# sequences use them), ending on one more letter (the trail of a last GBK character).
_RUN = re.compile(rb"[\x80-\xff](?:[0-9\x40-\xff]*[\x80-\xff])?[0-9\x40-\x7f]?")


@dataclass(frozen=True)
class Reading:
    text: str
    charset: str
    implausible: int  # characters real text seldom holds, U+FFFD included
    detail: str | None = None  # what a mixed reading did


def implausible(text: str) -> int:
    return len(_IMPLAUSIBLE.findall(text))


def looks_wrong(text: str) -> bool:
    """A strict GB18030 or Big5 reading made mostly of implausible characters: bytes of another charset."""
    wide = len(text) - len(text.encode("ascii", "ignore"))
    return implausible(text) > wide * MAX_IMPLAUSIBLE_SHARE


def read_as(body: bytes, charset: str) -> Reading:
    text = body.decode(charset, "replace")
    return Reading(text, charset, implausible(text))


def read_mixed(body: bytes) -> Reading:
    """Each run of non-ASCII bytes as UTF-8 or as GB18030, whichever reads it more plausibly: pages put
    together from fragments saved in different charsets (a UTF-8 template around a GBK include)."""
    parts: list[str] = []
    start = runs = as_gb = 0
    for match in _RUN.finditer(body):
        parts.append(body[start:match.start()].decode("ascii"))
        run = match.group()
        utf8, gb = run.decode("utf-8", "replace"), run.decode("gb18030", "replace")
        use_gb = len(_NOT_GB2312.findall(gb)) < implausible(utf8)
        parts.append(gb if use_gb else utf8)
        runs += 1
        as_gb += use_gb
        start = match.end()
    parts.append(body[start:].decode("ascii"))
    text = "".join(parts)
    detail = f"mixed utf-8 and gb18030: {as_gb} of {runs} non-ASCII runs read as gb18030"
    return Reading(text, "utf-8+gb18030", implausible(text), detail)


def best_reading(body: bytes, charsets: Iterable[str]) -> Reading:
    """The first charset's reading (the declared one) unless another is clearly more plausible; a reading that
    mixes UTF-8 and GB18030 run by run must be clearly more plausible than every single one."""
    first, *others = (read_as(body, charset) for charset in dict.fromkeys(charsets))
    best = min(others, key=lambda r: r.implausible, default=first)
    best = best if _clearly_better(best, first) else first
    if best.implausible < GAIN_MIN:
        return best
    mixed = read_mixed(body)
    return mixed if _clearly_better(mixed, best) else best


def _clearly_better(new: Reading, old: Reading) -> bool:
    return new.implausible * GAIN_FACTOR <= old.implausible and old.implausible - new.implausible >= GAIN_MIN
