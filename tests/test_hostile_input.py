"""Hostile input: one crawl of the real engine over a portal whose every article misbehaves in its own way.

Every case must end as a recorded outcome with a reason; the log holds no traceback; no request goes anywhere
but the portal's host (over 127.0.0.1); memory stays bounded even for bombs.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Crawl
from tests.hostile_server import CASES, HOST, MAXSIZE, PORTAL_TOML, TIMEOUT, HostileServer

PEAK_MEMORY_MB = 400


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    portals = folder / "portals.toml"
    portals.write_text(PORTAL_TOML, "utf-8")
    db = folder / "archive.db"
    with HostileServer() as server:
        settings = {"PORTALS_FILE": str(portals), "DOWNLOAD_TIMEOUT": str(TIMEOUT),
                    "DOWNLOAD_MAXSIZE": str(MAXSIZE), "DOWNLOAD_WARNSIZE": str(MAXSIZE // 2),
                    "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "LOG_LEVEL": "INFO"}
        done = Crawl(server.url, db, ("hostile",), settings).run(timeout=180)
        requests = list(server.requests)
    conn = sqlite3.connect(db)
    pages = {}
    for url, outcome, reason in conn.execute("SELECT url, outcome, reason FROM pages ORDER BY id"):
        pages[url] = (outcome, reason)
    run = conn.execute("SELECT outcome, reason FROM runs").fetchone()
    titles = dict(conn.execute("SELECT p.url, a.title FROM pages p JOIN articles a ON a.id = p.article_id"))
    conn.close()
    return done, pages, requests, run, titles


def test_the_crawl_ends_without_a_traceback(hostile_crawl):
    done, _, _, run, _ = hostile_crawl
    assert "Traceback" not in done.stderr, done.stderr[-5000:]
    assert run[0] == "finished", run
    assert done.returncode == 0


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_case_is_recorded_with_its_outcome_and_reason(hostile_crawl, case):
    _, pages, _, _, _ = hostile_crawl
    url = f"http://{HOST}/case/{case}.html"
    assert url in pages, f"{case}: no outcome recorded"
    outcome, reason = pages[url]
    expected = CASES[case][1]
    if expected is not None:
        assert outcome == expected, (case, outcome, reason)
    if outcome != "article":
        assert reason, f"{case}: {outcome} without a reason"
        # one line a person reads, the same for every page that failed alike: no reprs, no loopback address
        assert not re.search(r"twisted|Failure|<|127\.0\.0\.1|\n", reason), (case, reason)


def test_no_request_leaves_the_portal(hostile_crawl):
    _, _, requests, _, _ = hostile_crawl
    assert requests and {host for host, _ in requests} == {HOST}


def test_memory_stays_bounded_through_bombs_and_huge_pages(hostile_crawl):
    done, _, _, _, _ = hostile_crawl
    # the crawl's own peak (VmHWM): Scrapy's memusage/max is ru_maxrss, which starts at pytest's size
    peak = re.search(r"'memusage/peak_rss': (\d+)", done.stderr)
    assert peak, "the crawl's stats show no memusage/peak_rss"
    assert int(peak.group(1)) < PEAK_MEMORY_MB * 1024 * 1024


@pytest.mark.parametrize("case, title", [
    ("charset-missing-gbk", "省公安厅通报一起诈骗案件"),
    ("charset-lies-utf8-is-gbk", "省公安厅通报一起诈骗案件"),
    ("big5-declared-gb2312", "警察局破獲詐騙集團"),
    ("utf16-bom", "民警调解邻里纠纷"),
])
def test_pages_that_lie_about_their_charset_are_read_right(hostile_crawl, case, title):
    *_, titles = hostile_crawl
    assert titles.get(f"http://{HOST}/case/{case}.html") == title
