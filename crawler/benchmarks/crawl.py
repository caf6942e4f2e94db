"""`python -m crawler bench`: end-to-end crawl speed against extraction-only speed, measured in one run.

The generated portal is served by a replica process of its own (the crawler keeps its core to itself);
the crawl runs as `python -m crawler crawl` in a child process, so its peak memory is measured alone.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import trafilatura

from crawler.extraction import extract_page
from crawler.extraction.decode import decode_html
from crawler.portals import load_portals
from crawler.tables import print_table
from replica.generated import HOST, GeneratedPortal, article_html, article_path
from storage import Archive

EXTRACT_SAMPLE = 300  # pages timed for the extraction-only rates
FAST_CRAWL = {  # loopback needs no politeness: measure the crawler, not the delays
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "WARNING",
}


def _extraction_rates(portal_file: Path, sample: int) -> tuple[float, float]:
    options = load_portals(portal_file)["bench"].extract_options()
    pages = [(f"http://{HOST}{article_path(n)}", article_html(n).encode("gb18030")) for n in range(sample)]
    start = time.perf_counter()
    for _, body in pages:
        trafilatura.extract(decode_html(body).text, with_metadata=True)
    plain = sample / (time.perf_counter() - start)
    start = time.perf_counter()
    for url, body in pages:
        extract_page(body, url, options=options)
    ours = sample / (time.perf_counter() - start)
    return plain, ours


def _start_replica(articles: int) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "replica", "--port", "0", "--generated", str(articles)],
        stdout=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline()
    return proc, line.split()[3]


def _crawl(db: Path, portal_file: Path, replica_url: str, processes: int = -1) -> float:
    overrides = {**FAST_CRAWL, "PORTALS_FILE": str(portal_file), "REPLICA_URL": replica_url,
                 "EXTRACT_PROCESSES": str(processes)}
    command = [sys.executable, "-m", "crawler", "crawl", "bench", "--db", str(db)]
    for name, value in overrides.items():
        command += ["--set", f"{name}={value}"]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(articles: int = 2000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        portal_file = Path(tmp, "portals.toml")
        portal_file.write_text(GeneratedPortal(articles).portal_toml(), "utf-8")
        db = Path(tmp, "bench.db")
        sample = min(EXTRACT_SAMPLE, articles)
        print(f"timing extraction on {sample} pages ...", flush=True)
        plain_rate, our_rate = _extraction_rates(portal_file, sample)
        replica, url = _start_replica(articles)
        try:
            print(f"crawling {articles} articles from {url} ...", flush=True)
            first = _crawl(db, portal_file, url)
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print("crawling again (nothing new) ...", flush=True)
            second = _crawl(db, portal_file, url)
            print(f"crawling {articles} articles with extraction in the crawl's own process ...", flush=True)
            single = _crawl(Path(tmp, "single.db"), portal_file, url, processes=0)
        finally:
            replica.terminate()
            replica.wait()
        archive = Archive.open(db)
        stored = archive.db["articles"].count
        first_run, second_run = [
            (datetime.fromisoformat(r["finished"]) - datetime.fromisoformat(r["started"])).total_seconds()
            for r in archive.db["runs"].rows_where(order_by="id")]
        archive.close()
    end_to_end = stored / first
    print_table(
        f"Benchmark: {articles} generated articles, {stored} archived",
        ["measure", "pages/s", "× trafilatura-only"],
        [
            ["trafilatura only (extract, with metadata)", f"{plain_rate:.1f}", "1.00"],
            ["our extraction only", f"{our_rate:.1f}", f"{our_rate / plain_rate:.2f}"],
            ["end-to-end crawl (fetch, extract, archive)", f"{end_to_end:.1f}", f"{end_to_end / plain_rate:.2f}"],
            ["end-to-end, extraction in the crawl's process", f"{stored / single:.1f}",
             f"{stored / single / plain_rate:.2f}"],
        ],
    )
    print(f"extraction pool / in-process crawl: {single / first:.2f}× faster")
    print(f"end-to-end / our extraction only: {end_to_end / our_rate:.2f}")
    print(f"crawl wall time {first:.1f} s; re-crawl with nothing new {second:.1f} s "
          f"({second / first:.0%} of the first, process start-up included)")
    second_text = f"{second_run:.0f} s" if second_run >= 1 else "under 1 s"
    print(f"crawl run (engine start to close, from runs, whole seconds): {first_run:.0f} s; re-crawl run "
          f"{second_text}")
    print(f"peak memory of the crawl process: {peak_mb:.0f} MB")
