"""Every statement the crawl's write path runs uses an index: none scans a table that grows with the archive.

The statements are not listed by hand: they are traced while the real code runs (new articles, aliases,
re-fetches, revisions, known-URL checks, conditional list and article requests, run totals, revisits, re-checks
of unchanged articles, the publication days health learns a rate from), then each is put through EXPLAIN QUERY
PLAN. A full scan of pages, articles, bodies or the near-duplicate index would make adding an article slower as
the archive grows: at a million articles, most of a crawl's time.
"""

from __future__ import annotations

import re

import pytest

from crawler.scheduling.runner import publication_days
from storage import Archive, Article, Page

GROWING = ("pages", "articles", "bodies", "minhash", "lsh_bands", "article_versions", "runs")


def _page(n: int, text: str, portal: str = "zjol", outcome: str = "article") -> Page:
    url = f"http://zjnews.zjol.com.cn/zjnews/202611/t20261130_{n}.shtml"
    article = Article(f"标题{n}", "2026-11-30T08:00:00+08:00", "浙江在线", None, text) if outcome == "article" else None
    return Page(url=url, portal=portal, fetched_at="2026-11-30T00:00:00+00:00", final_url=url, http_status=200,
                body=f"<html>{text}</html>".encode(), outcome=outcome, article=article,
                headers={"ETag": f'"{n}"'}, content_type="text/html")


@pytest.fixture
def traced(tmp_path):
    archive = Archive.open(tmp_path / "archive.db")
    for n in range(50):  # enough rows, over enough runs, that the planner has something to choose from
        earlier = archive.start_run("zjol") if n % 5 == 0 else earlier
        archive.write_batch([_page(n, f"第{n}条：民警在辖区巡逻时发现一名走失老人，将其护送回家。编号{n}。")], earlier)
    archive.db.execute("ANALYZE")
    statements: list[str] = []
    archive.db.conn.set_trace_callback(statements.append)
    run = archive.start_run("zjol")
    archive.write_batch([
        _page(100, "全新的一条警情通报，内容从未出现过，民警迅速处置。"),  # new
        _page(101, "第3条：民警在辖区巡逻时发现一名走失老人，将其护送回家。编号3。"),  # alias of an earlier text
        _page(5, "第5条：民警在辖区巡逻时发现一名走失老人，将其护送回家。编号5。"),  # refetch, same text
        _page(6, "第6条：更正后的内容，民警在辖区巡逻时发现一名走失老人。"),  # revised
        _page(102, "", outcome="not_found"),
        _page(103, "", outcome="list"),
    ], run)
    unchanged = _page(8, "第8条：民警在辖区巡逻时发现一名走失老人，将其护送回家。编号8。")
    unchanged.revisit, not_modified = True, _page(9, "")
    not_modified.revisit, not_modified.http_status, not_modified.outcome = True, 304, None
    archive.write_batch([unchanged, not_modified], run)  # re-checks: counted on their pages
    archive.article_validators(_page(10, "").url)
    archive.update_run(run, list_pages=1, new_links=3)
    archive.update_run(run, outcome="finished")
    archive.is_known(_page(7, "").url)
    archive.list_validators(_page(103, "").url)
    archive.recent_article_urls("zjol", 3)
    assert len(publication_days(archive.db, "zjol", 28)) > 50  # health: the portal's usual publication rate
    archive.db.conn.set_trace_callback(None)
    assert archive.db.execute("SELECT sum(rechecks) FROM pages").fetchone()[0] == 2
    yield archive, statements
    archive.close()


def _plan(archive: Archive, statement: str) -> list[str]:
    return [row[3] for row in archive.db.conn.execute(f"EXPLAIN QUERY PLAN {statement}")]


def test_the_write_path_scans_no_table_that_grows(traced):
    archive, statements = traced
    checked, scans = 0, []
    for statement in statements:
        if not re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE)\b", statement, re.I):
            continue  # BEGIN, SAVEPOINT, PRAGMA ...
        checked += 1
        for step in _plan(archive, statement):
            table = re.match(r"SCAN (\w+)", step)
            if table and table.group(1) in GROWING and "USING" not in step:
                scans.append(f"{step}  <=  {statement[:160]}")
    assert checked >= 20, "the trace caught too few statements to mean anything"
    assert scans == [], "\n".join(scans)
