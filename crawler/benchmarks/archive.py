"""`python -m crawler bench archive`: adding an article at 10,000 and at 1,000,000 archived articles, and search.

The archives are built in bulk (crawler.benchmarks.big_archive: minutes, not hours, and the same rows the write path
stores); then the real write path — Archive.write_batch, in batches of ARCHIVE_BATCH_SIZE with the run's totals
after each, as the crawl's pipeline writes — adds the same kind of new articles to each, with their search and
near-duplicate entries. The sizes are measured in turn, round after round (warm-up first), so the machine's noise
hits them alike; the figure is CPU per article, min and median of the rounds, and the ratio of the largest size to
the smallest against the target.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawler import settings
from crawler.processes import peak_rss_bytes
from crawler.benchmarks import big_archive
from crawler.tables import print_table
from storage import Archive
from storage.search import count, search

QUERIES = ("追逃", "诈骗", "民警", "派出所", "走失 OR 溺水")
REPEATS = 15
SIZES = (10_000, 100_000, 1_000_000)
ADD = 500  # new articles per size and round
ROUNDS = 3
TARGET = 1.3  # issue 12: adding an article at the largest size costs at most this many times its cost at the smallest


def _new_pages(pool: big_archive.Pool, first: int, count_: int, seed: int) -> list:
    """`count_` new original articles (plan numbers from `first` on), new to every archive of the series."""
    pages, n = [], first
    while len(pages) < count_:
        if big_archive.plan(seed, n, len(pool.paragraphs)).kind == "original":
            pages.append(big_archive.page_of(big_archive.generate(pool, seed, n)))
        n += 1
    return pages


def _add(archive: Archive, run_id: int, pages: list) -> tuple[float, float]:
    """CPU and wall seconds of adding these pages as the pipeline does: a batch at a time, then the run's totals."""
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(pages), settings.ARCHIVE_BATCH_SIZE):
        archive.write_batch(pages[start:start + settings.ARCHIVE_BATCH_SIZE], run_id)
        archive.update_run(run_id)
    return time.process_time() - cpu, time.perf_counter() - wall


def _memory_gb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9


def prepare(sizes: list[int], folder: Path, cache: Path | None, seed: int = 7) -> dict[int, Path]:
    """An archive of each size in `folder`: copies of the cached ones (built there when missing), or built here."""
    if cache:
        cached, built = big_archive.cached(cache, sizes, seed)
        paths = {size: big_archive.copy(path, folder / path.name) for size, path in cached.items()}
    else:
        largest = max(sizes)
        paths = {size: folder / f"archive-{size}.db" for size in sizes}
        built = big_archive.build(paths[largest], largest, seed, pool=big_archive.make_pool(seed, big_archive.pool_size(largest)),
                                  snapshots={size: paths[size] for size in sizes if size != largest})
    if built:
        print(f"built {built.articles:,} articles in {built.seconds:.0f} s: {built.rate:,.0f} articles/s", flush=True)
    return paths


def measure(paths: dict[int, Path], add: int = ADD, rounds: int = ROUNDS, seed: int = 7) -> dict[int, list]:
    """Per size: (CPU s, wall s) per article of each round."""
    pool = big_archive.make_pool(seed, big_archive.pool_size(max(paths)))
    archives = {size: Archive.open(path) for size, path in paths.items()}
    runs = {size: archive.start_run("bench") for size, archive in archives.items()}
    first = max(paths) + 1_000_000  # past every archive's articles
    warm = settings.ARCHIVE_BATCH_SIZE
    new = _new_pages(pool, first, warm + rounds * add, seed)
    figures: dict[int, list] = {size: [] for size in paths}
    for size, archive in archives.items():
        _add(archive, runs[size], new[:warm])
    for round_ in range(rounds):
        pages = new[warm + round_ * add:warm + (round_ + 1) * add]
        for size, archive in archives.items():  # the same new articles at every size
            cpu, wall = _add(archive, runs[size], pages)
            figures[size].append((cpu / add, wall / add))
    for archive in archives.values():
        archive.close()
    return figures


def report(paths: dict[int, Path], figures: dict[int, list], add: int) -> float:
    """Print the table; return the ratio of median CPU per article, largest size against smallest."""
    memory = _memory_gb()
    rows = []
    for size, rounds in sorted(figures.items()):
        cpu = [1000 * c for c, _ in rounds]
        wall = [1000 * w for _, w in rounds]
        gb = sum(p.stat().st_size for p in paths[size].parent.glob(paths[size].name + "*")) / 1e9
        rows.append([f"{size:,}", f"{gb:.2f}" + (" (> RAM)" if gb > memory else ""), f"{min(cpu):.2f}",
                     f"{statistics.median(cpu):.2f}", f"{min(wall):.2f}", f"{statistics.median(wall):.2f}"])
    print_table(f"Adding an article (write_batch of {settings.ARCHIVE_BATCH_SIZE}, search and near-duplicate "
                f"entries, run totals): {add} new articles per size, {len(next(iter(figures.values())))} rounds",
                ["archived articles", "file GB", "CPU ms min", "CPU ms median", "wall ms min", "wall ms median"], rows)
    smallest, largest = min(figures), max(figures)
    ratio = (statistics.median(c for c, _ in figures[largest]) / statistics.median(c for c, _ in figures[smallest]))
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"CPU per article at {largest:,} / at {smallest:,}: {ratio:.2f}× ({verdict} the {TARGET}× target); "
          f"the machine has {memory:.0f} GB of memory", flush=True)
    return ratio


def _median_ms(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _search_rows(archive: Archive) -> list[list]:
    db = archive.db
    rows = []
    for query in QUERIES:
        fts_ms = _median_ms(lambda q=query: search(db, q, limit=20))
        word = query.split()[0]
        like = "SELECT count(*) FROM articles WHERE title LIKE ? OR text LIKE ?"
        like_ms = _median_ms(lambda w=word: db.execute(like, [f"%{w}%", f"%{w}%"]).fetchall(), repeats=3)
        like_count = db.execute(like, [f"%{word}%", f"%{word}%"]).fetchone()[0] if " " not in query else "-"
        rows.append([query, count(db, query), like_count, f"{fts_ms:.1f}", f"{like_ms:.1f}",
                     f"{like_ms / fts_ms:.0f}×"])
    return rows


def _export_peak_mb(db: Path, out: Path) -> tuple[float, float]:
    """The export's own peak memory (VmHWM, sampled while it runs: ru_maxrss of children would be the largest
    child this process ever had, such as the bulk build's workers) and its wall seconds."""
    start = time.perf_counter()
    export = subprocess.Popen([sys.executable, "-m", "crawler", "export", "--format", "jsonl", "--out", str(out),
                               "--db", str(db)], stdout=subprocess.DEVNULL)
    peak = 0
    while export.poll() is None:
        peak = max(peak, peak_rss_bytes(export.pid) or 0)
        time.sleep(0.1)
    if export.returncode != 0:
        raise SystemExit(f"the benchmark's export failed (exit {export.returncode})")
    return peak / 2**20, time.perf_counter() - start


def main(sizes: list[int] | None = None, add: int = ADD, rounds: int = ROUNDS, cache: Path | None = None) -> float:
    sizes = sorted(set(sizes or SIZES))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"archives of {', '.join(f'{s:,}' for s in sizes)} articles ...", flush=True)
        paths = prepare(sizes, folder, cache)
        ratio = report(paths, measure(paths, add, rounds), add)
        largest = max(sizes)
        archive = Archive.open(paths[largest])
        search_rows = _search_rows(archive)
        archive.close()
        peak_mb, export_s = _export_peak_mb(paths[largest], folder / "out.jsonl")
    print_table(
        f"Search at {largest:,} articles: median of {REPEATS} runs, top 20 ranked, against a full LIKE '%…%' scan",
        ["query", "index matches", "LIKE matches", "search ms", "LIKE scan ms", "speed-up"],
        search_rows,
    )
    print(f"export of {largest:,} articles to jsonl: {export_s:.1f} s, peak memory {peak_mb:.0f} MB")
    return ratio
