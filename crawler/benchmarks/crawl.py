"""`python -m crawler bench crawl`: what a whole crawl costs beside extraction alone, on two kinds of pages.

- portal-rule pages: a generated TRS portal (GB18030, full chrome) whose body the portal's selector finds;
- real pages, no rules: the Chinese article pages of `../shared/corpora`, served several times each by a portal
  with no rules of its own, so every page goes through trafilatura (skipped, with a line, without the corpora).

Extraction alone is timed in this process on one core, warm (each extractor has run before the clock starts),
the two extractors interleaved page by page so the machine's noise hits both alike, in CPU time. Each crawl runs
as `python -m crawler crawl` in a child process, once with the extraction pool and once with extraction in the
crawl's own process, against a replica in a process of its own; the CPU time and peak memory (VmHWM) of every
process of the crawl (the crawl, the pool's server, each worker) are read from /proc while it runs.

A re-crawl that finds nothing new is timed both ways the scheduler can start a run (crawler.scheduling.launcher):
as a new Python process, and forked from the scheduler's warm template; the figure is the crawl process's own
CPU time when its pipeline closes (process_time: since exec for the one, since the fork for the other), the
median of a few interleaved runs.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura

from crawler.extraction import extract_page
from crawler.extraction.decode import decode_html
from crawler.evaluation.corpora import SHARED_CORPORA
from crawler.extraction_pool import pool_size
from crawler.portals import load_portals
from crawler.processes import descendants, peak_rss_bytes
from crawler.scheduling.launcher import Launcher
from crawler.tables import print_table
from storage import cpu_stages
from replica.generated import HOST, GeneratedPortal, article_html, article_path
from storage import Archive

ARTICLES = 2000  # generated portal size
EXTRACT_SAMPLE = 300  # generated pages timed for the extraction-only rates
REAL_COPIES = 5  # each real page is served this many times, under its own URL
WARM_PAGES = 20
FAST_CRAWL = {  # loopback needs no politeness: measure the crawler, not the delays
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "WARNING",
}
TICKS = os.sysconf("SC_CLK_TCK")  # /proc CPU times are in clock ticks (USER_HZ)
RECRAWLS = 5  # re-crawls with nothing new, per way of starting one
START_TARGET = 0.5  # issue 12: CPU seconds of a crawl process with nothing to do


@dataclass
class Kind:
    """One kind of page: how the replica serves it, and a sample for the extraction-only timing."""

    title: str
    portal: str
    toml: str
    articles: int
    replica_args: list[str]
    sample: list[tuple[str, bytes]]


@dataclass
class CrawlFigures:
    wall: float
    cpu: float  # seconds, every process of the crawl
    peak_mb: dict[str, float] = field(default_factory=dict)  # role -> VmHWM, the largest of that role
    stages: dict[str, dict[str, float]] = field(default_factory=dict)  # role -> stage -> CPU s (cpu_stages)


def _generated(articles: int) -> Kind:
    sample = [(f"http://{HOST}{article_path(n)}", article_html(n).encode("gb18030"))
              for n in range(min(EXTRACT_SAMPLE, articles))]
    return Kind("portal-rule pages (generated TRS portal)", "bench", GeneratedPortal(articles).portal_toml(),
                articles, ["--generated", str(articles)], sample)


def _real(corpora: Path) -> Kind | None:
    from replica.corpus import HOST as REAL_HOST
    from replica.corpus import CorpusPortal, article_path as real_path, chinese_article_pages

    if not (corpora / "index.jsonl").exists():
        print(f"no shared corpora at {corpora}: the real-page measurements are skipped", flush=True)
        return None
    pages = chinese_article_pages(corpora)
    portal = CorpusPortal(pages, REAL_COPIES)
    sample = [(f"http://{REAL_HOST}{real_path(n)}", body) for n, body in enumerate(pages)]
    return Kind(f"real pages, no portal rules ({len(pages)} Chinese corpus pages × {REAL_COPIES})", "real",
                portal.portal_toml(), portal.articles,
                ["--corpus", str(corpora), "--copies", str(REAL_COPIES)], sample)


def _extraction_cpu(kind: Kind, portal_file: Path) -> tuple[float, float]:
    """CPU ms per page of trafilatura alone and of our extraction alone, warm and interleaved."""
    options = load_portals(portal_file)[kind.portal].extract_options()

    def plain(body: bytes) -> None:
        trafilatura.extract(decode_html(body).text, with_metadata=True)

    def ours(url: str, body: bytes) -> None:
        extract_page(body, url, options=options)

    for url, body in kind.sample[:WARM_PAGES]:
        plain(body)
        ours(url, body)
    plain_cpu = ours_cpu = 0.0
    for url, body in kind.sample:
        start = time.process_time()
        plain(body)
        middle = time.process_time()
        ours(url, body)
        plain_cpu += middle - start
        ours_cpu += time.process_time() - middle
    n = len(kind.sample)
    return 1000 * plain_cpu / n, 1000 * ours_cpu / n


def _start_replica(args: list[str]) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "replica", "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    return proc, line.split()[3]


def _sample(pid: int, crawl: int) -> tuple[float, float, str] | None:
    """(CPU seconds, peak RSS MB, role) of one live process of the crawl `crawl`."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    cpu = (int(fields[11]) + int(fields[12])) / TICKS
    peak = (peak_rss_bytes(pid) or 0) / 2**20
    if pid == crawl:
        role = "crawl"
    elif b"resource_tracker" in cmdline:
        role = "resource tracker"
    else:  # workers are forked from the pool's server, the crawl's child
        role = "pool server" if int(fields[1]) == crawl else "worker"
    return cpu, peak, role


def _crawl(db: Path, portal_file: Path, portal: str, replica_url: str, processes: int) -> CrawlFigures:
    stages_file = db.with_name(f"{db.stem}-{processes}-{time.monotonic_ns()}.stages")
    overrides = {**FAST_CRAWL, "PORTALS_FILE": str(portal_file), "REPLICA_URL": replica_url,
                 "EXTRACT_PROCESSES": str(processes), "CPU_STAGES_FILE": str(stages_file)}
    command = [sys.executable, "-m", "crawler", "crawl", portal, "--db", str(db)]
    for name, value in overrides.items():
        command += ["--set", f"{name}={value}"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    seen: dict[int, tuple[float, float, str]] = {}
    while proc.poll() is None:
        for pid in [proc.pid, *descendants(proc.pid)]:
            sample = _sample(pid, proc.pid)
            if sample:  # a process that has exited but not been reaped reports no memory: keep the largest seen
                before = seen.get(pid, (0.0, 0.0, sample[2]))
                seen[pid] = (max(before[0], sample[0]), max(before[1], sample[1]), sample[2])
        time.sleep(0.1)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"the benchmark crawl of {portal} failed (exit {proc.returncode})")
    peaks: dict[str, float] = {}
    for _, peak, role in seen.values():
        peaks[role] = max(peaks.get(role, 0.0), peak)
    return CrawlFigures(wall, sum(cpu for cpu, _, _ in seen.values()), peaks, cpu_stages.load(stages_file))


def _stage_rows(runs: dict[str, CrawlFigures], pages: int) -> list[list[str]]:
    """CPU ms per page by stage, one column per crawl; what no stage claimed is the crawl's rest (Scrapy, the
    reactor, start-up, handing pages to the workers) and the workers' rest (receiving and returning pages)."""
    rows = []
    for name in (*cpu_stages.STAGES, "crawl: Scrapy, reactor, start-up, rest", "workers: passing pages, rest"):
        cells = []
        for figures in runs.values():
            if name.startswith(("crawl:", "workers:")):
                role = figures.stages.get("crawl" if name.startswith("crawl:") else "worker", {})
                seconds = role.get("total", 0.0) - sum(role.get(stage, 0.0) for stage in cpu_stages.STAGES)
            else:
                seconds = sum(role.get(name, 0.0) for role in figures.stages.values())
            cells.append(f"{1000 * seconds / pages:.2f}")
        rows.append([name, *cells])
    unmeasured = [f.cpu - sum(role.get("total", 0.0) for role in f.stages.values()) for f in runs.values()]
    rows.append(["pool server (its start-up), unmeasured", *(f"{1000 * max(0.0, s) / pages:.2f}" for s in unmeasured)])
    rows.append(["all processes (from /proc)", *(f"{1000 * f.cpu / pages:.2f}" for f in runs.values())])
    return rows


def _measure(kind: Kind, folder: Path, start: Path | None = None) -> None:
    portal_file = folder / f"{kind.portal}.toml"
    portal_file.write_text(kind.toml, "utf-8")
    if start:  # every crawl of this kind starts from its own copy of the pre-filled archive
        for name in ("pool", "single"):
            shutil.copyfile(start, folder / f"{kind.portal}-{name}.db")
    print(f"{kind.title}: timing extraction alone on {len(kind.sample)} pages ...", flush=True)
    plain_ms, ours_ms = _extraction_cpu(kind, portal_file)
    replica, url = _start_replica(kind.replica_args)
    try:
        print(f"{kind.title}: crawling {kind.articles} articles with the extraction pool, then without ...",
              flush=True)
        pooled = _crawl(folder / f"{kind.portal}-pool.db", portal_file, kind.portal, url, -1)
        single = _crawl(folder / f"{kind.portal}-single.db", portal_file, kind.portal, url, 0)
        again = _crawl(folder / f"{kind.portal}-pool.db", portal_file, kind.portal, url, -1)
        cold, warm = _recrawl_cpu(folder / f"{kind.portal}-pool.db", portal_file, kind.portal, url)
    finally:
        replica.terminate()
        replica.wait()
    archive = Archive.open(folder / f"{kind.portal}-pool.db")
    stored = archive.db["pages"].count_where(  # the first crawl's pages: a pre-filled archive has runs of its own
        "outcome != 'list' AND run_id = (SELECT min(id) FROM runs WHERE portal = ?)", [kind.portal])
    lists, links = archive.db.execute(  # what the last re-crawl went through: the crawl's own work, not start-up
        "SELECT list_pages, article_links FROM runs WHERE portal = ? ORDER BY id DESC LIMIT 1", [kind.portal]).fetchone()
    archive.close()
    plain_rate, ours_rate = 1000 / plain_ms, 1000 / ours_ms
    baseline, baseline_name = ((plain_rate, "trafilatura alone") if kind.portal == "real"
                               else (ours_rate, "our extraction alone"))
    rows = [["trafilatura alone, one core", f"{plain_rate:.1f}", f"{plain_ms:.1f}", f"{plain_rate / baseline:.2f}"],
            ["our extraction alone, one core", f"{ours_rate:.1f}", f"{ours_ms:.1f}", f"{ours_rate / baseline:.2f}"]]
    for label, figures in ((f"crawl, extraction pool ({pool_size(-1)} workers)", pooled),
                           ("crawl, extraction in the crawl's process", single)):
        rate = stored / figures.wall
        rows.append([label, f"{rate:.1f}", f"{1000 * figures.cpu / stored:.1f}", f"{rate / baseline:.2f}"])
    print_table(f"{kind.title}: {stored} pages crawled; ratios against {baseline_name}",
                ["measure", "pages/s (wall)", "CPU ms/page (all processes)", f"× {baseline_name}"], rows)
    print(f"  pool / in-process crawl: {single.wall / pooled.wall:.2f}× the pages per second")
    print_table(f"{kind.title}: CPU ms per page by stage", ["stage", "crawl with pool", "crawl in-process"],
                _stage_rows({"pool": pooled, "single": single}, stored))
    print("  peak memory, largest process of each role: "
          + "; ".join(f"{role} {mb:.0f} MB" for role, mb in sorted(pooled.peak_mb.items())))
    print(f"  re-crawl with nothing new: {again.wall:.1f} s wall, {again.cpu:.2f} s CPU, all processes, start-up "
          "included")
    print(f"  re-crawl with nothing new ({lists} list pages read, {links} known article links checked), the crawl "
          f"process's CPU (median of {RECRAWLS}): {cold:.2f} s as a new process, {warm:.2f} s forked from the "
          f"scheduler's template ({cold / warm:.1f}× less; target {START_TARGET} s: "
          f"{'met' if warm <= START_TARGET else 'missed'})")


def _recrawl_cpu(db: Path, portal_file: Path, portal: str, replica_url: str) -> tuple[float, float]:
    """Median CPU seconds of the crawl process of a re-crawl with nothing new: started new, started warm."""
    launchers = {"cold": Launcher(cold=True), "warm": Launcher()}
    launchers["warm"].warm_up()
    figures: dict[str, list[float]] = {name: [] for name in launchers}
    for round_ in range(RECRAWLS):
        for name, launcher in launchers.items():
            stages_file = db.with_name(f"{db.stem}-{name}-{round_}.stages")
            argv = ["crawl", portal, "--db", str(db)]
            settings = {**FAST_CRAWL, "PORTALS_FILE": str(portal_file), "REPLICA_URL": replica_url,
                        "CPU_STAGES_FILE": str(stages_file)}
            for key, value in settings.items():
                argv += ["--set", f"{key}={value}"]
            job = launcher.start(argv, db.with_name(f"{db.stem}-{name}.log"))
            while (code := job.poll()) is None:
                time.sleep(0.05)
            if code != 0:
                raise SystemExit(f"the benchmark's re-crawl of {portal} ({name} start) failed (exit {code})")
            figures[name].append(cpu_stages.load(stages_file)["crawl"]["total"])
    return statistics.median(figures["cold"]), statistics.median(figures["warm"])


def main(articles: int = ARTICLES, prefill: int = 0, cache: Path | None = None) -> None:
    """`prefill`: each crawl starts from an archive already holding that many generated articles (bulk-built)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = _prefilled(prefill, folder, cache) if prefill else None
        for kind in (_generated(articles), _real(SHARED_CORPORA)):
            if kind is not None:
                _measure(kind, folder, start)


def _prefilled(articles: int, folder: Path, cache: Path | None) -> Path:
    from crawler.benchmarks import big_archive

    print(f"pre-filling the archive with {articles:,} generated articles ...", flush=True)
    if cache:
        return big_archive.cached(cache, [articles])[0][articles]
    built = big_archive.build(folder / "prefilled.db", articles)
    print(f"  built in {built.seconds:.0f} s: {built.rate:,.0f} articles/s", flush=True)
    return built.path
