"""`merge` folds worker shards into one archive as if one process had fetched every page: the same ids, dedup
decisions (alias, earlier copy, revised), article versions and near-duplicate groups as a single archive fed the
same pages in fetch order; merging again adds nothing, and pages a shard gained since are added."""

from __future__ import annotations

import sqlite3

import pytest

from crawler.cli import main
from storage import Archive, Article, Page

STORY = "民警迅速赶到现场，将涉嫌盗窃电动车的犯罪嫌疑人抓获归案，案件正在进一步侦办中。警方提醒广大市民提高防范意识。"


def page(url: str, second: int, text: str | None, published: str = "2026-11-01T10:00:00+08:00",
         outcome: str = "article") -> Page:
    article = Article(f"标题{second}", published, "浙江在线", None, text) if text else None
    return Page(url=url, portal="bench", fetched_at=f"2026-11-30T10:00:{second:02d}+00:00", final_url=url,
                http_status=200 if outcome != "error" else None, body=f"<html>{url}{text}</html>".encode(),
                outcome=outcome, reason="http 500" if outcome == "error" else None, article=article)


# (worker, page): a copy published earlier fetched later, a revision, a near-duplicate, a list page, an error.
PAGES = [
    (0, page("http://bench.police.test/list.shtml", 1, None, outcome="list")),
    (0, page("http://bench.police.test/a1.shtml", 2, STORY)),
    (1, page("http://bench.police.test/b1.shtml", 3, STORY.replace("，", " "), "2026-11-01T09:00:00+08:00")),
    (1, page("http://bench.police.test/b2.shtml", 4, STORY[:-8] + "请广大市民注意。")),
    (0, page("http://bench.police.test/a2.shtml", 5, "交警部门开展专项整治行动，查获酒驾醉驾违法行为十二起。")),
    (1, page("http://bench.police.test/b3.shtml", 6, None, outcome="error")),
    (0, page("http://bench.police.test/a2.shtml", 7, "交警部门开展专项整治行动，查获酒驾醉驾违法行为十三起。")),
]
LATER = (1, page("http://bench.police.test/b4.shtml", 8, "禁毒宣传活动走进社区，民警向居民讲解毒品的危害。"))


def tables(path) -> dict[str, list]:
    with sqlite3.connect(path) as conn:
        return {
            "articles": conn.execute("SELECT id, url, content_hash, title, published, page_id FROM articles "
                                     "ORDER BY id").fetchall(),
            "pages": conn.execute("SELECT id, url, outcome, dedup, article_id, body_sha1 FROM pages ORDER BY id").fetchall(),
            "versions": conn.execute("SELECT article_id, text, seen_until FROM article_versions ORDER BY id").fetchall(),
            "groups": conn.execute("SELECT article_id, group_id FROM minhash ORDER BY article_id").fetchall(),
        }


def write(path, pages: list[Page]) -> None:
    archive = Archive.open(path)
    try:
        run = archive.start_run("bench")
        for one in pages:
            archive.write_batch([one], run)
        archive.update_run(run, "finished")
    finally:
        archive.close()


@pytest.fixture
def shards(tmp_path):
    paths = [tmp_path / "shard-1.db", tmp_path / "shard-2.db"]
    for worker, path in enumerate(paths):
        write(path, [one for w, one in PAGES if w == worker])
    return paths


def test_merged_shards_equal_one_archive_fed_every_page_in_fetch_order(shards, tmp_path):
    single = tmp_path / "single.db"
    write(single, [one for _, one in PAGES])
    merged = tmp_path / "merged.db"
    assert main(["merge", *map(str, shards), "--db", str(merged)]) == 0
    assert tables(merged) == tables(single)
    found = tables(merged)
    assert [row[3] for row in found["pages"]] == [None, "alias", "new", "new", "new", None, "revised"]
    assert len({group for _, group in found["groups"]}) == 2  # the near-duplicate joined the story's group
    with sqlite3.connect(merged) as conn:
        assert conn.execute("SELECT count(*), sum(pages), sum(new_articles), sum(errors) FROM runs").fetchone() \
            == (2, 7, 3, 1)


def test_merging_again_adds_nothing_and_a_shard_that_grew_adds_only_its_new_pages(shards, tmp_path, capsys):
    merged = tmp_path / "merged.db"
    assert main(["merge", *map(str, shards), "--db", str(merged)]) == 0
    first = tables(merged)
    assert main(["merge", *map(str, shards), "--db", str(merged)]) == 0
    assert tables(merged) == first
    assert capsys.readouterr().out.splitlines()[-1].endswith("0 new runs, 0 new pages, 0 new articles")

    archive = Archive.open(shards[1])
    archive.write_batch([LATER[1]], 1)
    archive.close()
    assert main(["merge", *map(str, shards), "--db", str(merged)]) == 0
    single = tmp_path / "single.db"
    write(single, [one for _, one in PAGES] + [LATER[1]])
    assert tables(merged) == tables(single)


def test_merging_the_main_archive_into_itself_is_refused_in_one_line(shards, capsys):
    assert main(["merge", str(shards[0]), "--db", str(shards[0])]) == 2
    assert capsys.readouterr().err.startswith(f"error: {shards[0]} is the main archive itself")
