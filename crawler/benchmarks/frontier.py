"""`python -m crawler bench frontier`: pages per second with 1 and with 2 crawl workers sharing one frontier
(FRONTIER=redis, a redis-server of its own on 127.0.0.1), on the same generated replica, measured side by side,
then what merging their shards costs.

Each worker extracts in its own process (EXTRACT_PROCESSES=0), so the workers are the only parallelism measured.
The rate is counted over the crawl's span (the first run's start to its last page), without the wait a worker
makes before closing (FRONTIER_IDLE_CLOSE); the wall time until every worker exited is shown beside it.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from crawler.benchmarks.crawl import FAST_CRAWL, _start_replica
from crawler.tables import print_table
from replica.generated import GeneratedPortal
from storage import Archive
from storage.merge import merge

IDLE_CLOSE = "6"  # seconds; more than the engine's 5 s heartbeat
# Politeness as a portal gets it from each worker: two requests at a time (CONCURRENT_REQUESTS_PER_DOMAIN's default).
WORKER = {"CONCURRENT_REQUESTS_PER_DOMAIN": "2"}


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A redis-server on a free loopback port, saving nothing; its URL. Stopped by pid when the block ends."""
    import redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
                                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _workers(folder: Path, name: str, count: int, portal_file: Path, replica_url: str, redis_url: str
             ) -> tuple[list[Path], float]:
    shards = [folder / f"{name}-{n}.db" for n in range(1, count + 1)]
    overrides = {**FAST_CRAWL, **WORKER, "PORTALS_FILE": str(portal_file), "REPLICA_URL": replica_url, "FRONTIER": "redis",
                 "REDIS_URL": redis_url, "FRONTIER_RUN": name, "FRONTIER_IDLE_CLOSE": IDLE_CLOSE,
                 "EXTRACT_PROCESSES": "0"}
    start = time.perf_counter()
    processes = []
    for shard in shards:
        command = [sys.executable, "-m", "crawler", "crawl", "bench", "--db", str(shard)]
        for setting, value in overrides.items():
            command += ["--set", f"{setting}={value}"]
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
    for process in processes:
        if process.wait() != 0:
            raise SystemExit(f"a benchmark worker failed (exit {process.returncode})")
    return shards, time.perf_counter() - start


def _span(shards: list[Path]) -> tuple[int, float]:
    """(pages fetched, seconds from the first run's start to the last page) over the shards."""
    pages, starts, ends = 0, [], []
    for shard in shards:
        with contextlib.closing(sqlite3.connect(shard)) as conn:
            starts += [row[0] for row in conn.execute("SELECT started FROM runs")]
            count, newest = conn.execute("SELECT count(*), max(fetched_at) FROM pages").fetchone()
        pages += count
        ends += [newest] if newest else []
    return pages, (datetime.fromisoformat(max(ends)) - datetime.fromisoformat(min(starts))).total_seconds()


def _pages(shard: Path) -> int:
    with contextlib.closing(sqlite3.connect(shard)) as conn:
        return conn.execute("SELECT count(*) FROM pages").fetchone()[0]


def main(articles: int = 2000) -> None:
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed (Debian: apt-get install redis-server): nothing measured")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        portal_file = folder / "bench.toml"
        portal_file.write_text(GeneratedPortal(articles).portal_toml(), "utf-8")
        replica, replica_url = _start_replica(["--generated", str(articles)])
        rows = []
        try:
            with redis_server(folder) as redis_url:
                for count in (1, 2):
                    print(f"crawling {articles} generated articles with {count} worker(s) ...", flush=True)
                    # A Redis database per measurement: the other one's settled URLs must not be skipped here.
                    database = redis_url.rsplit("/", 1)[0] + f"/{count}"
                    shards, wall = _workers(folder, f"w{count}", count, portal_file, replica_url, database)
                    pages, span = _span(shards)
                    shares = "/".join(str(_pages(shard)) for shard in shards)
                    start = time.perf_counter()
                    main_archive = Archive.open(folder / f"merged-{count}.db")
                    try:
                        merge(main_archive, shards)
                    finally:
                        main_archive.close()
                    merged = time.perf_counter() - start
                    rows.append([str(count), shares, f"{pages / max(span, 1):.1f}", f"{span:.0f}", f"{wall:.1f}",
                                 f"{merged:.1f}"])
        finally:
            replica.terminate()
            replica.wait()
    print_table(f"shared frontier (scrapy-redis): {articles} generated articles, workers on this machine",
                ["workers", "pages (per worker)", "pages/s (crawl span)", "span s", "wall s (idle close included)",
                 "merge s"], rows)
    one, two = (float(row[2]) for row in rows)
    print(f"  2 workers / 1 worker: {two / one:.2f}× the pages per second")
