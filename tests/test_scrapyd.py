"""Deploying the project to a real scrapyd on 127.0.0.1 with scrapyd-deploy, then crawling a portal of the replica
through schedule.json into an archive: the egg must carry everything the crawl reads (portals.toml included), and a
scrapyd job keeps the archive's rules (its run recorded, trigger scrapyd)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from configparser import ConfigParser
from pathlib import Path

import pytest

from crawler.run_logs import log_dir, run_log_path
from tests.conftest import FAST, ROOT, _env, free_port

SCRAPYD = Path(sys.executable).with_name("scrapyd")
DEPLOY = Path(sys.executable).with_name("scrapyd-deploy")


def call(url: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, whatever the environment
    with opener.open(url, body, timeout=10) as answer:
        return json.loads(answer.read())


def isolated_env(home: Path) -> dict[str, str]:
    """No PYTHONPATH (the job must run from the egg, not from the repository), a HOME and XDG folder of the test's."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.lower().endswith("_proxy")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    return env


@contextlib.contextmanager
def running_scrapyd(home: Path, poll_interval: float = 0.5):
    """A scrapyd of its own on a free loopback port, eggs, logs and dbs under `home`; stopped by pid. A queued job
    waits for the next poll (every `poll_interval` seconds) to start."""
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\nitems_dir =\njobs_dir =\n"
        f"poll_interval = {poll_interval}\nmax_proc = 2\n", "utf-8")
    url = f"http://127.0.0.1:{port}/"
    with (home / "scrapyd.out").open("wb") as out:
        process = subprocess.Popen([str(SCRAPYD), "--pidfile", str(home / "twistd.pid")], cwd=home,
                                   env=isolated_env(home), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if call(url + "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            assert process.poll() is None, (home / "scrapyd.out").read_text()
            assert time.monotonic() < deadline, "scrapyd did not answer"
            time.sleep(0.2)
        yield url, home
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def scrapyd(tmp_path):
    with running_scrapyd(tmp_path / "scrapyd") as answer:
        yield answer


def deploy(url: str, home: Path, tmp_path: Path) -> str:
    """scrapyd-deploy the project to the scrapyd at `url`; the project's name."""
    # A copy of the project, so the egg build's folders stay out of the repository; the repository's [deploy]
    # target, pointed at this scrapyd by a user-level scrapy.cfg as a user would for another machine.
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".git", ".venv", "data", "build", "*.egg-info", "__pycache__", "*.db", ".pytest_cache", ".hypothesis"))
    deploy = ConfigParser()
    deploy.read(ROOT / "scrapy.cfg")
    assert deploy["deploy"]["url"] == "http://127.0.0.1:6800/"
    (home / ".config").mkdir()
    (home / ".config" / "scrapy.cfg").write_text(f"[deploy:test]\nurl = {url}\n", "utf-8")
    result = subprocess.run([str(DEPLOY), "test"], cwd=project, env=isolated_env(home), capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    answer = json.loads(result.stdout)
    name = deploy["deploy"]["project"]
    assert answer["status"] == "ok" and answer["project"] == name, answer
    return name


def test_scrapyd_deploy_then_schedule_crawls_a_portal_into_the_archive(scrapyd, replica, tmp_path):
    url, home = scrapyd
    name = deploy(url, home, tmp_path)
    db = tmp_path / "archive.db"
    settings = {**FAST, "REPLICA_URL": replica.url, "ARCHIVE_DB": str(db)}
    job = call(url + "schedule.json", [("project", name), ("spider", "zjol"),
                                       *(("setting", f"{k}={v}") for k, v in settings.items())])
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 180
    while not any(j["id"] == job["jobid"] for j in call(url + f"listjobs.json?project={name}")["finished"]):
        assert time.monotonic() < deadline, "the scrapyd job did not finish"
        time.sleep(0.5)

    log = next((home / "logs" / name / "zjol").glob(f"{job['jobid']}.log")).read_text("utf-8")
    assert "Spider closed (finished)" in log, log[-3000:]
    with sqlite3.connect(db) as conn:
        run = conn.execute("SELECT portal, trigger, outcome, log_path, new_articles FROM runs").fetchall()
        articles = conn.execute("SELECT count(*) FROM articles WHERE portal = 'zjol'").fetchone()[0]
    # the run's own log beside the archive, as for every way of running a crawl (scrapyd keeps its job log too)
    assert run == [("zjol", "scrapyd", "finished", str(run_log_path(log_dir(db), "zjol", 1)), articles)]
    assert "Spider closed (finished)" in Path(run[0][3]).read_text("utf-8")
    assert articles >= 10


def schedule_command(url: str, db: Path, replica, *args: str, **settings: str) -> list[str]:
    """A bounded `schedule --scrapyd URL`: the first portal of the configuration, one run."""
    command = [sys.executable, "-m", "crawler", "schedule", "--scrapyd", url, "--db", str(db), "--max-runs", "1",
               "--max-concurrent", "1", *args]
    for name, value in {**FAST, "REPLICA_URL": replica.url, **settings}.items():
        command += ["--set", f"{name}={value}"]
    return command


def schedule_on(url: str, db: Path, replica, *args: str, **settings: str) -> subprocess.CompletedProcess:
    """One bounded `schedule --scrapyd URL`, as a user runs it, to its end."""
    return subprocess.run(schedule_command(url, db, replica, *args, **settings), cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=300)


def runs(db: Path) -> list[dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY id")]


def test_the_scheduler_drives_scrapyd_and_records_each_run_once(scrapyd, replica, tmp_path):
    url, home = scrapyd
    name = deploy(url, home, tmp_path)
    db = tmp_path / "archive.db"

    # A due portal becomes a scrapyd job, followed to its end; the job reports into the scheduler's row.
    result = schedule_on(url, db, replica)
    assert result.returncode == 0, result.stderr[-3000:]
    [run] = runs(db)
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles WHERE portal = 'zjol'").fetchone()[0]
    assert (run["portal"], run["trigger"], run["outcome"], run["new_articles"]) == ("zjol", "catch-up", "finished",
                                                                                   articles), run
    assert articles >= 10
    assert "Spider closed (finished)" in Path(run["log_path"]).read_text("utf-8")
    assert Path(run["log_path"]) == run_log_path(log_dir(db), "zjol", run["id"])
    jobs = call(url + f"listjobs.json?project={name}")
    assert [j["spider"] for j in jobs["finished"]] == ["zjol"] and not jobs["running"] and not jobs["pending"]

    # Over its time budget: cancel.json stops the job, and the run is recorded as timeout.
    config = tmp_path / "portals.toml"
    config.write_text((ROOT / "crawler" / "portals.toml").read_text("utf-8").replace(
        'schedule = "*/30 * * * *"\n', 'schedule = "*/30 * * * *"\nrun_timeout = 4\n', 1), "utf-8")
    result = schedule_on(url, tmp_path / "slow.db", replica, "--config", str(config), DOWNLOAD_DELAY="1")
    assert result.returncode == 0, result.stderr[-3000:]
    [run] = runs(tmp_path / "slow.db")
    assert (run["portal"], run["outcome"]) == ("zjol", "timeout"), run
    assert "exceeded 4 s" in result.stderr
    jobs = call(url + f"listjobs.json?project={name}")
    assert len(jobs["finished"]) == 2 and not jobs["running"] and not jobs["pending"]

    # A portal the deployed project does not have: scrapyd refuses the job, and the run says so.
    other = tmp_path / "other.toml"
    other.write_text((ROOT / "crawler" / "portals.toml").read_text("utf-8").replace("[portals.zjol]",
                                                                                      "[portals.zjol_new]", 1))
    result = schedule_on(url, db, replica, "--config", str(other))
    assert result.returncode == 0, result.stderr[-3000:]
    run = runs(db)[-1]
    assert (run["portal"], run["outcome"]) == ("zjol_new", "failed"), run
    assert run["reason"] == "scrapyd refused the job: spider 'zjol_new' not found", run
    assert len(runs(db)) == 2


def test_an_unreachable_scrapyd_is_one_line_and_exit_2(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/"
    result = subprocess.run([sys.executable, "-m", "crawler", "schedule", "--scrapyd", url, "--db",
                             str(tmp_path / "archive.db")], cwd=ROOT, env=_env(), capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: scrapyd at {url} does not answer (") and result.stderr.count("\n") == 1
    assert not (tmp_path / "archive.db").exists()


def test_a_job_scrapyd_never_starts_is_cancelled_at_its_budget_and_one_it_drops_is_recorded_failed(
        replica, tmp_path):
    """A scrapyd that polls its queue once an hour: the job waits in `pending`. Past the run's budget cancel.json
    takes it off the queue (recorded timeout); a pending job someone else cancels is no longer listed anywhere, and
    the run is recorded failed with that reason rather than left running."""
    with running_scrapyd(tmp_path / "scrapyd", poll_interval=3600) as (url, home):
        name = deploy(url, home, tmp_path)
        config = tmp_path / "portals.toml"
        config.write_text((ROOT / "crawler" / "portals.toml").read_text("utf-8").replace(
            'schedule = "*/30 * * * *"\n', 'schedule = "*/30 * * * *"\nrun_timeout = 3\n', 1), "utf-8")
        result = schedule_on(url, tmp_path / "budget.db", replica, "--config", str(config))
        assert result.returncode == 0, result.stderr[-3000:]
        [run] = runs(tmp_path / "budget.db")
        assert (run["portal"], run["outcome"]) == ("zjol", "timeout"), run
        assert call(url + f"listjobs.json?project={name}")["pending"] == []

        db = tmp_path / "dropped.db"
        scheduler = subprocess.Popen(schedule_command(url, db, replica), cwd=ROOT, env=_env(),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not (pending := call(url + f"listjobs.json?project={name}")["pending"]):
            assert time.monotonic() < deadline and scheduler.poll() is None, "no job was queued"
            time.sleep(0.2)
        assert call(url + "cancel.json", [("project", name), ("job", pending[0]["id"])])["prevstate"] == "pending"
        _, stderr = scheduler.communicate(timeout=120)
        assert scheduler.returncode == 0, stderr[-3000:]
        [run] = runs(db)
        assert run["outcome"] == "failed", run
        assert run["reason"] == (f"scrapyd at {url} no longer lists job {pending[0]['id']} (restarted, or "
                                 "cancelled)"), run
