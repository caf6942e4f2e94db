"""What servers send besides pages, met in one real crawl of the replica: gzipped sitemaps (a good one, a
gzip bomb, a broken file), Retry-After (a short wait honoured, a long one recorded) and a robots.txt that
answers 500 (nothing else asked of that host).

The replica is a fresh one for this module: some of its routes answer differently the first time.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.middlewares import retry_after_seconds
from crawler.scheduling.health import FAILING, HealthRules, assess
from replica.server import ReplicaServer, Site
from storage.dedup import url_hash
from tests.conftest import ROOT, Crawl

# Portals of this test only, beside the shipped ones: they reach routes no shipped portal does (robots_slow and
# robots_missing: the robots_server below).
TEST_PORTALS = r"""
[portals.cnnb_bad_sitemaps]
allowed_domains = ["news.cnnb.com.cn"]
sitemaps = ["http://news.cnnb.com.cn/sitemap-bomb.xml.gz", "http://news.cnnb.com.cn/sitemap-broken.xml.gz"]
article_patterns = ['^/system/\d{4}/\d{2}/\d{2}/\d+\.shtml$']

[portals.robots_down]
allowed_domains = ["robots-down.police.test"]
start_urls = ["http://robots-down.police.test/news/index.html"]
article_patterns = ['^/news/\d{4}/\d{4}/\d+\.html$']

[portals.robots_slow]
allowed_domains = ["robots-slow.police.test"]
start_urls = ["http://robots-slow.police.test/news/index.html"]
article_patterns = ['^/news/\d+\.html$']

[portals.robots_missing]
allowed_domains = ["robots-missing.police.test"]
start_urls = ["http://robots-missing.police.test/news/index.html"]
article_patterns = ['^/news/\d+\.html$']

[portals.cnnb_down_a_minute]
allowed_domains = ["news.cnnb.com.cn"]
start_urls = ["http://news.cnnb.com.cn/nbnews/gd/index.shtml"]
article_patterns = ['^/system/\d{4}/\d{2}/\d{2}/\d+\.shtml$']
"""
GZ_ARTICLE = "http://news.cnnb.com.cn/system/2022/03/18/030345678.shtml"  # listed by sitemap.xml.gz alone
RETRY_AFTER_1 = "/sdnews/201512/t20151215_13550268.htm"  # 503 + Retry-After: 1 the first time, then the page
RETRY_AFTER_3600 = "/sdnews/201304/t20130410_8234567.html"  # 503 + Retry-After: 3600 always


def write_portals(folder: Path) -> Path:
    portals = folder / "portals.toml"
    portals.write_text((ROOT / "crawler" / "portals.toml").read_text("utf-8") + TEST_PORTALS, "utf-8")
    return portals


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server-answers")
    with ReplicaServer(Site()) as server:
        result = Crawl(server.url, folder / "archive.db", ("cnnb", "cnnb_bad_sitemaps", "dazhong", "robots_down"),
                       {"PORTALS_FILE": write_portals(folder)}).run()
    conn = sqlite3.connect(folder / "archive.db")
    conn.row_factory = sqlite3.Row
    yield conn, result, server.timed_requests
    conn.close()


def page(conn, url):
    return conn.execute("SELECT * FROM pages WHERE url_hash = ? ORDER BY id DESC", [url_hash(url)]).fetchone()


def test_the_crawl_ends_without_a_traceback(crawled):
    conn, result, _ = crawled
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    # only the portals that could fetch nothing (robots.txt fails; both sitemaps broken) failed: exit 1
    outcomes = {r["portal"]: r["outcome"] for r in conn.execute("SELECT portal, outcome FROM runs")}
    assert {p for p, o in outcomes.items() if o != "finished"} == {"robots_down", "cnnb_bad_sitemaps"}
    assert result.returncode == 1, result.stderr[-3000:]


def test_a_gzipped_sitemaps_articles_are_archived(crawled):
    conn = crawled[0]
    assert page(conn, "http://news.cnnb.com.cn/sitemap.xml.gz")["outcome"] == "list"
    article = conn.execute("SELECT title FROM articles WHERE url_hash = ?", [url_hash(GZ_ARTICLE)]).fetchone()
    assert article is not None
    assert article["title"] == "北仑警方捣毁一个跨境网络赌博团伙 涉案资金逾两亿元"


def test_a_gzip_bomb_stops_at_download_maxsize_and_is_recorded(crawled):
    row = page(crawled[0], "http://news.cnnb.com.cn/sitemap-bomb.xml.gz")
    assert row["outcome"] == "error"
    assert row["reason"] == "sitemap: larger than DOWNLOAD_MAXSIZE (33554432 bytes) once decompressed"


def test_a_broken_gzip_file_is_recorded_with_why(crawled):
    row = page(crawled[0], "http://news.cnnb.com.cn/sitemap-broken.xml.gz")
    assert row["outcome"] == "error"
    assert row["reason"].startswith("sitemap: broken gzip file (Compressed file ended")


def requested_at(timed_requests, path):
    return [when for when, _, p in timed_requests if p == path]


def test_a_503_with_retry_after_is_retried_once_the_wait_is_over(crawled):
    conn, _, timed_requests = crawled
    first, second = requested_at(timed_requests, RETRY_AFTER_1)
    assert second - first >= 1.0
    article = conn.execute("SELECT title FROM articles WHERE url_hash = ?",
                           [url_hash("http://sd.dzwww.com" + RETRY_AFTER_1)]).fetchone()
    assert article is not None and article["title"] == "青岛警方赴云南抓获潜逃19年逃犯"


def test_a_retry_after_beyond_retry_after_max_is_not_waited_for_and_is_recorded(crawled):
    conn, _, timed_requests = crawled
    assert len(requested_at(timed_requests, RETRY_AFTER_3600)) == 1
    row = page(conn, "http://sd.dzwww.com" + RETRY_AFTER_3600)
    assert row["outcome"] == "error" and row["http_status"] == 503
    assert row["reason"] == "server asked to retry after 3600 s, more than RETRY_AFTER_MAX (120 s)"


def test_a_host_whose_robots_txt_answers_500_is_asked_nothing_else_and_the_run_says_why(crawled):
    conn, _, timed_requests = crawled
    asked = {path for _, host, path in timed_requests if host == "robots-down.police.test"}
    assert asked == {"/robots.txt"}
    row = page(conn, "http://robots-down.police.test/news/index.html")
    assert row["outcome"] == "error" and row["http_status"] is None
    assert row["reason"] == ("robots.txt unreachable (http 500): "
                             "nothing is fetched from robots-down.police.test this run")
    run = conn.execute("SELECT * FROM runs WHERE portal = 'robots_down'").fetchone()
    assert (run["outcome"], run["pages"], run["errors"]) == ("failed", 1, 1)  # not one page could be fetched
    assert run["reason"] == f"no page of robots_down could be fetched: {row['reason']}"
    health = assess([dict(run)], HealthRules(), datetime.now(timezone.utc), None)
    assert health.level == FAILING, "status shows the portal failing while its robots.txt fails"


def test_a_crawl_stopped_while_it_waits_out_a_retry_after_ends_at_once_and_records_why(tmp_path):
    url = "http://news.cnnb.com.cn/nbnews/gd/index.shtml"  # 503 + Retry-After: 60, under RETRY_AFTER_MAX
    with ReplicaServer(Site()) as server:
        process = Crawl(server.url, tmp_path / "archive.db", ("cnnb_down_a_minute",),
                        {"PORTALS_FILE": write_portals(tmp_path)}).start()
        deadline = time.monotonic() + 60
        while not requested_at(server.timed_requests, "/nbnews/gd/index.shtml") and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # the answer reaches the retry middleware, which starts waiting
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("the crawl waited out the retry instead of stopping")
    with sqlite3.connect(tmp_path / "archive.db") as conn:
        conn.row_factory = sqlite3.Row
        row = page(conn, url)
    assert row["outcome"] == "error"
    assert row["reason"] == "list page: server asked to retry after 60 s; the crawl stopped before then"


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"120", now) == 120
    assert retry_after_seconds(b"Mon, 30 Nov 2026 12:01:30 GMT", now) == 90
    assert retry_after_seconds(b"Mon, 30 Nov 2026 11:00:00 GMT", now) == 0  # already past
    assert retry_after_seconds(b"soon", now) is None and retry_after_seconds(None, now) is None


@pytest.fixture
def robots_server():
    """A site on 127.0.0.1 whose robots.txt answers after 3 s on one host and 404 on the other; every request
    recorded as (host, path)."""
    asked: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            host = self.headers.get("Host", "").split(":")[0]
            asked.append((host, self.path))
            if self.path == "/robots.txt" and host.startswith("robots-slow"):
                time.sleep(3)
                body, status = b"User-agent: *\nAllow: /\n", 200
            elif self.path == "/robots.txt":
                body, status = b"not here", 404
            else:
                body, status = "<html><body><h1>警情通报</h1><p>民警提醒市民注意防范电信诈骗。</p></body></html>".encode(), 200
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the crawler gave up waiting
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", asked
    finally:
        server.shutdown()
        server.server_close()


def test_a_robots_txt_that_times_out_means_disallow_and_a_404_allow(robots_server, tmp_path):
    """RFC 9309: a robots.txt unreachable through a network error (here a timeout, after the retries) means complete
    disallow, as a server error does; a 4xx means there are no rules. The run records why nothing was fetched."""
    url, asked = robots_server
    db = tmp_path / "archive.db"
    result = Crawl(url, db, ("robots_slow", "robots_missing"),
                   {"PORTALS_FILE": write_portals(tmp_path), "DOWNLOAD_TIMEOUT": "1", "RETRY_TIMES": "1"}).run()
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert {path for host, path in asked if host == "robots-slow.police.test"} == {"/robots.txt"}
    assert ("robots-missing.police.test", "/news/index.html") in asked
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    why = ("robots.txt unreachable (timed out: no complete answer within 1 s): "
           "nothing is fetched from robots-slow.police.test this run")
    assert page(conn, "http://robots-slow.police.test/news/index.html")["reason"] == why
    runs = {r["portal"]: r for r in conn.execute("SELECT * FROM runs")}
    assert (runs["robots_slow"]["outcome"], runs["robots_slow"]["reason"]) == (
        "failed", f"no page of robots_slow could be fetched: {why}")
    assert runs["robots_missing"]["outcome"] == "finished", dict(runs["robots_missing"])
    assert page(conn, "http://robots-missing.police.test/news/index.html")["outcome"] == "list"
    assert result.returncode == 1
