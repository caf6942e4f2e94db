"""Exports: round trips, safe file names, WARC readable by warcio, empty selections."""

import csv
import json

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.cli import main
from storage import Archive, Article, Page
from storage.export import ExportError, Selection, export, safe_name

TITLES = ["../../etc/passwd", "CON", "民警" * 200, "宁波交警夜查酒驾: 查处35起?", None]


@pytest.fixture
def archive(tmp_path):
    archive = Archive.open(tmp_path / "a.db")
    pages = []
    for i, title in enumerate(TITLES):
        body = f"<html><meta charset=gb2312><p>原始页面 {i} 民警</p></html>".encode("gb18030")
        pages.append(Page(f"http://news.cnnb.com.cn/system/2021/01/3{i}/0{i}.shtml", ["cnnb", "zjol"][i % 2],
                          "2026-11-22T08:00:00+00:00", final_url=None, http_status=200,
                          content_type="text/html", headers={"Content-Type": "text/html", "Server": "nginx"},
                          body=body, outcome="article",
                          article=Article(title, f"2021-0{i + 1}-30T08:03:20+08:00", "中国宁波网", "李明",
                                          f"第{i}篇 民警正文。\n第二段。")))
    archive.write_batch(pages)
    yield archive
    archive.close()


def test_jsonl_round_trips_to_the_same_rows(archive, tmp_path):
    out = tmp_path / "a.jsonl"
    assert export(archive, "jsonl", out) == len(TITLES)
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    stored = [dict(r) for r in archive.db.query("SELECT * FROM articles ORDER BY id")]
    for row, original in zip(rows, stored, strict=True):
        assert {k: original[k] for k in row} == row


def test_csv_has_every_field_and_reads_back(archive, tmp_path):
    out = tmp_path / "a.csv"
    export(archive, "csv", out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(TITLES)
    assert rows[3]["title"] == TITLES[3] and rows[3]["text"] == "第3篇 民警正文。\n第二段。"


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_one_file_per_article_in_portal_year_month_folders_with_safe_names(archive, tmp_path, fmt):
    out = tmp_path / "export"
    assert export(archive, fmt, out) == len(TITLES)
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert len(files) == len(TITLES)
    for path in files:
        assert out in path.resolve().parents  # nothing escaped the folder
        assert len(path.name.encode("utf-8")) <= 120
        assert path.relative_to(out).parts[0] in ("cnnb", "zjol")
    names = {p.name for p in files}
    assert len(names) == len(TITLES)
    assert not (tmp_path / "etc").exists()
    first = (out / "cnnb" / "2021" / "01").iterdir().__next__().read_text("utf-8")
    assert "url: " in first and "第0篇 民警正文。" in first
    if fmt == "md":
        assert first.startswith("---\ntitle: ")
        assert "第0篇 民警正文。\n\n第二段。" in first  # paragraphs a Markdown renderer keeps apart
    else:
        assert "第0篇 民警正文。\n第二段。" in first


@pytest.mark.parametrize(
    ("title", "expected"),
    [("../../etc/passwd", "etc_passwd-1.txt"), ("CON", "_CON-1.txt"), (None, "untitled-1.txt"),
     ("a/b\\c:d*e?f", "a_b_c_d_e_f-1.txt")],
)
def test_safe_names(title, expected):
    assert safe_name(title, 1, ".txt") == expected
    assert "/" not in safe_name(title, 1, ".txt")


def test_warc_holds_the_raw_responses_readable_by_warcio(archive, tmp_path):
    out = tmp_path / "a.warc.gz"
    assert export(archive, "warc", out) == len(TITLES)
    with out.open("rb") as f:
        records = [(r.rec_headers.get_header("WARC-Target-URI"), r.http_headers.get_statuscode(),
                    r.content_stream().read()) for r in ArchiveIterator(f) if r.rec_type == "response"]
    assert len(records) == len(TITLES)
    url, status, body = records[2]
    assert url.startswith("http://news.cnnb.com.cn/") and status == "200"
    assert body.decode("gb18030").endswith("原始页面 2 民警</p></html>")


def test_filters_and_an_empty_selection(archive, tmp_path):
    assert export(archive, "jsonl", tmp_path / "z.jsonl", Selection(portal="zjol")) == 2
    assert export(archive, "jsonl", tmp_path / "q.jsonl", Selection(query="第3篇")) == 1
    assert export(archive, "jsonl", tmp_path / "e.jsonl", Selection(since="2030-01-01")) == 0
    assert (tmp_path / "e.jsonl").read_text() == ""
    with pytest.raises(ExportError, match="does not exist"):
        export(archive, "jsonl", tmp_path / "no" / "such" / "a.jsonl")


def test_export_command(archive, tmp_path, capsys):
    db = archive.path
    assert main(["export", "--format", "jsonl", "--out", str(tmp_path / "x.jsonl"), "--db", db,
                 "--portal", "cnnb"]) == 0
    assert "exported 3 articles" in capsys.readouterr().out
    assert main(["export", "--format", "jsonl", "--out", str(tmp_path / "x.jsonl"), "--db", db,
                 "--query", '"unclosed']) == 2
    assert "unbalanced quote" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["a.db", "a.db-wal", "a.db-shm"])
def test_an_export_never_writes_over_the_archive(archive, tmp_path, capsys, name):
    before = archive.db["articles"].count
    assert main(["export", "--format", "jsonl", "--out", str(tmp_path / name), "--db", str(tmp_path / "a.db")]) == 2
    assert "is the archive itself" in capsys.readouterr().err
    assert Archive.open(tmp_path / "a.db").db["articles"].count == before


def test_a_single_file_export_to_a_folder_is_refused_with_one_line(archive, tmp_path, capsys):
    assert main(["export", "--format", "csv", "--out", str(tmp_path), "--db", str(tmp_path / "a.db")]) == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["jsonl", "warc"])
def test_a_failed_export_leaves_no_half_file_and_the_earlier_export_as_it_was(archive, tmp_path, monkeypatch, fmt):
    out = tmp_path / f"a.{fmt}"
    out.write_bytes(b"the earlier export")
    calls = []

    def fail_midway(n):
        calls.append(n)
        if n == 2:
            raise OSError("No space left on device")

    with pytest.raises(ExportError, match="No space left on device"):  # a write the system refuses
        export(archive, fmt, out, progress=fail_midway)
    assert calls and out.read_bytes() == b"the earlier export"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []
    assert export(archive, fmt, out) == len(TITLES) and out.read_bytes() != b"the earlier export"
