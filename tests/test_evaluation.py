"""Extraction scoring, and the quality our extractor must keep on our own labelled set."""

from __future__ import annotations

import pytest

from crawler.evaluation import corpora, score
from crawler.evaluation.run import evaluate, ours, renamed_classes


def test_body_score_rewards_the_article_and_punishes_chrome():
    truth = "警方破获一起电信诈骗案，抓获犯罪嫌疑人12名。"
    assert score.body_prf(truth, truth) == (1.0, 1.0, 1.0)
    precision, recall, _ = score.body_prf(truth + "首页 新闻 版权所有 浙ICP备05049320号", truth)
    assert recall == 1.0 and precision < 0.7
    assert score.body_prf(None, truth) == (0.0, 0.0, 0.0)


def test_titles_and_days_compare_as_a_reader_would():
    assert score.same_title("宁波警方破获特大诈骗案", "宁波警方破获特大诈骗案_浙江在线")
    assert not score.same_title("浙江在线", "宁波警方破获特大诈骗案_浙江在线")
    assert score.same_day("2026-08-10T10:00:00+08:00", "2026年08月10日10时")
    assert not score.same_day("2026-08-11", "2026-08-10")


@pytest.fixture(scope="module")
def own_scores():
    pages = corpora.load(corpora.OWN_SET)
    assert len(pages) >= 60, "the labelled set lost pages"
    return evaluate(pages, {"ours": ours()})[("own (all)", "ours")]


def test_labelled_set_page_types_are_all_right(own_scores):
    assert own_scores.type_correct == own_scores.pages


def test_labelled_set_bodies_titles_dates_sources(own_scores):
    assert own_scores.body_mean(2) >= 0.98
    assert all(own_scores.title) and all(own_scores.date) and all(own_scores.source)


def test_labelled_set_leaks_no_chrome(own_scores):
    assert own_scores.leaked == 0


def test_a_truth_title_with_the_blog_and_site_names_accepts_the_bare_headline():
    assert score.same_title("新竹尖石_美樹營地賞楓 (2)", "新竹尖石_美樹營地賞楓 (2) @ 史蒂文的家_藍天 :: 痞客邦 PIXNET ::")
    assert not score.same_title("新竹尖石", "新竹尖石美樹營地賞楓 (2) @ 史蒂文的家_藍天 :: 痞客邦 PIXNET ::")


def test_a_truth_date_given_to_the_month_is_compared_to_the_month():
    assert score.same_day("2018-08-23", "2018")
    assert score.same_day("2003-05-06T10:00:00+08:00", "2003-5")
    assert not score.same_day("2005-03-06", "2003-5")
    assert not score.same_day(None, "2003-5")


def test_a_site_is_its_publisher_whichever_corpus_names_it():
    from crawler.evaluation.sites import site_of

    assert site_of("magic/1", "http://news.sina.com.cn/c/1.shtml") == site_of("gne-unlabeled/tests/sina/2.html", None)
    assert site_of("x/1", "http://politics.people.com.cn/n1/a.html") == "people"
    assert site_of("gne-unlabeled/tests/wechat/1.html", None) == site_of("y/2", "https://mp.weixin.qq.com/s/abc")
    assert site_of("cwced/0ef8", None) == "cwced/0ef8"  # a saved page without its address is a site of its own


def test_validation_sites_are_scored_but_never_listed_as_misses():
    from crawler.evaluation.corpora import LabelledPage
    from crawler.evaluation.run import Prediction, is_validation, misses
    from crawler.evaluation.sites import split_of

    sites = [f"site{i}" for i in range(30)]
    assert {split_of(s) for s in sites} == {"tuning", "validation"}
    assert [split_of(s) for s in sites] == [split_of(s) for s in sites]  # fixed
    pages = [LabelledPage(id=f"p/{s}", corpus="c", lang="zh", url=f"http://www.{s}.com/a.html", html=b"",
                          page_type="article", title="真的标题") for s in sites]
    listed = list(misses(pages, lambda page: Prediction("article", title="错的标题")))
    assert len(listed) == sum(not is_validation(p) for p in pages) > 0
    assert not any(f"p/{s}:" in line for s in sites if split_of(s) == "validation" for line in listed)


def test_our_labels_of_real_pages_are_complete():
    labels = corpora.real_labels()
    assert len(labels) == 60
    for label in labels.values():
        assert label["page_type"] in ("article", "list", "not_found", "not_article")
        assert label["page_type"] != "article" or (label["title"] and label["body"])


def test_eval_says_which_pages_it_skipped_and_why(tmp_path, capsys):
    """A corpus page without truth, and a page in another language under --zh-only, are named, not dropped
    silently."""
    import json

    from crawler.cli import main

    page = "<html><head><title>民警</title></head><body><p>民警巡逻。</p></body></html>"
    (tmp_path / "p.html").write_text(page, "utf-8")
    rows = [{"id": "c/1", "corpus": "unlabelled-corpus", "html": "p.html", "url": "http://a.example.cn/1.html",
             "lang": "zh", "page_type": "article", "gt": {}},
            {"id": "c/2", "corpus": "english", "html": "p.html", "url": "http://b.example.com/2.html",
             "lang": "en", "page_type": "article", "gt": {"title": "x", "body": "y"}}]
    (tmp_path / "index.jsonl").write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    assert main(["eval", str(tmp_path), "--zh-only"]) == 0
    err = capsys.readouterr().err
    assert "skipped: 1 pages of unlabelled-corpus (no truth" in err
    assert "skipped: 1 pages not in Chinese (--zh-only)" in err


def test_renamed_classes_keep_the_layout_and_lose_the_names():
    html = b"""<div class="content main" id='box'><p class=content>x</p></div>"""
    renamed = renamed_classes(html)
    assert b"content" not in renamed and b"main" not in renamed and b"box" not in renamed
    first, second = renamed.split(b'"')[1].split()[0], renamed.split(b"class=")[2].split(b">")[0]
    assert first == second  # one name, one replacement
    assert renamed.count(b"<p") == 1 and renamed.endswith(b"x</p></div>")
