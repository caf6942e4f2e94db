"""What a person sees of a crawl: live progress on a terminal, who the crawler says it is, the scheduler's demo."""

from __future__ import annotations

import os
import pty
import re
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT, Crawl, _env


def run_on_a_terminal(command: list[str], timeout: float = 120) -> tuple[int, str]:
    """Run with stdout and stderr on a pseudo-terminal, as in an interactive shell; return (exit code, output)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                               env={**_env(), "TERM": "xterm", "COLUMNS": "160"})
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other side closed: the process has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    code = process.wait(timeout)
    return code, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))


def test_a_crawl_on_a_terminal_shows_a_live_line_per_portal(replica, tmp_path):
    code, output = run_on_a_terminal(Crawl(replica.url, tmp_path / "a.db", ("zjol", "gat_zj")).command())
    assert code == 0, output[-2000:]
    assert re.search(r"zjol\s+crawling\s+\d+ pages\s+\d+ new articles\s+\d+ errors", output), output[-2000:]
    assert re.search(r"gat_zj\s+finished\s+8 pages\s+6 new articles\s+0 errors", output), output[-2000:]
    assert "Crawl runs" in output and "Traceback" not in output


def test_schedule_replica_runs_with_the_fast_settings_of_crawl_replica(tmp_path):
    db = tmp_path / "sched.db"
    result = subprocess.run([sys.executable, "-m", "crawler", "schedule", "--replica", "--db", str(db), "--max-runs",
                             "1", "--set", "RETRY_TIMES=0"], cwd=ROOT, env=_env(), capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    (run,) = sqlite3.connect(db).execute("SELECT outcome, log_path FROM runs").fetchall()
    log = Path(run[1]).read_text("utf-8")
    assert run[0] == "finished", log[-3000:]
    overridden = log.split("Overridden settings:", 1)[1].split("}", 1)[0]
    for setting in ("'AUTOTHROTTLE_ENABLED': 'False'", "'DOWNLOAD_DELAY': '0'", "'DOWNLOAD_TIMEOUT': '5'",
                    "'RETRY_TIMES': '0'"):  # the last: a --set still wins over the replica's settings
        assert setting in overridden, overridden


class _RecordsUserAgents(BaseHTTPRequestHandler):
    """A one-article site on 127.0.0.1 that remembers the User-Agent of every request."""

    ARTICLE = ("<html><head><meta charset='utf-8'><title>民警救助走失老人</title></head><body><h1>民警救助走失老人</h1>"
               "<div class='info'>2026-11-20 08:00:00 来源：平安浙江</div><div class='content'>"
               "<p>昨日上午，一名老人在街头迷路，巡逻民警发现后上前询问，老人却说不清家住哪里。</p>"
               "<p>民警通过走访周边社区，终于联系上老人的家属，并将老人平安送回家中。</p>"
               "<p>家属连声道谢。警方提醒，家中有老人的市民外出时可为其佩戴写有联系方式的卡片。</p>"
               + "</div></body></html>")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.agents.append(self.headers.get("User-Agent", ""))
        body = {"/": "<html><body><a href='/a/1.html'>民警救助走失老人</a></body></html>",
                "/a/1.html": self.ARTICLE}.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "not here").encode("utf-8"))

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordsUserAgents)
    server.agents = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = tmp_path / "portals.toml"
    config.write_text(f'[portals.local]\nallowed_domains = ["127.0.0.1"]\n'
                      f'start_urls = ["http://127.0.0.1:{server.server_address[1]}/"]\n'
                      "article_patterns = ['/a/\\d+\\.html$']\n", "utf-8")
    yield server, config
    server.shutdown()
    server.server_close()


def crawl_site(config: Path, db: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A crawl of the local site itself, not through a replica: as a crawl of the real portals goes out."""
    return subprocess.run([sys.executable, "-m", "crawler", "crawl", "--config", str(config), "--db", str(db),
                           "--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False"],
                          cwd=ROOT, env={**_env(), **env}, capture_output=True, text=True, timeout=120)


def test_a_placeholder_contact_url_is_warned_about_once_per_run(site, tmp_path):
    server, config = site
    result = crawl_site(config, tmp_path / "a.db", {"POLICE_NEWS_CONTACT_URL": ""})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.count("CONTACT_URL is the placeholder") == 1, result.stderr[-3000:]
    assert "set POLICE_NEWS_CONTACT_URL in the environment" in result.stderr
    log = next((tmp_path / "logs" / "local").glob("run-*.log")).read_text("utf-8")
    assert log.count("CONTACT_URL is the placeholder") == 1
    assert server.agents and all("example.org" in agent for agent in server.agents)


def test_the_contact_url_comes_from_the_environment_without_editing_code(site, tmp_path):
    server, config = site
    result = crawl_site(config, tmp_path / "a.db", {"POLICE_NEWS_CONTACT_URL": "https://lab.example-uni.cn/crawler"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "CONTACT_URL" not in result.stderr
    assert server.agents and set(server.agents) == {"PoliceNewsArchiver/0.1 (+https://lab.example-uni.cn/crawler)"}
    assert sqlite3.connect(tmp_path / "a.db").execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def test_crontab_and_systemd_lines_pass_the_contact_url_on(monkeypatch, capsys):
    from crawler.cli import main

    monkeypatch.setenv("POLICE_NEWS_CONTACT_URL", "https://lab.example-uni.cn/crawler")
    assert main(["schedule", "--print-crontab"]) == 0
    assert "\nPOLICE_NEWS_CONTACT_URL=https://lab.example-uni.cn/crawler\n" in capsys.readouterr().out
    assert main(["schedule", "--print-systemd"]) == 0
    assert "\nEnvironment=POLICE_NEWS_CONTACT_URL=https://lab.example-uni.cn/crawler\n" in capsys.readouterr().out
