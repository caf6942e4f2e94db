"""Two crawl workers sharing one frontier through a real redis-server on 127.0.0.1 (scrapy-redis), each writing
its own archive shard; `merge` folds the shards into one archive that must equal a single-process crawl of the same
generated replica, with no article requested twice across the workers."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from crawler.benchmarks.frontier import redis_server
from crawler.cli import main
from replica.generated import GeneratedPortal
from replica.server import ReplicaServer, Site
from tests.conftest import Crawl, free_port

ARTICLES = 500  # enough for both workers to take a share and to meet on the same links; CI time matters
REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed (Debian: redis-server)")
# Two requests at a time per worker, as the portal's politeness allows.
WORKER = {"EXTRACT_PROCESSES": "0", "DOWNLOAD_TIMEOUT": "30", "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
          "LOG_LEVEL": "WARNING"}


@pytest.fixture
def redis_url(tmp_path):
    """A redis-server of its own on a free loopback port, nothing saved to disk; stopped by pid."""
    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture(scope="module")
def big_replica():
    with ReplicaServer(Site(dynamic=[GeneratedPortal(ARTICLES)])) as server:
        yield server


def articles(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT url, content_hash FROM articles ORDER BY url").fetchall()


def test_two_workers_share_the_frontier_and_merge_into_what_one_process_crawls(redis_url, big_replica, tmp_path):
    portals = tmp_path / "portals.toml"
    portals.write_text(GeneratedPortal(ARTICLES).portal_toml(), "utf-8")
    shared = {**WORKER, "PORTALS_FILE": portals, "FRONTIER": "redis", "REDIS_URL": redis_url,
              "FRONTIER_RUN": "test", "FRONTIER_IDLE_CLOSE": "6"}
    shards = [tmp_path / f"shard-{n}.db" for n in (1, 2)]
    before = len(big_replica.requests)
    workers = [subprocess.Popen(Crawl(big_replica.url, shard, ("bench",), shared).command(), cwd=Path.cwd(),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for shard in shards]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    asked = Counter(path for _, path in big_replica.requests[before:] if path.startswith("/zjnews/2"))
    for worker, output in zip(workers, outputs):
        assert worker.returncode == 0 and "Traceback" not in output, output[-3000:]

    assert len(asked) == ARTICLES, "every article is requested"
    assert max(asked.values()) == 1, f"requested twice: {[p for p, n in asked.items() if n > 1][:5]}"
    per_shard = [len(articles(shard)) for shard in shards]
    assert sum(per_shard) == ARTICLES and min(per_shard) > 0, per_shard  # both workers took a share

    single = tmp_path / "single.db"
    done = Crawl(big_replica.url, single, ("bench",), {**WORKER, "PORTALS_FILE": portals}).run()
    assert done.returncode == 0, done.stderr[-3000:]

    merged = tmp_path / "merged.db"
    assert main(["merge", *map(str, shards), "--db", str(merged)]) == 0
    assert articles(merged) == articles(single)
    with sqlite3.connect(merged) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT url_hash) FROM articles").fetchone() == (ARTICLES,) * 2
        pages = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
        runs = conn.execute("SELECT sum(new_articles) FROM runs").fetchone()[0]
    assert runs == ARTICLES

    assert main(["merge", *map(str, shards), "--db", str(merged)]) == 0  # again: nothing changes
    with sqlite3.connect(merged) as conn:
        assert conn.execute("SELECT count(*) FROM pages").fetchone()[0] == pages
    assert articles(merged) == articles(single)

    # The next crawl, by a worker with a new shard: what the others settled is not asked for again.
    before = len(big_replica.requests)
    again = Crawl(big_replica.url, tmp_path / "shard-3.db", ("bench",), {**shared, "FRONTIER_RUN": "next"}).run()
    assert again.returncode == 0, again.stderr[-3000:]
    assert [path for _, path in big_replica.requests[before:] if path.startswith("/zjnews/2")] == []
    assert sum(1 for _, path in big_replica.requests[before:] if path.startswith("/zjnews/pazj/")) == ARTICLES // 20


def test_a_redis_that_does_not_answer_is_one_line_before_anything_starts(tmp_path, capsys):
    port = free_port()  # nothing listens there
    assert main(["crawl", "zjol", "--db", str(tmp_path / "a.db"), "--set", "FRONTIER=redis",
                 "--set", f"REDIS_URL=redis://127.0.0.1:{port}/0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: the shared frontier's Redis at redis://127.0.0.1:{port}/0 does not answer")
    assert len(err.splitlines()) == 1
