"""What a person sees of a crawl: live progress on a terminal, who the crawler says it is, the scheduler's demo."""

from __future__ import annotations

import os
import pty
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

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
