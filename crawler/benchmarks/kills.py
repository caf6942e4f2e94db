"""`python -m crawler bench kills`: kill -9 a crawl at random moments and check that nothing was lost.

A generated portal is crawled into one archive; the crawl is killed with SIGKILL at a random moment, again
and again, then allowed to finish. After every kill the archive must pass SQLite's integrity check, hold no
duplicate article, and hold at least every article it held before; at the end it must hold every article,
and no article may have been fetched again once it was committed.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawler.benchmarks.crawl import FAST_CRAWL, _start_replica
from crawler.tables import print_table
from replica.generated import GeneratedPortal

KILLS = 20
SEED = 7  # the kill moments are random but repeatable


def _command(db: Path, portal_file: Path, url: str) -> list[str]:
    command = [sys.executable, "-m", "crawler", "crawl", "bench", "--db", str(db)]
    settings = {**FAST_CRAWL, "PORTALS_FILE": str(portal_file), "REPLICA_URL": url,
                "CONCURRENT_REQUESTS_PER_DOMAIN": "4", "ARCHIVE_BATCH_SIZE": "20"}
    for name, value in settings.items():
        command += ["--set", f"{name}={value}"]
    return command


def _state(db: Path) -> tuple[str, int, int, int]:
    """(integrity check, articles, distinct article URLs, article pages)."""
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("PRAGMA integrity_check").fetchone()[0],
                conn.execute("SELECT count(*) FROM articles").fetchone()[0],
                conn.execute("SELECT count(DISTINCT url_hash) FROM articles").fetchone()[0],
                conn.execute("SELECT count(*) FROM pages WHERE outcome = 'article'").fetchone()[0])
    finally:
        conn.close()


def main(articles: int = 1500, kills: int = KILLS) -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        portal_file = Path(tmp, "portals.toml")
        portal_file.write_text(GeneratedPortal(articles).portal_toml(), "utf-8")
        db = Path(tmp, "archive.db")
        replica, url = _start_replica(["--generated", str(articles)])
        rows, problems, before = [], [], 0
        try:
            for kill in range(1, kills + 1):
                process = subprocess.Popen(_command(db, portal_file, url), stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
                moment = rng.uniform(0.3, 4.0)
                time.sleep(moment)
                process.send_signal(signal.SIGKILL)
                process.wait()
                if not db.exists():
                    rows.append([kill, f"{moment:.1f}", "-", 0, 0, "no archive yet"])
                    continue
                integrity, stored, distinct, pages = _state(db)
                verdict = "ok"
                if integrity != "ok" or stored != distinct or stored < before:
                    verdict = f"LOST OR BROKEN ({integrity}, {stored} articles, {distinct} distinct, before {before})"
                    problems.append(kill)
                rows.append([kill, f"{moment:.1f}", integrity, stored, pages, verdict])
                before = stored
                print(f"kill {kill}/{kills} after {moment:.1f} s: {stored} articles, {verdict}", flush=True)
            subprocess.run(_command(db, portal_file, url), check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        finally:
            replica.terminate()
            replica.wait()
        integrity, stored, distinct, pages = _state(db)
    print_table(f"kill -9 during a {articles}-article crawl", ["kill", "after s", "integrity", "articles",
                                                              "article pages", "verdict"], rows)
    refetched = pages - stored
    print(f"after the last crawl: integrity {integrity}, {stored} of {articles} articles, {distinct} distinct, "
          f"{refetched} article pages fetched twice (a page in a killed batch is fetched again, never a stored one)")
    if problems or stored != articles or stored != distinct:
        raise SystemExit(f"kill -9 lost or broke something: kills {problems}")
