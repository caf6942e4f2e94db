"""Deploying the project to a real scrapyd on 127.0.0.1 with scrapyd-deploy, then crawling a portal of the replica
through schedule.json into an archive: the egg must carry everything the crawl reads (portals.toml included), and a
scrapyd job keeps the archive's rules (its run recorded, trigger scrapyd)."""

from __future__ import annotations

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
from tests.conftest import FAST, ROOT, free_port

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


@pytest.fixture
def scrapyd(tmp_path):
    """A scrapyd of its own on a free loopback port, eggs, logs and dbs in a temporary folder; stopped by pid."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\nitems_dir =\njobs_dir =\npoll_interval = 0.5\n"
        "max_proc = 2\n", "utf-8")
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


def test_scrapyd_deploy_then_schedule_crawls_a_portal_into_the_archive(scrapyd, replica, tmp_path):
    url, home = scrapyd
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
