"""`python -m crawler bench archive`: adding an article at 10,000 and at 1,000,000 archived articles, and search.

The archives are built in bulk (crawler.benchmarks.big_archive: minutes, not hours, and the same rows the write path
stores); then the real write path — Archive.write_batch, in batches of ARCHIVE_BATCH_SIZE with the run's totals
after each, as the crawl's pipeline writes — adds the same kind of new articles to each, with their search and
near-duplicate entries. The sizes are measured in turn, round after round (warm-up first), so the machine's noise
hits them alike; the figure is CPU per article, min and median of the rounds, and the ratio of the largest size to
the smallest against the target.

A freshly copied archive is cold: its index pages are on disk, and a new article's random index entries (URL
hashes, near-duplicate buckets) read them one by one, which costs system CPU (and the largest archive may not fit
the machine's page cache at all). A crawler host that archives all day keeps those pages cached, so the target is
taken on a warm archive: one cold round first (reported as such), then every index of the tables the write path
touches is read once, then the measured rounds. System CPU (the kernel's share: reading pages) is shown apart.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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


WRITE_PATH_TABLES = ("pages", "articles", "lsh_bands", "minhash")  # whose indexes a new article's entries go into


@dataclass
class Round:
    cpu: float  # seconds per article, user and system
    system: float  # of which the kernel's (reading pages)
    wall: float


def _add(archive: Archive, run_id: int, pages: list) -> Round:
    """Adding these pages as the pipeline does, a batch at a time, then the run's totals: per article."""
    before, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    for start in range(0, len(pages), settings.ARCHIVE_BATCH_SIZE):
        archive.write_batch(pages[start:start + settings.ARCHIVE_BATCH_SIZE], run_id)
        archive.update_run(run_id)
    after, n = resource.getrusage(resource.RUSAGE_SELF), len(pages)
    system = after.ru_stime - before.ru_stime
    return Round((after.ru_utime - before.ru_utime + system) / n, system / n, (time.perf_counter() - wall) / n)


def warm_indexes(archive: Archive) -> float:
    """Read every index of the write path's tables once (into the OS page cache); seconds taken."""
    start = time.perf_counter()
    db = archive.db.conn
    indexes = db.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                         f"({', '.join('?' * len(WRITE_PATH_TABLES))})", WRITE_PATH_TABLES).fetchall()
    for table, index in indexes:
        db.execute(f'SELECT count(*) FROM "{table}" INDEXED BY "{index}"').fetchone()
    return time.perf_counter() - start


def measure(paths: dict[int, Path], add: int = ADD, rounds: int = ROUNDS, seed: int = 7) -> dict[int, list[Round]]:
    """Per size: the cold round, then the warm rounds."""
    pool = big_archive.make_pool(seed, big_archive.pool_size(max(paths)))
    archives = {size: Archive.open(path) for size, path in paths.items()}
    runs = {size: archive.start_run("bench") for size, archive in archives.items()}
    first = max(paths) + 1_000_000  # past every archive's articles
    warm = settings.ARCHIVE_BATCH_SIZE
    new = _new_pages(pool, first, warm + (1 + rounds) * add, seed)
    figures: dict[int, list[Round]] = {size: [] for size in paths}
    for size, archive in archives.items():
        _add(archive, runs[size], new[:warm])
    for round_ in range(1 + rounds):
        if round_ == 1:
            for size, archive in archives.items():
                print(f"  {size:,} articles: indexes read in {warm_indexes(archive):.1f} s", flush=True)
        pages = new[warm + round_ * add:warm + (round_ + 1) * add]
        for size, archive in archives.items():  # the same new articles at every size
            figures[size].append(_add(archive, runs[size], pages))
    for archive in archives.values():
        archive.close()
    return figures


def report(paths: dict[int, Path], figures: dict[int, list[Round]], add: int) -> float:
    """Print the table; return the ratio of median CPU per article on the warm archives, largest size against
    smallest."""
    memory = _memory_gb()
    rows = []
    for size, (cold, *rounds) in sorted(figures.items()):
        gb = sum(p.stat().st_size for p in paths[size].parent.glob(paths[size].name + "*")) / 1e9
        rows.append([f"{size:,}", f"{gb:.2f}" + (" (> RAM)" if gb > memory else ""), _ms(cold.cpu),
                     _ms(cold.system), _ms(min(r.cpu for r in rounds)), _ms(_median(rounds, "cpu")),
                     _ms(_median(rounds, "system")), _ms(_median(rounds, "wall"))])
    print_table(f"Adding an article (write_batch of {settings.ARCHIVE_BATCH_SIZE}, search and near-duplicate "
                f"entries, run totals): {add} new articles per size and round; a cold round, then "
                f"{len(next(iter(figures.values()))) - 1} warm",
                ["archived articles", "file GB", "cold CPU ms", "of which system", "warm CPU ms min",
                 "warm CPU ms median", "of which system", "warm wall ms median"], rows)
    smallest, largest = min(figures), max(figures)
    ratio = _median(figures[largest][1:], "cpu") / _median(figures[smallest][1:], "cpu")
    cold = figures[largest][0].cpu / figures[smallest][0].cpu
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"CPU per article at {largest:,} / at {smallest:,}, warm: {ratio:.2f}× ({verdict} the {TARGET}× target); "
          f"cold: {cold:.2f}×; the machine has {memory:.0f} GB of memory", flush=True)
    return ratio


def _median(rounds: list[Round], field: str) -> float:
    return statistics.median(getattr(r, field) for r in rounds)


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.2f}"


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
