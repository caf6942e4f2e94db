"""The mechanisms that carry extraction to templates it has never seen: each on a small page built to need it."""

from __future__ import annotations

import pytest

from crawler.extraction import extract_page
from crawler.extraction.cleaning import clean_lines
from crawler.extraction.headline import choose, strip_site_suffix
from crawler.extraction.metadata import outlet_in, paper_name

STORY = ("9月8日，德州市公安局通报，经过两个月的缜密侦查，警方成功打掉一个跨省电信诈骗团伙，抓获犯罪嫌疑人12名，"
         "涉案金额300余万元。")
MORE = "据介绍，该团伙冒充电商客服，以退款为由诱骗受害人转账。目前，案件正在进一步办理中，警方提醒市民提高防范意识。"


def page(body: str, title: str = "德州警方破获跨省电信诈骗案_某某网") -> bytes:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>".encode()


def test_the_headline_is_the_candidate_the_title_repeats_not_the_first_match():
    body = ("<h1>某某网</h1><div class='title'>图片新闻</div><h2>德州警方破获跨省电信诈骗案</h2>"
            f"<p>{STORY}</p><p>{MORE}</p>")
    assert extract_page(page(body), "http://news.example.cn/a/1.html").title == "德州警方破获跨省电信诈骗案"


def test_a_title_that_runs_on_into_an_unknown_site_name_is_cut_where_the_page_prints_the_headline():
    lines = ["首页", "阿里发布最强AI芯片：性能吊打同行", "2019-09-25"]
    assert choose([], ["阿里发布最强AI芯片：性能吊打同行-EDN 电子技术设计"], lines) == "阿里发布最强AI芯片：性能吊打同行"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("標題內容_國際新聞_自由時報電子報", "標題內容"),  # traditional script, several segments
        ("标题内容 - cctv.com", "标题内容"),
        ("标题内容_新闻频道_央视网(cctv.com)", "标题内容"),
    ],
)
def test_site_and_channel_segments_are_cut_in_either_script(title, expected):
    assert strip_site_suffix(title) == expected


def test_when_the_titles_name_only_the_site_the_headline_is_the_line_above_the_story():
    body = ("<div class='nav'><a href='/'>首页</a> - <a href='/n'>新闻动态</a></div>"
            "<p>2019年中国人文地理学术年会在重庆成功举行</p><p>发布时间：2019-05-13</p>"
            f"<p>{STORY}</p><p>{MORE}</p>")
    result = extract_page(page(body, title="新闻动态"), "http://www.example.edu.cn/content.aspx?id=1")
    assert result.title == "2019年中国人文地理学术年会在重庆成功举行"


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("2019-09-05 11:10 游民星空[整理]", "游民星空"),  # after the time, no label
        ("加拿大必读\n发布时间：10-08 12:00", "加拿大必读"),  # an account's name above the time
        ("石佳/中国青年报\n2019-09-24 09:10", "中国青年报"),
        ("2024-05-20 14:33 张伟", None),  # a person's name is no outlet
        ("2024-05-20 14:33\n字号\n分享", None),
    ],
)
def test_an_outlet_named_without_a_label_beside_the_time(info, expected):
    assert outlet_in(info) == expected


def test_an_e_papers_source_is_its_paper():
    assert paper_name("宁波日报数字报-第A03版:要闻") == "宁波日报"
    assert paper_name("我市启动平安校园建设_宁波日报数字报") == "宁波日报"
    assert paper_name("德州警方破获跨省电信诈骗案_大众网") is None


def test_the_story_below_the_headline_wins_over_a_comment_box_trafilatura_settled_on():
    comments = "".join(f"<div class='c'><p>网友{i}：这个案子破得好，为民警点赞！诈骗分子太可恶了，必须严惩。</p></div>"
                       for i in range(6))
    body = (f"<h1>德州警方破获跨省电信诈骗案</h1><div class='info'>2014-09-09 09:08 来源：大众网</div>"
            f"<div class='post_text'><p>{STORY}</p><p>{MORE}</p></div>"
            f"<div id='comments'><h3>网友评论</h3>{comments}</div>")
    result = extract_page(page(body), "http://news.example.cn/a/1.html")
    assert STORY in result.text and "网友" not in result.text
    assert (result.source, result.published) == ("大众网", "2014-09-09T09:08:00+08:00")


def test_captions_beside_a_picture_are_dropped_but_a_photo_storys_captions_are_its_text():
    body = (f"<h1>德州警方破获跨省电信诈骗案</h1><div class='TRS_Editor'><p>{STORY}</p>"
            "<p style='text-align:center'><img src='a.jpg'></p><p style='text-align:center'>民警在现场清点涉案物品</p>"
            f"<p>{MORE}</p><p>（记者 王磊 摄）</p></div>")
    text = extract_page(page(body), "http://news.example.cn/a/1.html").text
    assert STORY in text and MORE in text and "清点" not in text and "王磊" not in text
    photo = ("<h1>风雪中的坚守</h1><div class='TRS_Editor'><p style='text-align:center'><img src='a.jpg'></p>"
             "<p style='text-align:center'>1月24日，济南市公安局交警支队民警在经十路冒雪指挥交通。（大众网记者 刘强 摄）</p></div>")
    result = extract_page(page(photo, "风雪中的坚守_大众网"), "http://news.example.cn/a/2.html")
    assert (result.status, result.reason) == ("not_article", "too little text (34 characters)")


@pytest.mark.parametrize(
    "chrome",
    [
        "（原标题：民警电话遭停机，靠拨打频次识别诈骗）",
        "本文来源：新京报",
        "责任编辑：杜硕_NB12556",
        "编辑 刘晓阳 校对 李铭",
        "责编|陈梦莹",
        "您的浏览器暂时无法播放此视频.",
        "点击上方蓝字关注我们",
        "长按识别二维码关注",
        "特别声明：以上内容为凤凰网号作者上传并发布，仅代表作者个人观点。",
        "图片来源：未来科学大奖官网",
    ],
)
def test_chrome_inside_the_article_box_is_not_body(chrome):
    body, removed = clean_lines([STORY, chrome, MORE], "德州警方破获跨省电信诈骗案")
    assert chrome not in body and STORY in body


def test_a_box_of_other_stories_ends_a_short_story():
    other = "近日，四川江油一社区女民警在开展辖区实有人口核查工作时，平均日拨100余个电话，被误判为诈骗而停机。"
    body, _ = clean_lines([STORY, MORE, "延伸 · 推荐", other], None)
    assert body == [STORY, MORE]


def test_the_headline_reworded_above_the_story_is_not_body_but_a_lead_that_repeats_it_is():
    title = "姚明对周琦说了啥？周琦上下半场判若两人"
    body, _ = clean_lines(["姚明对周琦说了啥？大魔王上下半场判若两人", STORY], title)
    assert body == [STORY]
    lead = "近日，烟台刑侦大队成功侦破一起入室盗窃案件，抓获犯罪嫌疑人8名，涉案价值29万余元。"
    body, _ = clean_lines([lead, STORY], "烟台刑侦大队破获一起入室盗窃案 涉案价值29万余元")
    assert body == [lead, STORY]
