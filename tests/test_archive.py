"""The archive library on real SQLite files: dedup decisions, runs, raw bodies, known URLs."""

import sqlite3
import zlib

import pytest

from storage import Archive, ArchiveError, Article, Page, schema


def page(url, text=None, outcome="article", portal="zjol", reason=None, body=b"<html>raw</html>"):
    article = Article("标题", "2021-01-30T08:03:20+08:00", "大众网", None, text) if text else None
    return Page(url=url, portal=portal, fetched_at="2026-11-22T00:00:00+00:00", final_url=url,
                http_status=200, body=body, outcome=outcome, reason=reason, article=article)


@pytest.fixture
def archive(tmp_path):
    archive = Archive.open(tmp_path / "archive.db")
    yield archive
    archive.close()


def test_schema_is_created_in_wal_mode_with_every_table(archive):
    assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"pages", "articles", "runs", "bodies"} <= set(archive.db.table_names())


def test_every_archive_connection_keeps_a_page_cache_sized_for_a_large_archive(tmp_path, archive):
    """The b-tree pages an added article touches stay cached at 100,000 articles (SQLite's default is 2 MiB)."""
    from storage.schema import CACHE_KIB

    assert CACHE_KIB >= 64 * 1024
    assert archive.db.execute("PRAGMA cache_size").fetchone()[0] == -CACHE_KIB
    again = Archive.open(tmp_path / "archive.db")  # an archive opened again, migrations already applied
    assert again.db.execute("PRAGMA cache_size").fetchone()[0] == -CACHE_KIB
    again.close()


def test_the_search_index_merges_its_segments_eight_at_a_time(archive):
    """FTS5's default (4) rewrites every posting once more per size level: adding grew dearer with the archive."""
    config = dict(archive.db.execute("SELECT k, v FROM articles_fts_config").fetchall())
    assert config["automerge"] == 8


def test_same_text_at_a_second_url_is_an_alias_not_a_new_article(archive):
    run = archive.start_run("zjol")
    first = archive.write_batch([page("http://zjnews.zjol.com.cn/a.shtml", "民警抓获嫌疑人。共三人。")], run)
    second = archive.write_batch(
        [page("http://news.cnnb.com.cn/b.shtml", "民警抓获嫌疑人，共三人", portal="cnnb")], run
    )
    assert (first.new, second.alias) == (1, 1)
    assert archive.db["articles"].count == 1
    alias = archive.db.execute("SELECT article_id, dedup FROM pages WHERE url LIKE '%cnnb%'").fetchone()
    assert alias == (1, "alias")


def test_refetching_an_archived_url_adds_no_article_and_updates_last_seen(archive):
    archive.write_batch([page("http://a.zjol.com.cn/1.shtml", "正文一段，足够长的正文。")])
    again = page("https://a.zjol.com.cn/1.shtml?from=timeline", "正文一段，足够长的正文。")
    again.fetched_at = "2026-11-23T00:00:00+00:00"
    result = archive.write_batch([again])
    assert result.refetch == 1
    row = archive.db.execute("SELECT count(*), min(first_seen), max(last_seen) FROM articles").fetchone()
    assert row == (1, "2026-11-22T00:00:00+00:00", "2026-11-23T00:00:00+00:00")


def test_known_urls_are_articles_and_final_rejections_but_not_errors(archive):
    archive.write_batch([
        page("http://a.cn/article.htm", "正文"),
        page("http://a.cn/gone.htm", outcome="not_found", reason="http 404"),
        page("http://a.cn/channel.htm", outcome="not_article", reason="list page"),
        page("http://a.cn/flaky.htm", outcome="error", reason="http 503"),
        page("http://a.cn/index.htm", outcome="list"),
    ])
    assert archive.is_known("http://a.cn/article.htm?from=groupmessage")
    assert archive.is_known("http://a.cn/gone.htm")
    assert archive.is_known("http://a.cn/channel.htm")
    assert not archive.is_known("http://a.cn/flaky.htm")  # errors are retried next run
    assert not archive.is_known("http://a.cn/index.htm")  # list pages are always re-fetched
    assert not archive.is_known("http://a.cn/never.htm")


def test_raw_bodies_are_kept_compressed_once_per_distinct_body(archive):
    body = "<html>原始页面</html>".encode("gb18030") * 50
    archive.write_batch([page("http://a.cn/1.htm", "一", body=body), page("http://a.cn/2.htm", "二", body=body)])
    assert archive.db["bodies"].count == 1
    sha1 = archive.db.execute("SELECT body_sha1 FROM pages LIMIT 1").fetchone()[0]
    assert archive.raw_body(sha1) == body
    stored = archive.db.execute("SELECT body FROM bodies").fetchone()[0]
    assert zlib.decompress(stored) == body and len(stored) < len(body)


def test_runs_record_totals_and_rejections_by_reason(archive):
    run = archive.start_run("dazhong")
    archive.write_batch([
        page("http://a.cn/1.htm", "正文"),
        page("http://a.cn/2.htm", outcome="not_found", reason="http 404"),
        page("http://a.cn/3.htm", outcome="not_found", reason="http 404"),
        page("http://a.cn/4.htm", outcome="error", reason="http 503"),
    ], run)
    archive.update_run(run, outcome="finished")
    row = archive.db["runs"].get(run)
    assert (row["outcome"], row["pages"], row["new_articles"], row["errors"]) == ("finished", 4, 1, 1)
    assert row["rejections"] == '{"http 404": 2}'
    assert row["finished"] is not None


def test_a_run_left_running_by_a_dead_process_is_marked_abandoned(archive):
    dead = archive.start_run("zjol")
    archive.start_run("zjol")
    assert archive.db["runs"].get(dead)["outcome"] == "abandoned"


def test_reopening_applies_no_migration_twice_and_keeps_rows(tmp_path):
    path = tmp_path / "a.db"
    first = Archive.open(path)
    first.write_batch([page("http://a.cn/1.htm", "正文")])
    applied = first.db["_sqlite_migrations"].count
    first.close()
    again = Archive.open(path)
    assert again.db["articles"].count == 1
    assert again.db["_sqlite_migrations"].count == applied
    assert schema.migrations.pending(again.db) == []
    again.close()


def test_a_missing_folder_or_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path):
    with pytest.raises(ArchiveError, match="does not exist"):
        Archive.open(tmp_path / "missing" / "a.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ArchiveError, match="not a usable SQLite file"):
        Archive.open(junk)


def test_a_batch_that_fails_leaves_nothing_half_written(archive):
    good = page("http://a.cn/1.htm", "正文")
    bad = page("http://a.cn/2.htm", "正文二")
    bad.portal = None  # violates NOT NULL
    with pytest.raises(sqlite3.IntegrityError):
        archive.write_batch([good, bad])
    assert archive.db["pages"].count == 0 and archive.db["articles"].count == 0


def test_the_article_follows_the_earliest_published_copy_whichever_was_crawled_first(archive):
    late = page("http://news.cnnb.com.cn/b.shtml", "宁波警方破获电诈案，抓获嫌疑人12名。", portal="cnnb")
    late.article.published = "2021-01-30T09:12:36+08:00"
    early = page("https://zjnews.zjol.com.cn/a.shtml", "宁波警方破获电诈案，抓获嫌疑人12名。")
    early.article.published = "2021-01-30T07:50:00+08:00"
    archive.write_batch([late])
    result = archive.write_batch([early])
    assert result.new == 1 and archive.db["articles"].count == 1
    article = next(archive.db["articles"].rows)
    assert (article["portal"], article["published"]) == ("zjol", "2021-01-30T07:50:00+08:00")
    dedup = dict(archive.db.execute("SELECT portal, dedup FROM pages").fetchall())
    assert dedup == {"zjol": "new", "cnnb": "alias"}
    assert article["page_id"] == archive.db.execute("SELECT id FROM pages WHERE portal = 'zjol'").fetchone()[0]


def test_marking_an_articles_earlier_copies_uses_an_index_not_a_scan_of_every_page(archive):
    plan = archive.db.execute("EXPLAIN QUERY PLAN UPDATE pages SET dedup = 'alias' "
                              "WHERE article_id = ? AND dedup = 'new' AND id != ?", [1, 1]).fetchall()
    details = " ".join(row[-1] for row in plan)
    assert "SCAN pages" not in details and "idx_pages_article_id" in details, details


@pytest.mark.parametrize("command", [["stats"], ["search", "民警"], ["export", "--format", "jsonl", "--out", "x.jsonl"]])
def test_another_programs_database_is_refused_and_left_untouched(tmp_path, capsys, command):
    from crawler.cli import main

    other = tmp_path / "notes.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('mine')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    command = [c if c != "x.jsonl" else str(tmp_path / c) for c in command]
    assert main([*command, "--db", str(other)]) == 2
    assert "another program's database" in capsys.readouterr().err
    assert other.read_bytes() == before and not (tmp_path / "notes.sqlite-wal").exists()


def test_an_archive_and_an_empty_file_open_as_archives(tmp_path):
    Archive.open(tmp_path / "a.db").close()
    Archive.open(tmp_path / "a.db").close()  # reopened: ours
    (tmp_path / "empty.db").touch()
    Archive.open(tmp_path / "empty.db").close()
    with pytest.raises(ArchiveError, match="not a usable SQLite file"):
        (tmp_path / "text.db").write_text("not a database at all, just some text " * 10)
        Archive.open(tmp_path / "text.db")


def test_when_an_article_moves_to_its_earlier_copy_runs_and_stats_count_alike(archive):
    """The run that archived the later copy counts it a duplicate from then on, as stats does (the replica's
    syndicated story: cnnb 7 new and zjol 13 new + 1 duplicate beside 6 and 14 articles)."""
    from storage.summary import portal_summaries

    late = page("http://news.cnnb.com.cn/b.shtml", "宁波警方破获电诈案，抓获嫌疑人12名。", portal="cnnb")
    late.article.published = "2021-01-30T09:12:36+08:00"
    early = page("https://zjnews.zjol.com.cn/a.shtml", "宁波警方破获电诈案，抓获嫌疑人12名。")
    early.article.published = "2021-01-30T07:50:00+08:00"
    cnnb_run, zjol_run = archive.start_run("cnnb"), archive.start_run("zjol")
    archive.write_batch([late, page("http://news.cnnb.com.cn/c.shtml", "另一篇文章的正文。", portal="cnnb")], cnnb_run)
    archive.update_run(cnnb_run, outcome="finished")
    archive.write_batch([early], zjol_run)
    archive.update_run(zjol_run, outcome="finished")
    runs = {r["portal"]: (r["new_articles"], r["duplicates"]) for r in archive.db["runs"].rows}
    stats = {s.portal: (s.articles, s.duplicates) for s in portal_summaries(archive.db)}
    assert runs == stats == {"cnnb": (1, 1), "zjol": (1, 0)}
