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


_KEYWORDS = ("where", "join", "left", "inner", "cross", "on", "group", "order", "limit", "union", "using", "natural",
             "outer", "set", "values", "select", "indexed", "not", "except", "intersect", "window", "having")
_TABLE = r"[\"\[]?(\w+)[\"\]]?(?:\s+(?:as\s+)?(?!(?:%s)\b)(\w+))?" % "|".join(_KEYWORDS)


def _aliases(statement: str) -> dict[str, str]:
    """Alias -> table of every table named after FROM, JOIN or a comma of a FROM list (a plan names the alias:
    `SCAN r`)."""
    found = {}
    for clause in re.findall(r"\b(?:from|join)\s+(.+?)(?=\b(?:%s)\b|\(|\)|$)" % "|".join(_KEYWORDS), statement,
                             re.I | re.S):
        for table in clause.split(","):
            named = re.match(r"\s*" + _TABLE, table, re.I)
            if named and named.group(2):
                found[named.group(2)] = named.group(1)
    return found


def _growing_scan(step: str, statement: str) -> bool:
    """Whether a plan step reads a table that grows with the archive row by row, not through an index."""
    scanned = re.match(r"SCAN (\w+)", step)
    return bool(scanned) and _aliases(statement).get(scanned.group(1), scanned.group(1)) in GROWING and (
        "USING" not in step)


def test_aliased_tables_are_recognised_in_plans():
    assert _growing_scan("SCAN r", "SELECT * FROM runs r WHERE id = (SELECT max(id) FROM runs WHERE portal = r.portal)")
    assert _growing_scan("SCAN p", "SELECT 1 FROM articles a JOIN pages AS p ON p.article_id = a.id")
    assert not _growing_scan("SCAN r", "SELECT * FROM merged_runs r")
    assert not _growing_scan("SEARCH r USING INDEX runs_by_id (id=?)", "SELECT * FROM runs r WHERE id = 1")
    assert _growing_scan("SCAN p", "SELECT 1 FROM articles JOIN pages p ON p.article_id = articles.id")
    assert _growing_scan("SCAN b", "SELECT 1 FROM articles a, bodies b WHERE a.id = 1")
    assert _growing_scan("SCAN pages", "SELECT 1 FROM articles JOIN pages ON pages.article_id = articles.id")


def test_the_write_path_scans_no_table_that_grows(traced):
    archive, statements = traced
    checked, scans = 0, []
    for statement in statements:
        if not re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE)\b", statement, re.I):
            continue  # BEGIN, SAVEPOINT, PRAGMA ...
        checked += 1
        for step in _plan(archive, statement):
            if _growing_scan(step, statement):
                scans.append(f"{step}  <=  {statement[:160]}")
    assert checked >= 20, "the trace caught too few statements to mean anything"
    assert scans == [], "\n".join(scans)


def _scans(archive: Archive, statements: list[str]) -> list[str]:
    """Plan steps that read a growing table row by row (not through an index), or sort a portal's runs."""
    found = []
    for statement in statements:
        if not re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH)\b", statement, re.I):
            continue
        for step in _plan(archive, statement):
            if _growing_scan(step, statement) or (
                    "TEMP B-TREE FOR ORDER BY" in step and re.search(r"\bfrom\s+[\"\[]?runs\b", statement, re.I)):
                found.append(f"{step}  <=  {statement[:160]}")
    return found


def test_the_commands_reads_use_indexes(traced):
    """What status, stats, show, search, export and duplicates ask of the archive goes through an index: the
    commands stay as fast at a million articles (status after every scheduled run reads the portal's last runs)."""
    from datetime import datetime, timezone

    from crawler.portals import load_config
    from crawler.scheduling.status import all_status
    from storage import export, neardup, search, summary
    from storage.articles import read_article

    archive, _ = traced
    db = archive.db
    for n in range(200, 400, 10):  # other portals' articles and runs, as in an archive of many portals
        run = archive.start_run(f"p{n}")
        archive.write_batch([_page(n + i, f"第{n + i}条：交警在路口查处违法停车，共{i}辆。", portal=f"p{n}")
                             for i in range(10)], run)
        archive.update_run(run, outcome="finished")
    db.execute("ANALYZE")
    portals, rules = load_config()
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    all_status(db, {"zjol": portals["zjol"]}, rules, datetime.now(timezone.utc))
    summary.portal_summaries(db, ["zjol"])
    read_article(db, 1)
    search.search(db, "民警", portal="zjol", limit=5)
    search.count(db, "民警", portal="zjol")
    list(export.articles(db, export.Selection(portal="zjol", since="2026-01-01")))
    neardup.groups(db, limit=5)
    db.conn.set_trace_callback(None)
    assert len(statements) >= 10, "the trace caught too few statements to mean anything"
    assert _scans(archive, statements) == [], "\n".join(_scans(archive, statements))
