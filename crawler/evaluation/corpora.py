"""Labelled pages from every corpus, in one shape: the shared benchmarks and our own labelled set."""

from __future__ import annotations

import ast
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml.html import fromstring

OWN_SET = Path(__file__).resolve().parents[2] / "benchmarks" / "labelled"
# Our hand labels for shared pages that came without truth (gne-unlabeled): one JSON object a line, by page id.
REAL_LABELS = Path(__file__).resolve().parents[2] / "benchmarks" / "real-labels"
SHARED_CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"


class CorpusError(ValueError):
    """A corpus folder that holds no labelled pages we can read."""


@dataclass
class LabelledPage:
    id: str
    corpus: str
    lang: str | None
    url: str | None
    html: bytes
    page_type: str  # article, list, not_found, not_article
    http_status: int = 200
    title: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None
    body: str | None = None
    with_snippets: list[str] = field(default_factory=list)
    without_snippets: list[str] = field(default_factory=list)

    @property
    def chinese(self) -> bool:
        return self.lang in ("zh", "zh-TW")


def _read(path: Path) -> bytes:
    return gzip.open(path, "rb").read() if path.suffix == ".gz" else path.read_bytes()


def _known(value: str | None) -> str | None:
    return None if value in (None, "", "UNKNOWN", "UNKNWON") else value


def _list(value) -> list[str]:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("["):
        return list(ast.literal_eval(value))
    return [value] if value else []


_SAVED_URL = re.compile(rb'^\s*<text id="(https?://[^"]+)"')


def _saved_url(html: bytes) -> str | None:
    """cwced pages were saved inside `<text id="URL" ...>`: the URL a crawler would have known."""
    match = _SAVED_URL.match(html[:600])
    return match.group(1).decode("ascii", "replace") if match else None


def real_labels(folder: Path = REAL_LABELS) -> dict[str, dict]:
    """Our labels of shared pages, by page id (title, date, source, author, body, page_type, url)."""
    labels: dict[str, dict] = {}
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else ():
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                labels[row["id"]] = row
    return labels


def shared_pages(folder: Path, skipped: Counter | None = None) -> Iterator[LabelledPage]:
    """The shared extraction benchmarks (index.jsonl), with our labels where a corpus has none; pages without
    usable truth are skipped (counted by corpus in `skipped`)."""
    labels = real_labels()
    for line in (folder / "index.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        gt = row["gt"]
        label = labels.get(row["id"])
        if label:
            row = {**row, "url": row["url"] or label.get("url"), "page_type": label["page_type"]}
            gt = {key: label[key] for key in ("title", "date", "source", "author", "body") if label.get(key)}
        if not gt and row["page_type"] == "article":
            if skipped is not None:
                skipped[row["corpus"]] += 1
            continue  # unlabelled (gne-unlabeled)
        body = gt.get("body")
        if "body_html_path" in gt:
            body = "\n".join(t.strip() for t in fromstring(_read(folder / gt["body_html_path"]).decode("utf-8")).itertext()
                             if t.strip())
        author = gt.get("author") or gt.get("byline")
        html = _read(folder / row["html"])
        yield LabelledPage(
            id=row["id"], corpus=row["corpus"], lang=row["lang"], url=row["url"] or _saved_url(html),
            html=html, page_type=row["page_type"],
            title=_known(gt.get("title")), date=_known(gt.get("date")), source=_known(gt.get("source")),
            author=" ".join(_list(_known(author))) or None,
            body="\n".join(body) if isinstance(body, list) else body,
            with_snippets=_list(gt.get("with")), without_snippets=_list(gt.get("without")),
        )


def own_pages(folder: Path) -> Iterator[LabelledPage]:
    """Our labelled set: truth.jsonl beside pages/ (see benchmarks/labelled)."""
    for line in (folder / "truth.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        yield LabelledPage(
            id=row["id"], corpus=f"own:{row.get('portal', 'other')}", lang="zh", url=row.get("url"),
            html=(folder / row["file"]).read_bytes(), page_type=row["page_type"],
            http_status=row.get("http_status", 200), title=row.get("title"), date=row.get("published"),
            source=row.get("source"), author=row.get("author"), body=row.get("body"),
            without_snippets=row.get("must_not_contain", []),
        )


def all_bodies(shared: Path = SHARED_CORPORA, own: Path = OWN_SET) -> Iterator[tuple[str, bytes]]:
    """(id, raw bytes) of every page, labelled or not: for measurements that need no truth (decoding)."""
    if not (shared / "index.jsonl").exists():
        raise CorpusError(f"{shared} has no index.jsonl; pass the shared corpora folder")
    for line in (shared / "index.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        yield row["id"], _read(shared / row["html"])
    for page in own_pages(own):
        yield page.id, page.html


def load(folder: Path, skipped: Counter | None = None) -> list[LabelledPage]:
    """The labelled pages of a corpus folder; `skipped` counts, by corpus, the pages left out for want of truth."""
    if (folder / "index.jsonl").exists():
        return list(shared_pages(folder, skipped))
    if (folder / "truth.jsonl").exists():
        return list(own_pages(folder))
    raise CorpusError(f"{folder} has neither index.jsonl nor truth.jsonl; pass a corpus folder")
