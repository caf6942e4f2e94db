"""What a person sees of a crawl: live progress on a terminal, who the crawler says it is, the scheduler's demo."""

from __future__ import annotations

import os
import pty
import re
import subprocess

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
