"""`python -m crawler bench decode`: today's decoding chain against an earlier one, on every corpus page.

A change to decoding must not change what real pages say. Every page of the shared corpora and of our
labelled set is decoded by both chains; the pages whose text differs are listed (charsets, notes, the first
difference) for a person to judge, and the CPU time per page of each chain is measured in the same run, apart
for each kind of page, so that the cost of the common cases stays visible.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from crawler.evaluation.corpora import all_bodies
from crawler.extraction.decode import Decoded, decode_html
from crawler.tables import print_table

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "crawler/extraction/decode.py"
REPEATS = 3  # timing passes; each page counts its fastest (the machines are shared and noisy)
SNIPPET = 36  # characters shown around the first difference

Decoder = Callable[[bytes], Decoded]


class RevisionError(ValueError):
    """A git revision whose decoding chain cannot be read."""


@dataclass(frozen=True)
class Difference:
    page: str
    old: str  # charset and note
    new: str
    old_text: str  # around the first difference
    new_text: str


@dataclass
class Comparison:
    pages: int = 0
    differences: list[Difference] = field(default_factory=list)
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0.0, 0.0]))  # kind: old, new
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def chain_at(revision: str) -> Decoder:
    """`decode_html` as it was at a git revision; what that file imports resolves to today's modules."""
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:{SOURCE}"], check=True,
                                capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        raise RevisionError(f"cannot read {SOURCE} at {revision!r}: {detail.strip()}") from None
    name = "decode_at_revision"
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    try:
        exec(compile(source, f"{revision}:{SOURCE}", "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module.decode_html


def compare(pages: Iterable[tuple[str, bytes]], old: Decoder, new: Decoder, repeats: int = REPEATS) -> Comparison:
    result = Comparison()
    for n, (page, body) in enumerate(pages):
        if n % 2:  # whichever runs second finds the caches warm: take turns
            (new_seconds, after), (old_seconds, before) = _timed(new, body, repeats), _timed(old, body, repeats)
        else:
            (old_seconds, before), (new_seconds, after) = _timed(old, body, repeats), _timed(new, body, repeats)
        kind = _kind(after)
        result.pages += 1
        result.counts[kind] += 1
        result.seconds[kind][0] += old_seconds
        result.seconds[kind][1] += new_seconds
        if before.text != after.text:
            result.differences.append(_difference(page, before, after))
    return result


def _timed(decoder: Decoder, body: bytes, repeats: int) -> tuple[float, Decoded]:
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        decoded = decoder(body)
        best = min(best, time.process_time() - start)
    return best, decoded


def _kind(decoded: Decoded) -> str:
    """The path a page took through today's chain."""
    if decoded.note and ("replaced" in decoded.note or "mixed" in decoded.note):
        return "repaired (bytes replaced or charsets mixed)"
    if decoded.charset == "utf-8":
        return "valid UTF-8"
    if decoded.charset == "gb18030":
        return "valid GB18030"
    return "valid in another charset"


def _difference(page: str, before: Decoded, after: Decoded) -> Difference:
    lo, hi = 0, min(len(before.text), len(after.text))
    while lo < hi:  # the longest common prefix, by halves
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if before.text[:mid] == after.text[:mid] else (lo, mid - 1)
    start = max(0, lo - SNIPPET // 4)

    def around(text: str) -> str:
        return text[start:start + SNIPPET].replace("\n", " ").replace("\r", " ")

    def label(decoded: Decoded) -> str:
        return f"{decoded.charset} ({decoded.note})" if decoded.note else decoded.charset

    return Difference(page, label(before), label(after), around(before.text), around(after.text))


def main(revision: str = "main") -> None:
    old = chain_at(revision)
    print(f"decoding every corpus page with {revision}'s chain and today's ...", flush=True)
    result = compare(all_bodies(), old, decode_html)
    rows = []
    for kind in sorted(result.counts, key=lambda k: -result.counts[k]):
        n, (old_s, new_s) = result.counts[kind], result.seconds[kind]
        rows.append([kind, n, f"{old_s / n * 1e6:.0f}", f"{new_s / n * 1e6:.0f}", f"{new_s / old_s:.2f}"])
    old_total, new_total = (sum(s[i] for s in result.seconds.values()) for i in (0, 1))
    rows.append(["all pages", result.pages, f"{old_total / result.pages * 1e6:.0f}",
                 f"{new_total / result.pages * 1e6:.0f}", f"{new_total / old_total:.2f}"])
    print_table(f"CPU per page, {revision} against today (µs, fastest of {REPEATS})",
                ["pages (by today's path)", "pages", revision, "today", "today / " + revision], rows)
    print_table(f"Pages decoded differently: {len(result.differences)} of {result.pages}",
                ["page", revision, "today", f"{revision}: text at the first difference", "today: same place"],
                [[d.page, d.old, d.new, d.old_text, d.new_text] for d in result.differences])
