"""The scheduler as a user runs it: real processes against the replica, bounded in time."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from croniter import croniter

from crawler.locks import process_alive
from replica.generated import GeneratedPortal
from storage import Archive
from tests.conftest import FAST, GENERATED_ARTICLES, ROOT, Crawl, _env


def config(tmp_path: Path, schedule: str = "* * * * * */2", extra: str = "", start: str | None = None) -> Path:
    text = GeneratedPortal(GENERATED_ARTICLES).portal_toml() + f'schedule = "{schedule}"\n' + extra
    if start:
        text = text.replace("/zjnews/pazj/index.shtml", start)
    path = tmp_path / "portals.toml"
    path.write_text(text, "utf-8")
    return path


def schedule_command(replica, cfg: Path, db: Path, *args: str, **settings: str) -> list[str]:
    command = [sys.executable, "-m", "crawler", "schedule", "--config", str(cfg), "--db", str(db), *args]
    for name, value in {**FAST, "LOG_LEVEL": "INFO", "REPLICA_URL": replica.url, **settings}.items():
        command += ["--set", f"{name}={value}"]
    return command


def start(command: list[str]) -> subprocess.Popen:
    """A scheduler in the background; its output goes nowhere (the runs table and logs tell what it did)."""
    return subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def runs(db: Path) -> list[dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY id")]


def wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def test_bounded_schedule_runs_each_time_in_its_own_process_and_records_every_run(replica, tmp_path):
    db = tmp_path / "a.db"
    result = subprocess.run(schedule_command(replica, config(tmp_path), db, "--max-runs", "3"),
                            cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = runs(db)
    assert [r["trigger"] for r in rows] == ["catch-up", "schedule", "schedule"]
    assert all(r["outcome"] == "finished" for r in rows)
    assert rows[0]["new_articles"] == GENERATED_ARTICLES and rows[1]["new_articles"] == 0
    for row in rows:
        assert Path(row["log_path"]).exists() and "Spider closed (finished)" in Path(row["log_path"]).read_text()
    own_log = (db.parent / "logs" / "scheduler.log").read_text("utf-8")  # the scheduler's own, rotating log
    assert own_log.count("ended: finished") == 3 and "scheduler stopped after starting 3 runs" in own_log
    status = subprocess.run([sys.executable, "-m", "crawler", "status", "--config", str(config(tmp_path)),
                             "--db", str(db), "--json"], cwd=ROOT, env=_env(), capture_output=True, text=True)
    assert status.returncode == 0
    (bench,) = json.loads(status.stdout)
    assert (bench["health"], bench["last_outcome"], bench["new_24h"]) == ("ok", "finished", GENERATED_ARTICLES)


def test_sigterm_stops_scheduling_and_records_the_running_crawl_as_interrupted(replica, tmp_path):
    db = tmp_path / "a.db"
    scheduler = start(schedule_command(replica, config(tmp_path), db, CONCURRENT_REQUESTS_PER_DOMAIN="1",
                                       DOWNLOAD_DELAY="0.1", ARCHIVE_BATCH_SIZE="5"))
    wait_for(lambda: runs(db) and runs(db)[0]["pages"] >= 10)
    scheduler.send_signal(signal.SIGTERM)
    scheduler.wait(timeout=60)
    assert scheduler.returncode == 0
    rows = runs(db)
    assert len(rows) == 1 and rows[0]["outcome"] == "interrupted"
    with sqlite3.connect(db) as conn:  # the batch in flight was written before the process ended
        assert conn.execute("SELECT count(*) FROM pages").fetchone()[0] >= rows[0]["pages"] >= 10
    # A later start resumes normally: the interrupted run's articles are not fetched again.
    result = subprocess.run(schedule_command(replica, config(tmp_path), db, "--max-runs", "1"),
                            cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == GENERATED_ARTICLES


def test_a_run_over_its_time_budget_is_stopped_and_recorded_as_timeout(replica, tmp_path):
    db = tmp_path / "a.db"
    cfg = config(tmp_path, extra="run_timeout = 2\n")
    began = time.monotonic()
    result = subprocess.run(schedule_command(replica, cfg, db, "--max-runs", "1",
                                             CONCURRENT_REQUESTS_PER_DOMAIN="1", DOWNLOAD_DELAY="1"),
                            cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert time.monotonic() - began < 60
    assert runs(db)[0]["outcome"] == "timeout"
    assert "exceeded 2 s" in result.stderr


def test_two_schedulers_on_one_archive_the_second_says_so_and_exits(replica, tmp_path):
    db = tmp_path / "a.db"
    cfg = config(tmp_path, schedule="0 0 1 1 *")
    first = start(schedule_command(replica, cfg, db))
    wait_for(lambda: (db.parent / f".{db.name}.locks" / "scheduler.lock").exists() and runs(db))
    second = subprocess.run(schedule_command(replica, cfg, db), cwd=ROOT, env=_env(), capture_output=True,
                            text=True, timeout=60)
    first.send_signal(signal.SIGTERM)
    first.wait(timeout=60)
    assert second.returncode == 3
    assert second.stderr.strip().startswith("error: another scheduler is already running on")
    assert "Traceback" not in second.stderr


def test_after_downtime_one_catch_up_run_not_one_per_missed_slot(replica, tmp_path):
    db = tmp_path / "a.db"
    archive = Archive.open(db)  # an archive whose last run was five hours ago
    five_hours_ago = (datetime.now(timezone.utc) - timedelta(hours=5)).isoformat(timespec="seconds")
    archive.db["runs"].insert({"portal": "bench", "trigger": "schedule", "started": five_hours_ago,
                               "finished": five_hours_ago, "outcome": "finished"})
    archive.close()
    result = subprocess.run(schedule_command(replica, config(tmp_path, schedule="*/30 * * * *"), db,
                                             "--until", (datetime.now() + timedelta(seconds=20)).isoformat()),
                            cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    new = runs(db)[1:]
    assert [r["trigger"] for r in new] == ["catch-up"]


def test_a_failing_portal_is_logged_alerted_and_makes_status_exit_non_zero(replica, tmp_path, webhook):
    db = tmp_path / "a.db"
    cfg = config(tmp_path, start="/no/such/list.shtml", extra=f'[portals.bench.health]\nwebhook = "{webhook.url}"\n')
    result = subprocess.run(schedule_command(replica, cfg, db, "--max-runs", "1"), cwd=ROOT, env=_env(),
                            capture_output=True, text=True, timeout=120)
    assert "ERROR bench is failing" in result.stderr
    assert webhook.received and webhook.received[0]["portal"] == "bench"
    status = subprocess.run([sys.executable, "-m", "crawler", "status", "--config", str(cfg), "--db", str(db)],
                            cwd=ROOT, env=_env(), capture_output=True, text=True)
    assert status.returncode == 1
    assert "failing" in status.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--config", "/no/such/portals.toml"], "does not exist"),
        (["--db", "/no/such/folder/a.db"], "folder /no/such/folder does not exist"),
        (["--until", "tomorrow-ish"], "--until takes a time"),
    ],
)
def test_schedule_mistakes_get_one_line_and_exit_2(args, message):
    result = subprocess.run([sys.executable, "-m", "crawler", "schedule", *args], cwd=ROOT, env=_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_a_bad_cron_expression_stops_the_scheduler_before_it_starts(tmp_path):
    cfg = config(tmp_path, schedule="61 * * * *")
    result = subprocess.run([sys.executable, "-m", "crawler", "schedule", "--config", str(cfg), "--db",
                             str(tmp_path / "a.db")], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "portal 'bench': field 'schedule' is not a valid cron expression" in result.stderr


def test_a_slot_of_a_portal_another_process_is_crawling_is_skipped_and_that_run_left_alone(replica, tmp_path):
    """A scrapyd job (or `scrapy crawl`) of the portal holds its lock and its run is 'running': the scheduler's slot
    is recorded as skipped with the reason, and the live run is not taken for one left by a dead process."""
    from crawler.locks import portal_locks

    db = tmp_path / "a.db"
    archive = Archive.open(db)
    live = archive.start_run("bench", "scrapyd")
    archive.close()
    with portal_locks(db, ["bench"]):
        result = subprocess.run(schedule_command(replica, config(tmp_path), db, "--max-runs", "1", "--until",
                                                 (datetime.now() + timedelta(seconds=8)).isoformat()),
                                cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = runs(db)
    assert rows[0]["id"] == live and rows[0]["outcome"] == "running"
    assert rows[1]["outcome"] == "skipped" and "bench is already being crawled into" in rows[1]["reason"]


def print_schedule(cfg: Path, db: Path, flag: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", "schedule", "--config", str(cfg), "--db", str(db), flag],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60)


def test_print_crontab_prints_lines_cron_can_read(tmp_path):
    db = tmp_path / "my archive" / "a.db"  # a space in the path
    result = print_schedule(config(tmp_path, schedule="15 */2 * * 1-5"), db, "--print-crontab")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    assert lines[0] == "CRON_TZ=Asia/Shanghai"
    (entry,) = lines[1:]
    fields = entry.split(None, 5)
    assert croniter.is_valid(" ".join(fields[:5])) and fields[:5] == ["15", "*/2", "*", "*", "1-5"]
    words = shlex.split(fields[5])  # the command, as the shell cron starts will split it
    assert words[words.index("--db") + 1] == str(db)
    assert words[words.index("crawl") + 1] == "bench" and "%" not in fields[5].replace("\\%", "")


def test_print_systemd_prints_units_systemd_can_read(tmp_path):
    db = tmp_path / "my archive" / "a.db"
    result = print_schedule(config(tmp_path, schedule="*/30 * * * *"), db, "--print-systemd")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    units = dict(re.findall(r"^# /etc/systemd/system/(\S+)\n(.*?)(?=^# /etc/|\Z)", result.stdout, re.M | re.S))
    assert set(units) == {"police-news-bench.service", "police-news-bench.timer"}
    service, timer = configparser.ConfigParser(interpolation=None), configparser.ConfigParser(interpolation=None)
    service.read_string(units["police-news-bench.service"])
    timer.read_string(units["police-news-bench.timer"])
    words = shlex.split(service["Service"]["ExecStart"])
    assert words[:5] == [sys.executable, "-m", "crawler", "crawl", "bench"] and words[6] == str(db)
    calendar = timer["Timer"]["OnCalendar"]
    assert calendar == "*-*-* *:00/30:00 Asia/Shanghai"
    if shutil.which("systemd-analyze"):
        analyzed = subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True, text=True)
        assert analyzed.returncode == 0, analyzed.stderr
        assert "Normalized form: *-*-* *:00/30:00 Asia/Shanghai" in analyzed.stdout


def test_a_schedule_with_seconds_prints_for_systemd_and_is_refused_for_cron_in_one_line(tmp_path):
    cfg = config(tmp_path, schedule="* * * * * */2")
    refused = print_schedule(cfg, tmp_path / "a.db", "--print-crontab")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "portal 'bench' runs at seconds" in refused.stderr
    printed = print_schedule(cfg, tmp_path / "a.db", "--print-systemd")
    assert printed.returncode == 0 and "OnCalendar=*-*-* *:*:00/2 Asia/Shanghai" in printed.stdout


def test_a_killed_scheduler_takes_its_running_crawl_with_it_and_no_lock_names_a_dead_process(replica, tmp_path):
    db = tmp_path / "a.db"
    lock = db.parent / f".{db.name}.locks" / "portal-bench.lock"
    scheduler = start(schedule_command(replica, config(tmp_path), db, CONCURRENT_REQUESTS_PER_DOMAIN="1",
                                       DOWNLOAD_DELAY="0.2", ARCHIVE_BATCH_SIZE="5"))
    wait_for(lambda: runs(db) and runs(db)[0]["pages"] >= 5 and lock.read_text().strip())
    crawl_pid = int(lock.read_text())
    scheduler.kill()  # SIGKILL: the scheduler cannot stop its runs, which live in process groups of their own
    scheduler.wait(timeout=10)
    killed = time.monotonic()
    wait_for(lambda: not process_alive(crawl_pid), timeout=90)
    assert time.monotonic() - killed < 20  # not the minute the whole crawl would take
    (row,) = runs(db)
    assert row["outcome"] == "interrupted" and row["pages"] < GENERATED_ARTICLES
    assert lock.read_text() == ""


def test_a_slot_that_finds_a_manual_crawl_running_is_skipped_and_leaves_that_run_alone(replica, tmp_path):
    db = tmp_path / "a.db"
    cfg = config(tmp_path)
    manual = Crawl(replica.url, db, ("bench",), {"PORTALS_FILE": cfg, "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
                                                 "DOWNLOAD_DELAY": "0.2"}).start()
    try:
        wait_for(lambda: runs(db) and runs(db)[0]["pages"] >= 3)
        until = (datetime.now(timezone.utc) + timedelta(seconds=6)).isoformat()
        result = subprocess.run(schedule_command(replica, cfg, db, "--until", until), cwd=ROOT, env=_env(),
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        first, *scheduled = runs(db)
        assert first["trigger"] == "manual" and first["outcome"] == "running"  # still crawling, not abandoned
        assert scheduled and all(r["outcome"] == "skipped" for r in scheduled)
        assert "portal bench is already being crawled" in scheduled[0]["reason"]
    finally:
        manual.terminate()
        manual.wait(timeout=60)


def test_the_schedulers_own_log_rotates(tmp_path):
    import logging

    from crawler.run_logs import scheduler_log_handler

    handler = scheduler_log_handler(tmp_path / "a.db", max_bytes=2000, backups=2)
    logger = logging.getLogger("test.scheduler.rotation")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for n in range(200):
            logger.warning("portal %d: a line of the scheduler's log that fills the file", n)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert files == ["scheduler.log", "scheduler.log.1", "scheduler.log.2"]
    assert all((tmp_path / "logs" / name).stat().st_size <= 2000 for name in files)


def _run_log_imports(replica, tmp_path: Path, *args: str) -> set[str]:
    """The modules the one scheduled run's own process imported, from its log (PYTHONPROFILEIMPORTTIME)."""
    tmp_path.mkdir()
    db = tmp_path / "a.db"
    env = {**_env(), "PYTHONPROFILEIMPORTTIME": "1"}
    result = subprocess.run(schedule_command(replica, config(tmp_path), db, "--max-runs", "1", *args),
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    (row,) = runs(db)
    assert row["outcome"] == "finished" and row["new_articles"] == GENERATED_ARTICLES
    text = Path(row["log_path"]).read_text()
    assert "Spider closed (finished)" in text
    return {line.rsplit("|", 1)[1].strip() for line in text.splitlines() if line.startswith("import time:")}


def test_a_scheduled_run_is_forked_from_a_template_that_imported_scrapy_already(replica, tmp_path):
    warm = _run_log_imports(replica, tmp_path / "warm")
    cold = _run_log_imports(replica, tmp_path / "cold", "--cold-start")
    assert "scrapy.crawler" in cold  # the report is the run's own
    # A fork of the template imports neither Scrapy's crawler nor the CLI, the spiders or the components the
    # settings name (the log also holds the imports of the run's extraction pool, a new process of its own); and
    # since the run finished, the template held no reactor: the crawl's own would have been refused.
    owned = {"scrapy.crawler", "scrapy.core.engine", "crawler.cli", "crawler.run", "crawler.pipelines",
             "crawler.middlewares", "scrapy.core.downloader.contextfactory"}
    assert owned <= cold
    assert warm and not owned & warm, sorted(owned & warm)  # the run's own reports (its pool's) are there


def _crawl_pid(db: Path) -> int:
    lock = db.parent / f".{db.name}.locks" / "portal-bench.lock"
    wait_for(lambda: runs(db) and runs(db)[0]["pages"] >= 5 and lock.read_text().strip())
    return int(lock.read_text())


def _stop(scheduler: subprocess.Popen) -> None:
    """A scheduler a failed test left running is stopped (SIGTERM: it stops its runs, which stop their pools)."""
    if scheduler.poll() is None:
        scheduler.terminate()
        scheduler.wait(timeout=90)


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_a_run_stopped_twice_while_its_extraction_pool_is_open_still_ends(replica, tmp_path):
    """A second Ctrl-C stops the reactor before the pipelines close; a forked run must still end (multiprocessing
    would wait for the pool's workers, which wait for the run)."""
    db = tmp_path / "a.db"
    scheduler = start(schedule_command(replica, config(tmp_path), db, "--max-runs", "1",
                                       CONCURRENT_REQUESTS_PER_DOMAIN="1", DOWNLOAD_DELAY="0.2",
                                       ARCHIVE_BATCH_SIZE="5"))
    try:
        crawl_pid = _crawl_pid(db)
        for _ in range(2):
            os.killpg(crawl_pid, signal.SIGINT)
            time.sleep(0.3)
        stopped = time.monotonic()
        wait_for(lambda: not process_alive(crawl_pid), timeout=60)
        assert time.monotonic() - stopped < 20  # not the scheduler's kill after its grace
        scheduler.wait(timeout=60)
    finally:
        _stop(scheduler)
    (row,) = runs(db)
    assert row["outcome"] == "interrupted"


def test_a_run_outlives_its_template_and_is_followed_to_its_end(replica, tmp_path):
    """The template killed (OOM, an admin's pkill) while a run goes on: the run is not taken for ended, it
    records its own outcome, and the next run gets a new template."""
    db = tmp_path / "a.db"
    scheduler = start(schedule_command(replica, config(tmp_path), db, "--max-runs", "2",
                                       CONCURRENT_REQUESTS_PER_DOMAIN="2", DOWNLOAD_DELAY="0.05"))
    try:
        crawl_pid = _crawl_pid(db)
        os.kill(_parent(crawl_pid), signal.SIGKILL)
        scheduler.wait(timeout=180)
    finally:
        _stop(scheduler)
    assert scheduler.returncode == 0
    first, second = runs(db)
    assert first["outcome"] == "finished" and first["new_articles"] == GENERATED_ARTICLES, first
    assert second["outcome"] == "finished", second
