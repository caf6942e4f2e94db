"""A crawl's own process starts light: the modules only the extraction workers, other commands or a Redis frontier
need are not imported by `python -m crawler crawl`, so a re-crawl with nothing new costs Scrapy's start-up, not
ours. Read from the real crawl process's `-X importtime` report, so a new eager import anywhere on the crawl's
path fails here."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT, Crawl, _env

# Imported in the extraction workers (trafilatura, lxml's cleaner, numpy for MinHash), by other commands
# (inference, evaluation), or with FRONTIER=redis only; datasketch is the tests' reference MinHash only.
HEAVY = ("trafilatura", "lxml_html_clean", "lxml.html.clean", "numpy", "datasketch", "crawler.extraction.extract",
         "crawler.inference", "crawler.evaluation", "scrapy_redis", "redis", "aiohttp", "dateparser", "htmldate")


def imported(report: str) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in report.splitlines() if line.startswith("import time:")}


def test_a_crawl_with_nothing_new_imports_none_of_the_heavy_modules(replica, generated_portals, tmp_path):
    crawl = Crawl(replica.url, tmp_path / "a.db", ("bench",), {"PORTALS_FILE": generated_portals})
    assert crawl.run().returncode == 0
    command = crawl.command()
    again = subprocess.run([command[0], "-X", "importtime", *command[1:]], cwd=ROOT, capture_output=True, text=True,
                           timeout=120, env=_env())
    assert again.returncode == 0, again.stderr[-2000:]
    modules = imported(again.stderr)
    assert "scrapy.crawler" in modules  # the report is the crawl's
    heavy = sorted(h for h in HEAVY if any(m == h or m.startswith(f"{h}.") for m in modules))
    assert not heavy, f"the crawl's process imported {heavy}: import them where they are used"
