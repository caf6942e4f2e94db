"""Real crawls (Scrapy engine, HTTP over loopback, SQLite file) of a generated portal of 300 articles.

The mechanics a user relies on: everything found is archived, a re-run fetches no article again and adds
no row, and a crawl killed with SIGKILL leaves a readable archive that a re-run completes.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from crawler.processes import descendants
from replica.generated import HOST, PER_LIST
from tests.conftest import GENERATED_ARTICLES, ROOT, Crawl, _env, free_port

LIST_PAGES = GENERATED_ARTICLES // PER_LIST


def article_requests(replica, since: int) -> list[str]:
    return [path for host, path in replica.requests[since:] if host == HOST and "/t2026" in path]


def count(db, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def first_crawl(replica, generated_portals, tmp_path_factory):
    db = tmp_path_factory.mktemp("mechanics") / "archive.db"
    before = len(replica.requests)
    result = Crawl(replica.url, db, ("bench",), {"PORTALS_FILE": generated_portals}).run()
    return db, result, before


def test_first_crawl_archives_every_article_and_every_list_page(first_crawl, replica):
    db, result, before = first_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    assert count(db, "SELECT count(*) FROM articles") == GENERATED_ARTICLES
    assert count(db, "SELECT count(*) FROM pages WHERE outcome = 'list'") == LIST_PAGES
    assert count(db, "SELECT count(*) FROM articles WHERE title IS NULL OR published IS NULL") == 0
    assert count(db, "SELECT outcome FROM runs") == "finished"
    assert count(db, "SELECT new_articles FROM runs") == GENERATED_ARTICLES
    requested = article_requests(replica, before)
    assert len(requested) == len(set(requested)) == GENERATED_ARTICLES
    assert ("bench.police.test", "/robots.txt") in replica.requests[before:]


def test_second_crawl_requests_no_article_and_adds_no_article_row(first_crawl, replica, generated_portals):
    db, _, _ = first_crawl
    before = len(replica.requests)
    result = Crawl(replica.url, db, ("bench",), {"PORTALS_FILE": generated_portals}).run()
    assert result.returncode == 0, result.stderr[-3000:]
    assert article_requests(replica, before) == []
    assert count(db, "SELECT count(*) FROM articles") == GENERATED_ARTICLES
    assert count(db, "SELECT count(*) FROM runs") == 2
    assert count(db, "SELECT new_articles FROM runs WHERE id = 2") == 0
    assert count(db, "SELECT count(*) FROM pages WHERE run_id = 2 AND outcome != 'list'") == 0
    # Unchanged lists cost a 304, and their pagination was still followed from the archived copies.
    assert count(db, "SELECT count(*) FROM pages WHERE run_id = 2 AND http_status = 304") == LIST_PAGES


def test_crawl_killed_with_sigkill_leaves_a_readable_archive_that_a_rerun_completes(
    replica, generated_portals, tmp_path
):
    db = tmp_path / "archive.db"
    slow = {"PORTALS_FILE": generated_portals, "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
            "DOWNLOAD_DELAY": "0.01", "ARCHIVE_BATCH_SIZE": "5"}
    process = Crawl(replica.url, db, ("bench",), slow).start()
    deadline = time.monotonic() + 120
    committed = 0
    while time.monotonic() < deadline and committed < 40:
        time.sleep(0.2)
        if db.exists():
            try:
                committed = count(db, "SELECT count(*) FROM articles")
            except sqlite3.OperationalError:  # tables not created yet
                committed = 0
    workers = descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 40 <= committed < GENERATED_ARTICLES, "the crawl finished before it could be killed"
    assert workers, "the crawl had no extraction workers"
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "extraction workers outlived the killed crawl"
        time.sleep(0.2)

    assert count(db, "PRAGMA integrity_check") == "ok"
    survived = count(db, "SELECT count(*) FROM articles")
    assert survived >= committed

    before = len(replica.requests)
    result = Crawl(replica.url, db, ("bench",), {"PORTALS_FILE": generated_portals}).run()
    assert result.returncode == 0, result.stderr[-3000:]
    assert count(db, "SELECT count(*) FROM articles") == GENERATED_ARTICLES
    assert count(db, "SELECT count(DISTINCT url_hash) FROM articles") == GENERATED_ARTICLES
    assert len(article_requests(replica, before)) == GENERATED_ARTICLES - survived
    assert count(db, "SELECT outcome FROM runs WHERE id = 1") == "abandoned"


def test_a_second_sigterm_still_stores_what_was_fetched_and_records_the_run(replica, generated_portals, tmp_path):
    """Scrapy stops the reactor at once on a second signal, before the spider closes: the pages fetched so far
    are written anyway and the run is recorded as interrupted, not left 'running'."""
    db = tmp_path / "archive.db"
    held = {"PORTALS_FILE": generated_portals, "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "DOWNLOAD_DELAY": "0.02",
            "ARCHIVE_BATCH_SIZE": "100000", "ARCHIVE_BATCH_SECONDS": "3600"}  # nothing written before the end
    before = len(replica.requests)
    process = Crawl(replica.url, db, ("bench",), held).start()
    deadline = time.monotonic() + 120
    while len(article_requests(replica, before)) < 30:
        assert time.monotonic() < deadline and process.poll() is None, "the crawl did not get going"
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    process.wait(60)
    run = sqlite3.connect(db).execute("SELECT outcome, reason, pages FROM runs").fetchone()
    assert run[0] in ("interrupted", "shutdown"), run
    stored = count(db, "SELECT count(*) FROM pages WHERE outcome = 'article'")
    assert stored >= 30 and run[2] == count(db, "SELECT count(*) FROM pages")
    assert stored < GENERATED_ARTICLES, "the crawl finished before it was stopped"


def test_a_crawl_in_which_no_page_could_be_fetched_fails_with_its_reason_in_one_line(tmp_path):
    """Nothing listens at REPLICA_URL: every request is refused. The run is failed, not finished (issue 16)."""
    port = free_port()  # nothing listens there
    db = tmp_path / "archive.db"
    result = Crawl(f"http://127.0.0.1:{port}", db, ("zjol",)).run(timeout=120)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    reason = f"no page of zjol could be fetched: connection refused by 127.0.0.1:{port}"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT outcome, reason FROM runs").fetchall() == [("failed", reason)]
        assert {r for (r,) in conn.execute("SELECT reason FROM pages")} == {f"connection refused by 127.0.0.1:{port}"}
    assert f"zjol failed: {reason}" in result.stdout


def _forkserver_below(pid: int) -> bool:
    for child in descendants(pid):
        try:
            if b"forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def test_a_crawl_stopped_while_its_extraction_pool_starts_stops_cleanly(replica, generated_portals, tmp_path):
    """Ctrl-C (or the scheduler's SIGINT to the run's process group) reaching the extraction pool's server while it
    is still importing its modules: the run's log has the crawl's own shutdown lines, no KeyboardInterrupt traceback
    from the pool's processes, and the run is recorded."""
    db, log = tmp_path / "archive.db", tmp_path / "run.log"
    crawl = Crawl(replica.url, db, ("bench",), {"PORTALS_FILE": generated_portals, "EXTRACT_PROCESSES": "2"})
    with log.open("wb") as out:
        process = subprocess.Popen(crawl.command(), cwd=ROOT, env=_env(), stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + 120
    while not _forkserver_below(process.pid):
        assert time.monotonic() < deadline and process.poll() is None, log.read_text("utf-8")[-3000:]
        time.sleep(0.005)
    time.sleep(0.05)  # the crawl is past the spawn (its few milliseconds), the server still importing (a second)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C and the scheduler do: the whole group
    process.wait(60)
    text = log.read_text("utf-8")
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text[-4000:]
    assert "Received SIGINT, shutting down gracefully" in text
    outcome = sqlite3.connect(db).execute("SELECT outcome FROM runs").fetchone()[0]
    assert outcome in ("shutdown", "interrupted"), outcome
    assert not descendants(process.pid)
