"""Mistakes and broken inputs at the command line: one `error: …` line that says what to do, a non-zero exit,
never a traceback (issues 13 and 16)."""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cli import main
from storage import Archive, Article, Page
from tests.conftest import ROOT, _env


def assert_one_error_line(err: str, *fragments: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for fragment in fragments:
        assert fragment in lines[0], err


def make_archive(path: Path, n: int = 3, paragraphs: int = 50) -> Path:
    archive = Archive.open(path)
    run = archive.start_run("cnnb")
    archive.write_batch([
        Page(f"http://news.cnnb.com.cn/{i}.shtml", "cnnb", "2026-11-22T00:00:00+00:00", outcome="article",
             body=(f"<html>{i}</html>" * 100).encode(),
             article=Article(f"民警第{i}条", "2026-11-21T10:00:00+08:00", None, None, f"民警正文{i}。" * (paragraphs + i % 7)))
        for i in range(n)], run)
    archive.close()
    return path


DEAD = "http://127.0.0.1:1"  # nothing listens on port 1


def cli(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", *argv], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=120, **kwargs)


# export --out ------------------------------------------------------------------------------------------------

@pytest.fixture
def archive(tmp_path) -> Path:
    return make_archive(tmp_path / "a.db")


def test_export_into_an_existing_folder_is_refused(archive, tmp_path, capsys):
    (tmp_path / "out").mkdir()
    assert main(["export", "--format", "jsonl", "--out", str(tmp_path / "out"), "--db", str(archive)]) == 2
    assert_one_error_line(capsys.readouterr().err, "is a folder")


def test_export_below_a_regular_file_says_it_is_not_a_folder(archive, tmp_path, capsys):
    (tmp_path / "somefile").write_text("x")
    out = tmp_path / "somefile" / "out.jsonl"
    assert main(["export", "--format", "jsonl", "--out", str(out), "--db", str(archive)]) == 2
    assert_one_error_line(capsys.readouterr().err, "somefile is a file, not a folder")
    assert (tmp_path / "somefile").read_text() == "x"


@pytest.mark.parametrize("fmt", ["jsonl", "txt"])
def test_export_where_nothing_can_be_created_is_one_line(archive, fmt, capsys):
    assert main(["export", "--format", fmt, "--out", "/proc/no-such-export.out", "--db", str(archive)]) == 2
    assert_one_error_line(capsys.readouterr().err, "cannot write", "/proc/no-such-export.out")


def test_export_onto_a_device_is_refused_and_the_device_left_alone(archive, tmp_path, capsys):
    """`--out /dev/full`: the export would rename its temporary file over the device (as root it could)."""
    link = tmp_path / "full"
    link.symlink_to("/dev/full")  # the real device behind a link: even an unfixed export only replaces the link
    assert main(["export", "--format", "jsonl", "--out", str(link), "--db", str(archive)]) == 2
    assert_one_error_line(capsys.readouterr().err, "is not a regular file")
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)
    assert not list(tmp_path.glob(".full*"))


def test_export_onto_a_named_pipe_is_refused(archive, tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["export", "--format", "csv", "--out", str(fifo), "--db", str(archive)]) == 2
    assert_one_error_line(capsys.readouterr().err, "is not a regular file")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails (EFBIG), as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("fmt", ["jsonl", "md"])
def test_an_export_that_runs_out_of_space_is_one_line_and_leaves_no_half_file(tmp_path, fmt):
    archive = make_archive(tmp_path / "a.db", n=4, paragraphs=5000)  # 100 kB an article
    out = tmp_path / ("out.jsonl" if fmt == "jsonl" else "out")
    if fmt == "jsonl":
        out.write_text("the earlier export\n")
    result = subprocess.run([sys.executable, "-m", "crawler", "export", "--format", fmt, "--out", str(out),
                             "--db", str(archive)], cwd=ROOT, env=_env(), capture_output=True, text=True,
                            timeout=120, preexec_fn=_file_size_limit(64 * 1024))  # above SQLite's -shm file
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "cannot write")
    if fmt == "jsonl":
        assert out.read_text() == "the earlier export\n"  # untouched until a complete export replaces it
        assert not list(tmp_path.glob(".out.jsonl*"))
    else:
        written = [p for p in out.rglob("*") if p.is_file()]
        assert all(p.read_text("utf-8").endswith("\n") and not p.name.startswith(".") for p in written)


# search --------------------------------------------------------------------------------------------------------

def test_search_with_a_limit_past_sqlites_integers_returns_everything(archive, capsys):
    assert main(["search", "民警", "--limit", "99999999999999999999", "--json", "--db", str(archive)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


@pytest.mark.parametrize("limit", ["0", "-5"])
def test_search_with_a_limit_below_one_is_refused(archive, limit, capsys):
    assert main(["search", "民警", "--limit", limit, "--db", str(archive)]) == 2
    assert_one_error_line(capsys.readouterr().err, "--limit must be at least 1")


def test_duplicates_with_huge_numbers_does_not_overflow(archive, capsys):
    assert main(["duplicates", "--limit", "99999999999999999999", "--min-size", "99999999999999999999",
                 "--db", str(archive)]) == 0


def test_search_of_an_unknown_portal_is_refused_like_export(archive, capsys):
    assert main(["search", "民警", "--portal", "nosuch", "--db", str(archive)]) == 2
    assert_one_error_line(capsys.readouterr().err, "unknown portal nosuch; known portals: zjol")


def test_search_and_export_take_a_portal_the_archive_holds_though_no_longer_configured(tmp_path, capsys):
    db = tmp_path / "a.db"
    archive = Archive.open(db)
    archive.write_batch([Page("http://old.example/1.html", "retired", "2026-11-22T00:00:00+00:00", outcome="article",
                              article=Article("民警旧闻", None, None, None, "民警正文。" * 20))])
    archive.close()
    assert main(["search", "民警", "--portal", "retired", "--json", "--db", str(db)]) == 0
    assert json.loads(capsys.readouterr().out)["portal"] == "retired"
    assert main(["export", "--format", "jsonl", "--out", str(tmp_path / "o.jsonl"), "--portal", "retired",
                 "--db", str(db)]) == 0


# --set ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("pair", "fragments"),
    [
        ("ARCHIVE_BATCH_SIZE=abc", ("ARCHIVE_BATCH_SIZE", "an integer", "'abc'")),
        ("ARCHIVE_BATCH_SIZE=2.5", ("ARCHIVE_BATCH_SIZE", "an integer")),
        ("DOWNLOAD_TIMEOUT=abc", ("DOWNLOAD_TIMEOUT", "a number")),
        ("ARCHIVE_SKIP_KNOWN=maybe", ("ARCHIVE_SKIP_KNOWN", "True or False")),
        ("LOG_LEVEL=LOUD", ("LOG_LEVEL", "a log level")),
        ("LOG_LEVEL=warning", ("LOG_LEVEL", "a log level in capitals")),
        ("DOWNLOAD_HANDLERS=x", ("DOWNLOAD_HANDLERS", "a JSON object")),
        ("REPLICA_URL=127.0.0.1:9", ("REPLICA_URL", "http://127.0.0.1:8765")),
        ("REPLICA_URL=http://127.0.0.1:notaport", ("REPLICA_URL",)),
        ("REPLICA_URL=ftp://127.0.0.1:9", ("REPLICA_URL",)),
    ],
)
def test_a_set_value_of_the_wrong_kind_is_refused_before_the_crawl(tmp_path, pair, fragments):
    db = tmp_path / "a.db"
    # in a process of its own, aimed at a closed loopback port: were the value let through, no portal is reached
    result = cli("crawl", "zjol", "--db", str(db), "--set", f"REPLICA_URL={DEAD}", "--set", pair)
    assert result.returncode == 2
    assert_one_error_line(result.stderr, *fragments)
    assert not db.exists()


def test_the_scheduler_checks_set_values_too(tmp_path):
    result = cli("schedule", "--replica", "--max-runs", "1", "--db", str(tmp_path / "a.db"),
                 "--set", "RETRY_TIMES=two")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "RETRY_TIMES", "an integer")


@pytest.mark.parametrize("pair", ["DOWNLOAD_TIMEOUT=2.5", "DOWNLOAD_TIMEOUT=3", "ARCHIVE_SKIP_KNOWN=false",
                                  "REPLICA_URL=http://127.0.0.1:8765", "REPLICA_URL=", "LOG_LEVEL=WARNING",
                                  'DOWNLOAD_HANDLERS={"ftp": null}'])
def test_good_set_values_pass(pair):
    from crawler import run

    run.project_settings(run.parse_overrides([pair]))


# a damaged archive ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> Path:
    """An archive whose middle half was overwritten with garbage (a bad disk, a copy cut short and patched)."""
    path = make_archive(tmp_path_factory.mktemp("damaged") / "a.db", n=400)
    size = path.stat().st_size
    start, end = size // 4 // 4096 * 4096, size * 3 // 4 // 4096 * 4096
    with path.open("r+b") as f:
        f.seek(start)
        f.write(random.Random(7).randbytes(end - start))
    return path


@pytest.mark.parametrize("argv", [["stats"], ["search", "民警"], ["reextract"], ["duplicates"],
                                  ["export", "--format", "jsonl", "--out", "{tmp}/o.jsonl"]])
def test_a_damaged_archive_is_one_line_naming_it(damaged, argv, tmp_path, capsys):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main([*argv, "--db", str(damaged)]) == 2
    assert_one_error_line(capsys.readouterr().err, f"archive {damaged} is damaged", "restore it from a backup")
    assert not list(tmp_path.iterdir())  # no half export


def test_a_truncated_archive_is_one_line_naming_it(tmp_path, capsys):
    path = make_archive(tmp_path / "a.db", n=400)
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 3)
    assert main(["stats", "--db", str(path)]) == 2
    assert_one_error_line(capsys.readouterr().err, f"archive {path} is damaged")

def test_a_stored_body_that_does_not_decompress_is_damage_too(tmp_path, capsys):
    import sqlite3

    db = make_archive(tmp_path / "a.db")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE bodies SET body = x'00ff00ff'")
    conn.close()
    assert main(["export", "--format", "warc", "--out", str(tmp_path / "o.warc"), "--db", str(db)]) == 2
    assert_one_error_line(capsys.readouterr().err, f"archive {db} is damaged (stored body")
    assert not (tmp_path / "o.warc").exists()


# crawl --config, status times, scrapy crawl --------------------------------------------------------------------

def test_crawl_takes_the_portals_file_as_config_like_schedule_and_status(tmp_path):
    config = tmp_path / "portals.toml"
    config.write_text('[portals.only]\nallowed_domains = ["example.org"]\nstart_urls = ["http://example.org/"]\n'
                      'article_patterns = ["/a/"]\n', "utf-8")
    db = str(tmp_path / "a.db")
    result = cli("crawl", "zjol", "--config", str(config), "--db", db, "--set", f"REPLICA_URL={DEAD}")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "unknown portal zjol; known portals: only")
    result = cli("crawl", "--config", str(tmp_path / "nope.toml"), "--db", db, "--set", f"REPLICA_URL={DEAD}")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "does not exist")


def test_status_shows_every_time_in_one_labelled_zone(tmp_path, capsys):
    db = tmp_path / "a.db"
    archive = Archive.open(db)
    run = archive.start_run("zjol")
    archive.db["runs"].update(run, {"started": "2026-11-22T00:00:00+00:00", "outcome": "finished"})
    archive.close()
    main(["status", "--db", str(db)])
    out = capsys.readouterr().out
    assert "Asia/Shanghai" in out
    zjol = next(line for line in out.splitlines() if "zjol" in line)
    assert "2026-11-22T08:00" in zjol and "2026-11-22T00:00" not in zjol
    main(["status", "--db", str(db), "--json"])
    statuses = {s["portal"]: s for s in json.loads(capsys.readouterr().out)}
    assert statuses["zjol"]["last_run"].startswith("2026-11-22T08:00:00+08:00")
    assert statuses["zjol"]["next_run"].endswith("+08:00")


def test_scrapy_crawl_of_an_unknown_spider_is_one_line(tmp_path):
    scrapy = Path(sys.executable).with_name("scrapy")
    result = subprocess.run([str(scrapy), "crawl", "nosuch", "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}"], cwd=ROOT,
                            env=_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line.lower()]
    assert len(errors) == 1 and "unknown portal nosuch; known portals: zjol" in errors[0], result.stderr
