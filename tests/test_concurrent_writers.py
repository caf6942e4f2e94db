"""Several processes writing one archive at once (the scheduler runs two crawls at a time by default).

Each round starts on a new archive file, so the processes also race to create it and apply its migrations.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

from tests.conftest import ROOT, Crawl, _env
from storage import Archive, Article, Page

WRITERS = 4
ROUNDS = int(os.environ.get("CONCURRENT_WRITER_ROUNDS", "20"))
BATCHES = 6
PAGES_PER_BATCH = 5
SHARED_STORIES = 10  # every writer archives these same texts: one article each, the other copies aliases


def _writer(db: str, portal: str, start, errors) -> None:
    try:
        start.wait()
        archive = Archive.open(db)
        run = archive.start_run(portal)
        n = 0
        for batch in range(BATCHES):
            pages = []
            for _ in range(PAGES_PER_BATCH):
                text = (f"{portal} 民警第{n}次巡逻，抓获嫌疑人。" if n >= SHARED_STORIES
                        else f"全省公安机关第{n}号通报，各地警方联合行动。")
                url = f"http://{portal}.example.cn/{n}.html"
                pages.append(Page(url=url, portal=portal, fetched_at="2026-11-30T00:00:00+00:00", final_url=url,
                                  http_status=200, body=text.encode(), outcome="article",
                                  article=Article(f"标题{n}", "2026-11-30T08:00:00+08:00", None, None, text)))
                n += 1
            archive.write_batch(pages, run)
            archive.update_run(run)
        archive.update_run(run, outcome="finished")
        archive.close()
    except BaseException:  # noqa: BLE001 - reported to the test through the queue
        errors.put(f"{portal}: {traceback.format_exc()}")


def test_four_processes_write_one_new_archive_at_once_without_errors(tmp_path: Path):
    context = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        db = str(tmp_path / f"round-{round_}.db")
        start, errors, failures = context.Event(), context.Queue(), []
        writers = [context.Process(target=_writer, args=(db, f"portal{i}", start, errors)) for i in range(WRITERS)]
        for writer in writers:
            writer.start()
        start.set()
        for writer in writers:
            writer.join(120)
        while not errors.empty():
            failures.append(errors.get())
        assert failures == [], failures[0]
        assert all(w.exitcode == 0 for w in writers)
        archive = Archive.open(db)
        per_writer = BATCHES * PAGES_PER_BATCH
        assert archive.db["pages"].count == WRITERS * per_writer
        assert archive.db["articles"].count == SHARED_STORIES + WRITERS * (per_writer - SHARED_STORIES)
        outcomes = [r[0] for r in archive.db.execute("SELECT outcome FROM runs")]
        assert outcomes == ["finished"] * WRITERS
        archive.close()


def test_four_portals_crawled_at_once_into_one_new_archive(replica, tmp_path: Path):
    """The scheduler's normal case: separate crawl processes of different portals, one archive, all at once."""
    db = tmp_path / "archive.db"
    portals = ("zjol", "dazhong", "cnnb", "gat_zj")
    crawls = [subprocess.Popen(Crawl(replica.url, db, (portal,)).command(), cwd=ROOT, env=_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for portal in portals]
    outputs = [crawl.communicate(timeout=240)[0] for crawl in crawls]
    for portal, crawl, output in zip(portals, crawls, outputs):
        assert "Traceback" not in output and "database is locked" not in output, f"{portal}:\n{output[-3000:]}"
        assert crawl.returncode == 0, f"{portal}:\n{output[-3000:]}"
    archive = Archive.open(db)
    runs = {r["portal"]: r for r in archive.db["runs"].rows}
    assert {p: runs[p]["outcome"] for p in portals} == dict.fromkeys(portals, "finished")
    assert all(runs[p]["new_articles"] > 0 for p in portals)
    assert sum(r["new_articles"] for r in runs.values()) == archive.db["articles"].count
    assert sum(r["pages"] for r in runs.values()) == archive.db["pages"].count
    archive.close()


HOLD_WRITE_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()  # until the test closes our stdin
conn.execute("ROLLBACK")
"""


def test_a_write_lock_held_by_another_process_is_waited_out(replica, tmp_path: Path):
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    Archive.open(db).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITE_LOCK, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    crawl = Crawl(replica.url, db, ("gat_zj",), {"ARCHIVE_LOCK_TIMEOUT": "0.3", "ARCHIVE_WRITE_ATTEMPTS": "30",
                                                 "LOG_FILE": str(log)})
    process = subprocess.Popen(crawl.command(), cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while "attempt 2 of 30" not in (log.read_text("utf-8") if log.exists() else ""):
        assert time.monotonic() < deadline and process.poll() is None, "the crawl never waited for the lock"
        time.sleep(0.1)
    holder.communicate("", timeout=10)  # release the lock
    output = process.communicate(timeout=240)[0]
    assert process.returncode == 0, output
    archive = Archive.open(db)
    run = next(archive.db["runs"].rows)
    assert (run["outcome"], run["reason"]) == ("finished", None)
    assert run["pages"] == archive.db["pages"].count > 0
    archive.close()


def test_a_batch_that_cannot_be_written_fails_the_run_loudly(replica, tmp_path: Path):
    """Nothing fetched is dropped silently: the run is failed with its reason and the command exits non-zero."""
    db = tmp_path / "archive.db"
    archive = Archive.open(db)
    archive.db.execute("CREATE TRIGGER refuse_articles BEFORE INSERT ON pages WHEN NEW.outcome = 'article' "
                       "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    archive.close()
    done = Crawl(replica.url, db, ("gat_zj",), {"ARCHIVE_WRITE_ATTEMPTS": "2", "ARCHIVE_BATCH_SIZE": "3"}).run()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    archive = Archive.open(db)
    run = next(archive.db["runs"].rows)
    assert run["outcome"] == "failed"
    assert "could not be written to the archive after 2 attempts (refused by the test)" in run["reason"]
    assert run["pages"] == archive.db["pages"].count  # the batches written before are kept and counted
    assert archive.db.execute("SELECT count(*) FROM pages WHERE outcome = 'article'").fetchone()[0] == 0
    archive.close()
    assert f"gat_zj failed: {run['reason']}" in done.stdout
