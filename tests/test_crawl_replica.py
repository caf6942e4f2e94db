"""A real crawl of every portal of the replica, checked against the replica's truth files.

One crawl per module (the real Scrapy engine, HTTP over loopback, the SQLite file read back); each truth
line becomes its own test so a failure names the URL.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.portals import load_portals
from replica.server import SITE_DIR
from storage.dedup import url_hash
from tests.conftest import Crawl

TRUTH = [json.loads(line) for path in sorted(SITE_DIR.glob("*/_truth.jsonl"))
         for line in path.read_text("utf-8").splitlines() if line.strip()]
HOSTS = {p.name for p in SITE_DIR.iterdir() if p.is_dir()}


def by_outcome(*outcomes):
    return [pytest.param(t, id=t["url"]) for t in TRUTH if t["outcome"] in outcomes]


@pytest.fixture(scope="module")
def crawled(replica, tmp_path_factory):
    db = tmp_path_factory.mktemp("replica") / "archive.db"
    before = len(replica.requests)
    result = Crawl(replica.url, db).run(timeout=300)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield conn, replica.requests[before:], db, result
    conn.close()


def article_for(conn, url):
    """The article a URL produced, directly or as an alias of an earlier copy."""
    row = conn.execute("SELECT * FROM articles WHERE url_hash = ?", [url_hash(url)]).fetchone()
    if row:
        return row
    page = conn.execute("SELECT article_id FROM pages WHERE url_hash = ? AND article_id IS NOT NULL",
                        [url_hash(url)]).fetchone()
    return conn.execute("SELECT * FROM articles WHERE id = ?", [page[0]]).fetchone() if page else None


def test_the_crawl_ends_and_every_portal_has_a_finished_run(crawled):
    conn, _, _, result = crawled
    outcomes = dict(conn.execute("SELECT portal, outcome FROM runs").fetchall())
    assert outcomes == {p: "finished" for p, portal in load_portals().items() if portal.enabled}, result.stderr[-2000:]


@pytest.mark.parametrize("truth", by_outcome("article"))
def test_articles_are_archived_clean_with_their_metadata(crawled, truth):
    conn = crawled[0]
    article = article_for(conn, truth["url"])
    assert article is not None, "not archived"
    if truth.get("alias_of"):
        assert article["url_hash"] == url_hash(truth["alias_of"]) or article_for(conn, truth["alias_of"])["id"] == article["id"]
        return
    for field in ("title", "published", "source", "author"):
        if field in truth:
            assert article[field] == truth[field], field
    for sentence in truth.get("text_has", []):
        assert sentence in article["text"]
    for chrome in truth.get("text_lacks", []):
        assert chrome not in article["text"]


@pytest.mark.parametrize("truth", by_outcome("not_found", "not_article", "error", "list"))
def test_every_other_page_is_recorded_with_its_outcome_and_reason(crawled, truth):
    conn = crawled[0]
    row = conn.execute("SELECT outcome, reason FROM pages WHERE url_hash = ? ORDER BY id DESC",
                       [url_hash(truth["url"])]).fetchone()
    assert row is not None, "no page recorded"
    assert row["outcome"] == truth["outcome"], row["reason"]
    if truth.get("reason_has"):
        assert truth["reason_has"].lower() in (row["reason"] or "").lower()


@pytest.mark.parametrize("truth", by_outcome("never_requested"))
def test_off_domain_and_robots_disallowed_urls_are_never_requested(crawled, truth):
    parts = urlsplit(truth["url"])
    assert (parts.hostname, parts.path) not in {(h, p.split("?")[0]) for h, p in crawled[1]}


def test_nothing_outside_the_portals_is_requested(crawled):
    assert {host for host, _ in crawled[1]} <= HOSTS


def test_a_second_crawl_requests_no_article_again_and_adds_no_row(crawled, replica):
    conn, _, db, _ = crawled
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    before = len(replica.requests)
    Crawl(replica.url, db).run(timeout=300)
    archived = {urlsplit(r[0]).path for r in conn.execute(
        "SELECT url FROM pages WHERE outcome IN ('article', 'not_found', 'not_article')")}
    again = [path for _, path in replica.requests[before:] if path in archived]
    assert again == []
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == articles


def test_no_request_leaves_the_portals_domains_not_even_for_robots_txt(crawled):
    requests = crawled[1]
    assert requests, "the crawl asked nothing"
    assert not [host for host, _ in requests if host == "other-host.example"]


def first_runs(conn) -> dict[str, sqlite3.Row]:
    """Each portal's run of the module's crawl (a later test crawls again)."""
    return {r["portal"]: r for r in conn.execute(
        "SELECT * FROM runs WHERE id IN (SELECT min(id) FROM runs GROUP BY portal)")}


def test_the_readmes_demo_table_is_what_the_crawl_reports(crawled):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    demo = readme.split("## Offline demo", 1)[1].split("archive: data/demo.db", 1)[0]
    rows = [[cell.strip() for cell in line.strip("│").split("│")] for line in demo.splitlines()
            if line.startswith("│")]
    reported = {name: [run["outcome"], run["pages"], run["new_articles"], run["rechecked"], run["duplicates"],
                       sum(json.loads(run["rejections"]).values()), run["errors"]]
                for name, run in first_runs(crawled[0]).items()}
    assert {row[0]: [row[1], *map(int, row[2:8])] for row in rows} == reported


def test_run_counts_agree_with_stats(crawled):
    """One definition of each count: a new archive's runs add up to what stats shows."""
    from storage import Archive
    from storage.summary import portal_summaries

    archive = Archive.open(crawled[2])
    try:
        stats = {s.portal: (s.articles, s.duplicates, s.errors) for s in portal_summaries(archive.db)}
    finally:
        archive.close()
    runs = {name: (new, duplicates, errors) for name, new, duplicates, errors in crawled[0].execute(
        "SELECT portal, sum(new_articles), sum(duplicates), sum(errors) FROM runs GROUP BY portal")}
    assert runs == stats


def test_each_run_logs_to_its_own_file_beside_the_archive(crawled):
    conn, _, db, result = crawled
    for name, run in first_runs(conn).items():
        log = Path(run["log_path"])
        assert log == db.parent / "logs" / name / f"run-{run['id']}.log"
        text = log.read_text("utf-8")
        assert "Spider closed (finished)" in text and f"run {run['id']} of {name}" in text
    dazhong, zjol = (Path(first_runs(conn)[n]["log_path"]).read_text("utf-8") for n in ("dazhong", "zjol"))
    assert "sd.dzwww.com" in dazhong and "dzwww" not in zjol  # each file holds its own run's records


def test_a_crawl_whose_output_is_piped_prints_no_progress_lines(crawled):
    result = crawled[3]
    assert "crawling" not in result.stderr and "new articles" not in result.stderr


def test_the_wechat_account_portals_are_off_unless_named(crawled):
    """mp.weixin.qq.com's robots.txt disallows the album pages and the articles: the entries are off, so a plain
    `crawl` leaves the host alone."""
    assert not {path for host, path in crawled[1] if host == "mp.weixin.qq.com"}
    assert not {"wechat_zjga", "wechat_sdga"} & set(first_runs(crawled[0]))


def test_a_portal_whose_robots_txt_forbids_everything_fails_with_that_reason(replica, tmp_path):
    """Named, an account's run asks for robots.txt, obeys it, and says so: failed, not a quiet day."""
    db = tmp_path / "a.db"
    before = len(replica.requests)
    result = Crawl(replica.url, db, ("wechat_zjga",)).run()
    assert result.returncode != 0
    assert {path for host, path in replica.requests[before:] if host == "mp.weixin.qq.com"} == {"/robots.txt"}
    outcome, reason = sqlite3.connect(db).execute("SELECT outcome, reason FROM runs").fetchone()
    assert outcome == "failed" and reason.startswith("robots.txt forbids every page wechat_zjga asked for")


def test_an_account_portal_reads_its_album_and_archives_the_accounts_articles(replica, tmp_path):
    """What a WeChat account's entry archives once robots.txt allows it (here: told to ignore the replica's copy):
    the album's data-link URLs of that account, with the account as source; the other account's are left alone."""
    db = tmp_path / "a.db"
    result = Crawl(replica.url, db, ("wechat_zjga",), {"ROBOTSTXT_OBEY": "False"}).run()
    assert result.returncode == 0, result.stderr[-3000:]
    rows = sqlite3.connect(db).execute("SELECT title, source, published FROM articles ORDER BY published").fetchall()
    assert rows == [("暖心！民警护送迷路老人回家", "浙江公安", "2026-10-16T18:05:00+08:00"),
                    ("“断卡”行动再出击！一批“卡农”落网", "浙江公安", "2026-10-20T19:30:00+08:00")]
