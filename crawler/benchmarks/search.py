"""`python -m crawler bench search`: full-text search against a LIKE scan on a generated archive."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from crawler.benchmarks.archive import build
from crawler.tables import print_table
from storage.search import count, search

QUERIES = ("追逃", "诈骗", "民警", "派出所", "走失 OR 溺水")
REPEATS = 15


def _median_ms(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main(articles: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"building an archive of {articles} articles ...", flush=True)
        start = time.perf_counter()
        archive = build(Path(tmp, "bench.db"), articles)
        build_s = time.perf_counter() - start
        db = archive.db
        rows = []
        for query in QUERIES:
            matches = count(db, query)
            fts_ms = _median_ms(lambda q=query: search(db, q, limit=20))
            like = query.split()[0]
            like_ms = _median_ms(lambda w=like: db.execute(
                "SELECT id FROM articles WHERE title LIKE ? OR text LIKE ? LIMIT 20", [f"%{w}%", f"%{w}%"]
            ).fetchall(), repeats=3)
            full_like_ms = _median_ms(lambda w=like: db.execute(
                "SELECT count(*) FROM articles WHERE title LIKE ? OR text LIKE ?", [f"%{w}%", f"%{w}%"]
            ).fetchall(), repeats=3)
            rows.append([query, matches, f"{fts_ms:.1f}", f"{full_like_ms:.1f}", f"{full_like_ms / fts_ms:.0f}×",
                         f"{like_ms:.1f}"])
        archive.close()
    print_table(
        f"Search: {articles} articles (built in {build_s:.0f} s), median of {REPEATS} runs, top 20 ranked",
        ["query", "matching articles", "search ms", "LIKE scan ms", "speed-up", "LIKE first-20 ms"],
        rows,
    )
