"""The archive's rules hold however a crawl is started: `scrapy crawl` (and so every scrapyd job) takes the portal's
lock and records its run, as `python -m crawler crawl` does."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from crawler.locks import portal_locks
from replica.generated import HOST
from tests.conftest import FAST, GENERATED_ARTICLES, ROOT, _env


def scrapy_crawl(portal: str, db: Path, replica_url: str, **settings: str) -> list[str]:
    command = [str(Path(sys.executable).with_name("scrapy")), "crawl", portal]
    for name, value in {**FAST, "REPLICA_URL": replica_url, "ARCHIVE_DB": str(db), **settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def runs(db: Path) -> list[dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute("SELECT * FROM runs ORDER BY id")]


def test_scrapy_crawl_of_a_portal_held_by_another_process_fetches_nothing_and_says_why(replica, tmp_path):
    db = tmp_path / "archive.db"
    before = len(replica.requests)
    with portal_locks(db, ["zjol"]):
        result = subprocess.run(scrapy_crawl("zjol", db, replica.url), cwd=ROOT, env=_env(), capture_output=True,
                                text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert replica.requests[before:] == []
    assert "Closing spider (portal_busy)" in result.stderr
    assert "'finish_reason': 'portal_busy'" in result.stderr
    [run] = runs(db)
    assert run["outcome"] == "skipped"
    assert run["reason"].startswith(f"portal zjol is already being crawled into {db}; wait for that run to end")


def test_two_scrapy_crawls_of_one_portal_at_once_fetch_each_article_once(replica, generated_portals, tmp_path):
    db = tmp_path / "archive.db"
    before = len(replica.requests)
    slow = {"PORTALS_FILE": str(generated_portals), "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "DOWNLOAD_DELAY": "0.02"}
    first = subprocess.Popen(scrapy_crawl("bench", db, replica.url, **slow), cwd=ROOT, env=_env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (db.exists() and any(r["outcome"] == "running" for r in _runs_or_none(db))):
            assert first.poll() is None and time.monotonic() < deadline, "the first crawl did not start"
            time.sleep(0.1)
        second = subprocess.run(scrapy_crawl("bench", db, replica.url, **slow), cwd=ROOT, env=_env(),
                                capture_output=True, text=True, timeout=120)
        assert first.wait(timeout=180) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert "Closing spider (portal_busy)" in second.stderr, second.stderr[-3000:]
    articles = [path for host, path in replica.requests[before:] if host == HOST and "/t2026" in path]
    assert len(articles) == len(set(articles)) == GENERATED_ARTICLES
    assert [(r["trigger"], r["outcome"]) for r in runs(db)] == [("manual", "finished"), ("manual", "skipped")]


def _runs_or_none(db: Path) -> list[dict]:
    try:
        return runs(db)
    except sqlite3.OperationalError:  # the archive is being created
        return []


def test_scrapy_crawl_into_a_missing_folder_stops_with_one_line_and_a_close_reason(replica, tmp_path):
    db = tmp_path / "no-such-folder" / "archive.db"
    before = len(replica.requests)
    result = subprocess.run(scrapy_crawl("zjol", db, replica.url), cwd=ROOT, env=_env(), capture_output=True,
                            text=True, timeout=120)
    assert replica.requests[before:] == []
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if "] ERROR:" in line]
    assert len(errors) == 1 and "does not exist" in errors[0], errors
    assert "Closing spider (archive_db_unavailable: folder" in result.stderr
