"""The bulk-built benchmark archive holds what the real write path would have stored, row for row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.benchmarks import big_archive
from storage import Archive, bodies

SEED, ARTICLES, POOL = 3, 400, 300


@pytest.fixture(scope="module")
def pool() -> big_archive.Pool:
    return big_archive.make_pool(SEED, POOL)


def _write_path(path: Path, pool: big_archive.Pool) -> None:
    """The same generated pages, each batch through Archive.write_batch as a crawl writes them."""
    archive = Archive.open(path)
    runs: dict[tuple[int, str], int] = {}
    for n in range(ARTICLES):
        g = big_archive.generate(pool, SEED, n)
        key = (n // big_archive.RUN_SIZE, g.portal)
        if key not in runs:
            runs[key] = archive.start_run(g.portal, "schedule")
        listed = big_archive.list_page(g)
        archive.write_batch([big_archive.page_of(g), *([listed] if listed else [])], runs[key])
    for run_id in runs.values():
        archive.update_run(run_id)
    archive.close()


def _contents(path: Path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, articles_fts, instance)")
    out = {
        "schema": conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall(),
        "migrations": conn.execute("SELECT name FROM _sqlite_migrations ORDER BY name").fetchall(),
        "articles": conn.execute("SELECT * FROM articles ORDER BY id").fetchall(),
        "pages": conn.execute("SELECT * FROM pages ORDER BY id").fetchall(),
        "bodies": [(sha1, size, compression, bodies.unpack(body)) for sha1, size, compression, body in
                   conn.execute("SELECT sha1, size, compression, body FROM bodies ORDER BY sha1")],
        "minhash": conn.execute("SELECT * FROM minhash ORDER BY article_id").fetchall(),
        "lsh_bands": conn.execute("SELECT band, bucket, article_id FROM lsh_bands ORDER BY 1, 2, 3").fetchall(),
        "search index": conn.execute("SELECT * FROM temp.vocab ORDER BY 1, 2, 3, 4").fetchall(),
        "fts config": conn.execute("SELECT * FROM articles_fts_config ORDER BY 1").fetchall(),
        "runs": conn.execute("SELECT id, portal, pages, new_articles, duplicates, errors, rejections FROM runs "
                             "ORDER BY id").fetchall(),
    }
    conn.close()
    return out


def test_bulk_build_stores_what_the_write_path_stores(tmp_path: Path, pool: big_archive.Pool) -> None:
    big_archive.build(tmp_path / "bulk.db", ARTICLES, SEED, processes=1, progress=False, pool=pool)
    _write_path(tmp_path / "real.db", pool)
    bulk, real = _contents(tmp_path / "bulk.db"), _contents(tmp_path / "real.db")
    # The sample holds what makes the comparison worth it: copies kept as alias pages, near-duplicate groups.
    assert sum(1 for page in real["pages"] if page[9] == "alias") >= 2
    groups = [row[2] for row in real["minhash"]]
    assert any(groups.count(g) > 1 for g in groups)
    assert len(real["articles"]) > 300 and len(real["search index"]) > 100_000
    for table in real:
        assert bulk[table] == real[table], table


def test_snapshots_are_the_smaller_archives(tmp_path: Path, pool: big_archive.Pool) -> None:
    """One build makes the smaller sizes on its way: each is the archive built to that size."""
    big_archive.build(tmp_path / "big.db", 120, SEED, processes=2, progress=False, pool=pool,
                      snapshots={50: tmp_path / "small.db"})
    big_archive.build(tmp_path / "direct.db", 50, SEED, processes=1, progress=False, pool=pool)
    small, direct = _contents(tmp_path / "small.db"), _contents(tmp_path / "direct.db")
    assert len(small["articles"]) == 50 - sum(big_archive.plan(SEED, n, POOL).kind == "copy" for n in range(50))
    for table in direct:
        assert small[table] == direct[table], table


def _count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_bench_archive_adds_through_the_write_path_at_each_size(tmp_path: Path) -> None:
    from crawler.benchmarks import archive

    paths = archive.prepare([60, 150], tmp_path, cache=None)
    figures = archive.measure(paths, add=10, rounds=2)
    assert sorted(figures) == [60, 150] and all(len(rounds) == 1 + 2 for rounds in figures.values())  # cold, warm
    assert all(0 <= r.system <= r.cpu for rounds in figures.values() for r in rounds)
    for size, path in paths.items():
        before = size - sum(big_archive.plan(7, n, big_archive.pool_size(150)).kind == "copy" for n in range(size))
        added = 50 + 3 * 10  # the warm-up batch, then each round's articles
        assert _count(path, "SELECT count(*) FROM articles") == before + added
        assert _count(path, "SELECT count(*) FROM minhash") == before + added
        assert _count(path, "SELECT count(*) FROM articles_fts_docsize") == before + added
        assert _count(path, "SELECT count(*) FROM runs WHERE portal = 'bench' AND pages = 80") == 1


def test_bench_archive_reuses_its_cache_untouched(tmp_path: Path, capsys) -> None:
    from crawler.cli import main

    cache = tmp_path / "cache"
    assert main(["bench", "archive", "--sizes", "40,90", "--add", "5", "--cache", str(cache)]) == 0
    first = capsys.readouterr().out
    assert "built 90 articles" in first and "CPU per article at 90 / at 40, warm:" in first
    kept = {p.name: p.read_bytes() for p in cache.iterdir()}
    assert sorted(kept) == [big_archive.cache_path(cache, size, 7, 300).name for size in (40, 90)]
    assert main(["bench", "archive", "--sizes", "40,90", "--add", "5", "--cache", str(cache)]) == 0
    assert "built" not in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in cache.iterdir()} == kept  # measured on copies


def test_bench_crawl_prefill_starts_from_a_built_archive(tmp_path: Path) -> None:
    from crawler.benchmarks import crawl

    start = crawl._prefilled(80, tmp_path, cache=None)
    assert _count(start, "SELECT count(*) FROM pages WHERE outcome = 'article'") == 80
    assert _count(start, "SELECT count(*) FROM runs WHERE outcome = 'finished'") == len(big_archive.PORTALS)


def test_bench_options_are_checked(capsys) -> None:
    from crawler.cli import main

    assert main(["bench", "crawl", "--prefill", "-1"]) == 2
    assert capsys.readouterr().err.strip() == "error: --prefill must be 0 or more"
    with pytest.raises(SystemExit):
        main(["bench", "archive", "--sizes", "10,x"])
    assert "is not a list of sizes" in capsys.readouterr().err
