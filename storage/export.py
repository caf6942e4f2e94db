"""Exports of the archive: JSON lines, CSV, one text or Markdown file per article, or WARC of the raw pages.

Every format streams rows from one cursor, so memory stays flat whatever the archive's size.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storage.archive import Archive
from storage.fts import match_expression

FORMATS = ("jsonl", "csv", "txt", "md", "warc")
COLUMNS = ("id", "url", "portal", "title", "published", "source", "author", "text", "first_seen", "last_seen",
           "url_hash", "content_hash")
MAX_NAME_BYTES = 120  # file names: well under the 255-byte limit of common file systems, in UTF-8
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


class ExportError(ValueError):
    """An export that cannot be written where it was asked to go."""


@dataclass(frozen=True)
class Selection:
    portal: str | None = None
    since: str | None = None
    until: str | None = None
    query: str | None = None

    def where(self) -> tuple[str, list]:
        clauses, params = ["1 = 1"], []
        if self.portal:
            clauses.append("portal = ?")
            params.append(self.portal)
        if self.since:
            clauses.append("published >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("published < ?")
            params.append(self.until + "~")
        if self.query:
            clauses.append("id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(match_expression(self.query))
        return " AND ".join(clauses), params


def count(db: Database, selection: Selection) -> int:
    where, params = selection.where()
    return db.execute(f"SELECT count(*) FROM articles WHERE {where}", params).fetchone()[0]


def articles(db: Database, selection: Selection) -> Iterator[dict]:
    where, params = selection.where()
    cursor = db.execute(f"SELECT {', '.join(COLUMNS)} FROM articles WHERE {where} ORDER BY id", params)
    for row in cursor:
        yield dict(zip(COLUMNS, row))


def safe_name(title: str | None, article_id: int, suffix: str) -> str:
    """A file name from a headline: no separators or reserved names, bounded length, unique by id."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFKC", title or "")).strip(" ._")
    if not name or _RESERVED.match(name):
        name = f"_{name}" if name else "untitled"
    tail = f"-{article_id}{suffix}"
    while len((name + tail).encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    return name.rstrip(" .") + tail


def article_path(row: dict, suffix: str) -> Path:
    """PORTAL/YYYY/MM/name: the date from publication, else from first sight."""
    day = (row["published"] or row["first_seen"] or "0000-00")[:7]
    year, month = (day.split("-") + ["00"])[:2]
    portal = _UNSAFE.sub("_", row["portal"]).strip(" ._") or "portal"
    return Path(portal, year, month, safe_name(row["title"], row["id"], suffix))


def _front_matter(row: dict, markdown: bool) -> str:
    fields = [(k, row[k]) for k in ("title", "published", "source", "author", "url")]
    if markdown:
        body = "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in fields)
        return f"---\n{body}\n---\n\n# {row['title'] or ''}\n\n"
    return "\n".join(f"{k}: {v if v is not None else ''}" for k, v in fields) + "\n\n"


def export(
    archive: Archive, fmt: str, out: Path, selection: Selection = Selection(),
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the selected articles in `fmt` to `out` (a file, or a folder for txt/md); return how many."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    writer = {"jsonl": _jsonl, "csv": _csv, "txt": _files, "md": _files, "warc": _warc}[fmt]
    if _is_archive_file(out, Path(archive.path)):
        raise ExportError(f"{out} is the archive itself; choose another --out (an export never writes over it)")
    _check_folder_above(out)
    progress = progress or (lambda n: None)
    if fmt in ("txt", "md"):
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out} is a file; {fmt} export writes a folder of files, give a folder path")
        with _writing(out):
            out.mkdir(parents=True, exist_ok=True)
            return writer(archive, fmt, out, selection, progress)
    if out.is_dir():
        raise ExportError(f"{out} is a folder; {fmt} export writes one file, give a file path")
    if out.exists() and not out.is_file():
        raise ExportError(f"{out} is not a regular file (a device, pipe or socket); {fmt} export writes a file "
                          "of its own, give a file path")
    if not out.parent.is_dir():
        raise ExportError(f"folder {out.parent} does not exist; create it or choose another --out")
    # written beside the target and renamed into place: a killed or failed export leaves no half file that
    # looks whole, and an earlier export at that path stays as it was until the new one is complete
    partial = out.with_name(f".{out.name}.partial")
    try:
        with _writing(out):
            n = writer(archive, fmt, partial, selection, progress)
            os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return n


def _check_folder_above(out: Path) -> None:
    """What exists above `out` must be a folder (not the file of `somefile/out.jsonl`)."""
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ExportError(f"{parent} is a file, not a folder; choose another --out")
            return


@contextlib.contextmanager
def _writing(out: Path) -> Iterator[None]:
    """A write the system refuses (no space, no such place, no permission) becomes one ExportError."""
    try:
        yield
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}; nothing was exported there: choose another "
                          "--out (or make room on its disk)") from None


def _is_archive_file(out: Path, archive: Path) -> bool:
    """Whether out is the archive or one of SQLite's files beside it (-wal, -shm, -journal)."""
    names = {archive.name + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    return out.name in names and out.parent.resolve() == archive.parent.resolve()


def _jsonl(archive: Archive, fmt: str, out: Path, selection: Selection, progress) -> int:
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for n, row in enumerate(articles(archive.db, selection), 1):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            progress(n)
    return n


def _csv(archive: Archive, fmt: str, out: Path, selection: Selection, progress) -> int:
    n = 0
    with out.open("w", encoding="utf-8-sig", newline="") as f:  # the BOM lets Excel read UTF-8
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for n, row in enumerate(articles(archive.db, selection), 1):
            writer.writerow(row)
            progress(n)
    return n


def _files(archive: Archive, fmt: str, out: Path, selection: Selection, progress) -> int:
    n = 0
    suffix = f".{fmt}"
    for n, row in enumerate(articles(archive.db, selection), 1):
        path = out / article_path(row, suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = row["text"] or ""
        if fmt == "md":  # a Markdown paragraph ends at a blank line: one newline would merge them all
            text = "\n\n".join(line for line in text.split("\n") if line.strip())
        _write_whole(path, _front_matter(row, fmt == "md") + text + "\n")
        progress(n)
    return n


def _write_whole(path: Path, text: str) -> None:
    """One article file, renamed into place when complete: a failed export leaves no half file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _warc(archive: Archive, fmt: str, out: Path, selection: Selection, progress) -> int:
    """The raw responses behind the selected articles (first copies and aliases), as WARC response records."""
    where, params = selection.where()
    cursor = archive.db.execute(
        "SELECT p.url, p.final_url, p.http_status, p.content_type, p.headers, p.fetched_at, p.body_sha1 "
        f"FROM pages p WHERE p.body_sha1 IS NOT NULL AND p.article_id IN (SELECT id FROM articles WHERE {where}) "
        "ORDER BY p.id",
        params,
    )
    n = 0
    with out.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for n, (url, final_url, status, content_type, headers, fetched_at, sha1) in enumerate(cursor, 1):
            body = archive.raw_body(sha1)
            header_list = [(k, v) for k, v in json.loads(headers or "{}").items()
                           if k.lower() not in ("content-length", "transfer-encoding", "content-encoding")]
            if not any(k.lower() == "content-type" for k, _ in header_list) and content_type:
                header_list.append(("Content-Type", content_type))
            header_list.append(("Content-Length", str(len(body))))
            http = StatusAndHeaders(f"{status or 200} OK", header_list, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                final_url or url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict={"WARC-Date": _warc_date(fetched_at)},
            )
            writer.write_record(record)
            progress(n)
    return n


def _warc_date(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return iso
