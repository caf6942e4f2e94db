"""What servers send besides pages, met in one real crawl of the replica: gzipped sitemaps (a good one, a
gzip bomb, a broken file).

The replica is a fresh one for this module: some of its routes answer differently the first time.
"""

from __future__ import annotations

import sqlite3

import pytest

from replica.server import ReplicaServer, Site
from storage.dedup import url_hash
from tests.conftest import ROOT, Crawl

# Portals of this test only, beside the shipped ones: sitemaps no real portal lists.
TEST_PORTALS = r"""
[portals.cnnb_bad_sitemaps]
allowed_domains = ["news.cnnb.com.cn"]
sitemaps = ["http://news.cnnb.com.cn/sitemap-bomb.xml.gz", "http://news.cnnb.com.cn/sitemap-broken.xml.gz"]
article_patterns = ['^/system/\d{4}/\d{2}/\d{2}/\d+\.shtml$']
"""
GZ_ARTICLE = "http://news.cnnb.com.cn/system/2022/03/18/030345678.shtml"  # listed by sitemap.xml.gz alone


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server-answers")
    portals = folder / "portals.toml"
    portals.write_text((ROOT / "crawler" / "portals.toml").read_text("utf-8") + TEST_PORTALS, "utf-8")
    with ReplicaServer(Site()) as server:
        result = Crawl(server.url, folder / "archive.db", ("cnnb", "cnnb_bad_sitemaps"),
                       {"PORTALS_FILE": portals}).run()
    conn = sqlite3.connect(folder / "archive.db")
    conn.row_factory = sqlite3.Row
    yield conn, result, server.timed_requests
    conn.close()


def page(conn, url):
    return conn.execute("SELECT * FROM pages WHERE url_hash = ? ORDER BY id DESC", [url_hash(url)]).fetchone()


def test_the_crawl_ends_without_a_traceback(crawled):
    _, result, _ = crawled
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def test_a_gzipped_sitemaps_articles_are_archived(crawled):
    conn = crawled[0]
    assert page(conn, "http://news.cnnb.com.cn/sitemap.xml.gz")["outcome"] == "list"
    article = conn.execute("SELECT title FROM articles WHERE url_hash = ?", [url_hash(GZ_ARTICLE)]).fetchone()
    assert article is not None and article["title"] == "北仑警方捣毁一个跨境网络赌博团伙 涉案资金逾两亿元"


def test_a_gzip_bomb_stops_at_download_maxsize_and_is_recorded(crawled):
    row = page(crawled[0], "http://news.cnnb.com.cn/sitemap-bomb.xml.gz")
    assert row["outcome"] == "error"
    assert row["reason"] == "sitemap: larger than DOWNLOAD_MAXSIZE (33554432 bytes) once decompressed"


def test_a_broken_gzip_file_is_recorded_with_why(crawled):
    row = page(crawled[0], "http://news.cnnb.com.cn/sitemap-broken.xml.gz")
    assert row["outcome"] == "error"
    assert row["reason"].startswith("sitemap: broken gzip file (Compressed file ended")
