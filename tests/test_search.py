"""Chinese full-text search on a real archive file: short words, both scripts, operators, bad queries."""

import json
import re

import pytest

from crawler.cli import main
from storage import Archive, Article, Page
from storage.fts import QuerySyntaxError, fts_tokens, match_expression
from storage.search import search

ARTICLES = [
    ("zjol", "2026-08-10T10:00:00+08:00", "浙江警方追逃成果显著", "今年以来，全省公安机关开展追逃专项行动，民警抓获在逃人员120名。"),
    ("gat_zj", "2024-01-11", "象山警察破獲電信詐騙案", "近日，象山縣公安局民警破獲一起電信詐騙案件，派出所提醒市民注意防範。"),
    ("cnnb", "2021-01-30T08:03:20+08:00", "宁波交警夜查酒驾", "宁波交警连续开展夜查行动，查处酒驾醉驾违法行为35起。"),
    ("dazhong", "2014-09-09T09:08:00+08:00", "德州派出所民警救助走失老人", "德州某派出所民警接到群众报警后，帮助走失老人回家。"),
]


@pytest.fixture
def archive(tmp_path):
    archive = Archive.open(tmp_path / "a.db")
    archive.write_batch([
        Page(f"http://x.cn/{i}.htm", portal, "2026-11-22T00:00:00+00:00", outcome="article",
             article=Article(title, published, None, None, text))
        for i, (portal, published, title, text) in enumerate(ARTICLES)
    ])
    yield archive
    archive.close()


def titles(archive, query, **filters):
    return {hit.title for hit in search(archive.db, query, **filters)}


def test_a_two_character_word_finds_every_article_containing_it(archive):
    assert titles(archive, "民警") == {ARTICLES[0][2], ARTICLES[1][2], ARTICLES[3][2]}
    assert titles(archive, "追逃") == {ARTICLES[0][2]}
    assert titles(archive, "交警") == {ARTICLES[2][2]}


def test_three_character_and_longer_queries_match_as_phrases(archive):
    assert titles(archive, "派出所") == {ARTICLES[1][2], ARTICLES[3][2]}
    assert titles(archive, "酒驾醉驾") == {ARTICLES[2][2]}
    assert titles(archive, "出所民") == {ARTICLES[3][2]}  # adjacent characters across word boundaries
    assert titles(archive, "民所") == set()  # characters present, but not adjacent


def test_simplified_and_traditional_queries_find_both_scripts(archive):
    assert titles(archive, "警察") == {ARTICLES[1][2]}
    assert titles(archive, "诈骗") == titles(archive, "詐騙") == {ARTICLES[1][2]}
    assert titles(archive, "电信诈骗案件") == {ARTICLES[1][2]}


def test_operators_phrases_and_mixed_scripts(archive):
    assert titles(archive, "民警 AND 走失") == {ARTICLES[3][2]}
    assert titles(archive, "民警 走失") == {ARTICLES[3][2]}  # implicit AND
    assert titles(archive, "追逃 OR 酒驾") == {ARTICLES[0][2], ARTICLES[2][2]}
    assert titles(archive, "民警 NOT 派出所") == {ARTICLES[0][2]}
    assert titles(archive, '"派出所民警"') == {ARTICLES[3][2]}
    assert titles(archive, "(追逃 OR 交警) 民警") == {ARTICLES[0][2]}
    assert titles(archive, "民警 詐騙") == {ARTICLES[1][2]}


def test_a_term_can_be_limited_to_the_title_or_the_text(archive):
    assert titles(archive, "title:民警") == {ARTICLES[3][2]}
    assert titles(archive, "text:民警") == {ARTICLES[0][2], ARTICLES[1][2], ARTICLES[3][2]}
    assert titles(archive, 'title:"警察破獲"') == titles(archive, "title: 警察") == {ARTICLES[1][2]}
    assert titles(archive, "民警 NOT title:(派出所 OR 警察)") == {ARTICLES[0][2]}


def test_near_finds_terms_within_a_distance_in_characters(archive):
    assert titles(archive, "NEAR(民警 抓获, 0)") == {ARTICLES[0][2]}  # 民警抓获: nothing between
    assert titles(archive, "NEAR(公安 民警, 3)") == {ARTICLES[1][2]}  # 公安局民警; in the other, 11 characters apart
    assert titles(archive, "NEAR(公安 民警, 11)") == {ARTICLES[0][2], ARTICLES[1][2]}
    assert titles(archive, "title:NEAR(派出所 老人, 6)") == {ARTICLES[3][2]}  # 派出所民警救助走失老人
    assert titles(archive, "title:NEAR(派出所 老人, 5)") == set()


@pytest.mark.parametrize(("query", "says"), [
    ("author:民警", "author: is no column to search; limit a term to title: or text:"),
    ("title:", "title: and text: need a term right after them"),
    ("title: AND 民警", "title: and text: need a term right after them"),
    ("NEAR(民警)", "NEAR needs two or more terms"),
    ("NEAR(民警 抓获, ten)", "NEAR takes terms and an optional distance in characters"),
    ("NEAR (民警 抓获)", "write NEAR with its terms in parentheses"),
    ("！？", "the query holds no word to look for"),
])
def test_column_filters_and_near_that_cannot_work_are_refused_saying_what_to_write(query, says):
    with pytest.raises(QuerySyntaxError, match=re.escape(says)):
        match_expression(query)


def test_filters_by_portal_and_dates(archive):
    assert titles(archive, "民警", portal="dazhong") == {ARTICLES[3][2]}
    assert titles(archive, "民警", since="2020-01-01") == {ARTICLES[0][2], ARTICLES[1][2]}
    assert titles(archive, "民警", until="2024-01-11") == {ARTICLES[1][2], ARTICLES[3][2]}


def test_titles_rank_above_text_and_snippets_mark_the_match(archive):
    hits = search(archive.db, "追逃")
    start, end = hits[0].highlights[0]
    assert hits[0].snippet[start:end] == "追逃"


def test_a_word_in_more_articles_than_bm25_ranks_lists_headline_matches_then_the_newest(archive):
    # 民警 is in the text of articles 0, 1 and 3 and in the headline of 3 (archived last of them: ids 1, 2, 4).
    hits = search(archive.db, "民警", rank_window=1)
    assert [hit.title for hit in hits] == [ARTICLES[3][2], ARTICLES[1][2], ARTICLES[0][2]]
    assert [hit.title for hit in search(archive.db, "民警", rank_window=1, limit=2)] == [ARTICLES[3][2], ARTICLES[1][2]]
    assert [hit.title for hit in search(archive.db, "民警", portal="zjol", rank_window=1)] == [ARTICLES[0][2]]


def test_the_index_follows_updates_and_deletes(archive):
    archive.db.execute("UPDATE articles SET text = '内容已更正，不再提及相关词语。' WHERE title = ?", [ARTICLES[2][2]])
    assert titles(archive, "酒驾醉驾") == set()
    archive.db.execute("DELETE FROM pages")
    archive.db.execute("DELETE FROM articles WHERE title = ?", [ARTICLES[0][2]])
    assert titles(archive, "追逃") == set()
    assert titles(archive, "民警") == {ARTICLES[1][2], ARTICLES[3][2]}


@pytest.mark.parametrize("query", ['"民警', "民警 AND", "OR 民警", "(民警", "民警)", "NOT 民警", "", "()", "！？"])
def test_queries_that_are_not_valid_get_a_clear_error(query):
    with pytest.raises(QuerySyntaxError):
        match_expression(query)


def test_a_query_is_data_never_sql(archive):
    assert titles(archive, "'; DROP TABLE articles; --") == set()
    assert archive.db["articles"].count == len(ARTICLES)


def test_tokens_are_simplified_bigrams_and_words():
    assert fts_tokens("民警抓獲3名嫌疑人 ABC") == "民警 警抓 抓获 3 名嫌 嫌疑 疑人 abc"


def test_search_command_prints_json_lines_and_rejects_bad_queries(archive, capsys):
    db = archive.path
    assert main(["search", "民警", "--db", db, "--json", "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and {"id", "published", "portal", "title", "url", "snippet"} <= set(json.loads(lines[0]))
    assert main(["search", '"民警', "--db", db]) == 2
    assert "unbalanced quote" in capsys.readouterr().err
    assert main(["search", "民警", "--db", db, "--since", "yesterday"]) == 2


def test_search_command_says_how_many_match_and_shows_ids_and_urls(archive, capsys):
    assert main(["search", "民警", "--db", archive.path, "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "showing 2 of 3 articles matching '民警'" in out
    assert main(["search", "民警", "--db", archive.path, "--portal", "dazhong"]) == 0
    out = capsys.readouterr().out
    assert "1 articles matching '民警'" in out and "showing" not in out
    assert "http://x.cn/3.htm" in out and "│  4 │" in out  # the id of 德州派出所民警救助走失老人
    assert main(["search", "author:民警", "--db", archive.path]) == 2
    assert capsys.readouterr().err == (
        "error: author: is no column to search; limit a term to title: or text: (title:民警), or put words with a "
        "colon in quotes\n")


def test_show_prints_one_article_in_full(archive, capsys):
    archive.write_batch([Page("http://y.cn/copy.htm", "zjol", "2026-11-22T00:00:00+00:00", outcome="article",
                              article=Article("德州派出所民警救助走失老人", "2014-09-10", None, None, ARTICLES[3][3]))])
    archive.db["articles"].update(4, {"source": "大众网", "author": "张三", "text": "第一段。\n第二段。"})
    assert main(["show", "4", "--db", archive.path]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:4] == ["德州派出所民警救助走失老人", "2014-09-09T09:08:00+08:00 · 来源: 大众网 · 作者: 张三 · dazhong, article 4",
                                    "http://x.cn/3.htm", "also at http://y.cn/copy.htm (zjol)"]
    assert "\n第一段。\n\n第二段。\n" in out
    assert main(["show", "4", "--db", archive.path, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["title"], shown["url"], shown["text"]) == (ARTICLES[3][2], "http://x.cn/3.htm", "第一段。\n第二段。")


def test_show_of_an_id_that_is_no_article_is_one_line_and_exit_2(archive, capsys):
    assert main(["show", "99", "--db", archive.path]) == 2
    assert capsys.readouterr().err == "error: no article 99 in the archive; `search` lists articles with their ids\n"
    assert main(["show", "第4篇", "--db", archive.path]) == 2
    assert capsys.readouterr().err == ("error: show takes an article's id, a number like 7 (the first column of "
                                       "`search`); got '第4篇'\n")


def test_search_tokens_made_in_a_worker_are_indexed_as_the_archive_would_make_them(tmp_path):
    """An extraction worker makes the title's and text's tokens (page.fts) so the crawl's process does not: the
    index's triggers take them as given, and searches find the same articles as with tokens made at the write."""
    texts = ["杭州警方破获一起电信诈骗案，抓获嫌疑人5名。", "台州交警开展夜查行动，查处酒驾12起。", "宁波民警救助走失老人。"]

    def pages(with_tokens: bool, tokens=None):
        out = []
        for n, text in enumerate(texts):
            page = Page(f"http://x.cn/{n}.htm", "zjol", "2026-11-30T00:00:00+00:00", outcome="article",
                        article=Article(f"通报{n}", None, None, None, text))
            if with_tokens:
                page.fts = tokens or (fts_tokens(page.article.title), fts_tokens(text))
            out.append(page)
        return out

    made_here, made_before, wrong = (Archive.open(tmp_path / f"{name}.db") for name in ("here", "before", "wrong"))
    made_here.write_batch(pages(False))
    made_before.write_batch(pages(True))
    wrong.write_batch(pages(True, ("标题", "无关")))
    for query in ("诈骗", "交警", "民警", "通报1", "酒驾 12", "无关"):
        assert titles(made_before, query) == titles(made_here, query)
    assert titles(wrong, "无关") and not titles(wrong, "诈骗")  # the given tokens are what the index holds
