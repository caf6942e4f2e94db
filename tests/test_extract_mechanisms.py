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
    "title",
    ["【公安要闻】杭州警方破获特大电信诈骗案 抓获嫌疑人52名",  # a column label before the headline
     "杭州警方破获特大电信诈骗案...-某某网"],  # a title cut short with an ellipsis
)
def test_the_headline_the_page_prints_wins_over_a_decorated_or_cut_title(title):
    headline = "杭州警方破获特大电信诈骗案 抓获嫌疑人52名"
    body = (f"<div class='nav'><a href='/'>首页</a> <a href='/n/'>新闻</a></div><div class='tit'>{headline}</div>"
            f"<div>2023-01-02</div><div class='content'><p>{STORY}</p><p>{MORE}</p></div>")
    result = extract_page(page(body, title), "http://news.example.cn/a/1.html")
    assert (result.title, result.published) == (headline, "2023-01-02")


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
        ("2019-09-07 星期六 农历八月初九", None),  # the lunar date is no outlet
        ("2019-09-07 10:00 (updated 2019-09-09)", None),
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
        "点击下方“阅读原文”了解更多",
        "倍速 1.0x",
    ],
)
def test_chrome_inside_the_article_box_is_not_body(chrome):
    body, removed = clean_lines([STORY, chrome, MORE], "德州警方破获跨省电信诈骗案")
    assert chrome not in body and STORY in body


def test_a_box_of_other_stories_ends_a_short_story():
    other = "近日，四川江油一社区女民警在开展辖区实有人口核查工作时，平均日拨100余个电话，被误判为诈骗而停机。"
    for heading in ("延伸 · 推荐", "【相关阅读】", "▶ 往期回顾"):
        body, _ = clean_lines([STORY, MORE, heading, other], None)
        assert body == [STORY, MORE], heading


def test_the_headline_reworded_above_the_story_is_not_body_but_a_lead_that_repeats_it_is():
    title = "姚明对周琦说了啥？周琦上下半场判若两人"
    body, _ = clean_lines(["姚明对周琦说了啥？大魔王上下半场判若两人", STORY], title)
    assert body == [STORY]
    lead = "近日，烟台刑侦大队成功侦破一起入室盗窃案件，抓获犯罪嫌疑人8名，涉案价值29万余元。"
    body, _ = clean_lines([lead, STORY], "烟台刑侦大队破获一起入室盗窃案 涉案价值29万余元")
    assert body == [lead, STORY]


FRAME = ("<div class='top'><a href='/'>首页</a> <a href='/gn'>国内</a> <a href='/sh'>社会</a> <a href='/fz'>法治</a></div>"
         "<div class='side'><h3>热点排行</h3><ul>" + "".join(
             f"<li><a href='/a/{i}.html'>第{i}条热点新闻的标题在这里显示</a></li>" for i in range(8)) + "</ul>"
         "<p>本站是一家地方新闻门户网站，提供本地新闻、政务信息、便民服务和互动社区，欢迎广大网民浏览并提出宝贵意见和建议，"
         "我们将竭诚为您服务，努力办好人民满意的新闻网站。地址：某市某路1号，邮编：100000。</p></div>"
         "<div class='foot'>关于我们 | 联系我们 | 版权所有 某某网 未经授权禁止转载</div>")


def teaser_list() -> str:
    items = "".join(
        f"<div class='item'><h3><a href='/a/{i}.html'>某地警方侦破第{i}起电信网络诈骗案件</a></h3>"
        f"<p>近日，某地公安机关经过缜密侦查，成功侦破第{i}起电信网络诈骗案件，抓获犯罪嫌疑人多名，涉案金额较大。</p></div>"
        for i in range(10))
    return f"<h1>警方动态</h1>{items}"


def date_first_rows() -> str:
    return "<h1>通知公告</h1><ul>" + "".join(
        f"<li>2024-05-{i + 1:02d} <a href='/t/{i}.html'>关于开展第{i}批道路交通安全专项整治行动的通告</a></li>"
        for i in range(12)) + "</ul>"


def bracketed_date_rows() -> str:  # trafilatura bullets each row: "- [2023-07-10] 标题"
    return "<ul>" + "".join(
        f"<li><span>[2023-07-{i + 10:02d}]</span> <a href='/a/{i}.html'>某地警方开展夏季治安打击整治行动第{i}期</a></li>"
        for i in range(15)) + "</ul>"


def thread_list() -> str:
    rows = "".join(
        f"<tr><td><a href='/thread-{i}.html'>请问办理居住证需要准备哪些材料第{i}帖</a></td><td><a href='/u/{i}'>网友{i}</a></td>"
        f"<td>{i}/{i * 37}</td><td>2024-05-01 10:{i:02d}</td></tr>" for i in range(15))
    return f"<h1>便民论坛</h1><table>{rows}</table>"


@pytest.mark.parametrize("make", [teaser_list, date_first_rows, bracketed_date_rows, thread_list])
def test_list_pages_of_many_shapes_are_not_articles(make):
    result = extract_page(page(make() + FRAME, "列表_某某网"), "http://news.example.cn/list/index.html")
    assert result.status == "not_article" and result.reason.startswith("list page"), result.reason


def test_rows_with_a_bullet_and_a_date_before_each_headline_are_a_list():
    nav = "<div class='nav'>" + " ".join(f"<a href='/c{i}/'>栏目{i}</a>" for i in range(12)) + "</div>"
    foot = "<div class='footer'><p>主办：某某市公安局 版权所有 备案号：浙ICP备12345678号</p><p>电话：0571-1234567</p></div>"
    result = extract_page(page(f"{nav}<div class='main'>{bracketed_date_rows()}</div>{foot}", "通知公告-某某市公安局"),
                          "http://www.example.gov.cn/col/col1/index.html")
    assert result.status == "not_article" and result.reason.startswith("list page"), result.reason


def test_an_article_with_related_links_below_it_is_still_an_article():
    related = "<h3>相关新闻</h3><ul>" + "".join(
        f"<li><a href='/a/{i}.html'>某地警方侦破第{i}起电信网络诈骗案件</a></li>" for i in range(8)) + "</ul>"
    body = f"<h1>德州警方破获跨省电信诈骗案</h1><div class='content'><p>{STORY}</p><p>{MORE}</p></div>{related}{FRAME}"
    assert extract_page(page(body), "http://news.example.cn/a/1.html").status == "article"


@pytest.mark.parametrize("message", [
    "<p>抱歉，您访问的页面不存在或已被删除</p><p>返回首页</p>",
    "<h2>页面找不到了</h2><p>您要查看的内容可能已经被删除、更名或暂时不可用。5秒后自动跳转到首页。</p>",
    "<p>很抱歉，找不到您要访问的网页</p>",
])
def test_a_not_found_page_dressed_in_the_portals_full_frame(message):
    body = f"<div class='main'><div class='err'>{message}</div></div>{FRAME}"
    result = extract_page(page(body, "某某网"), "http://news.example.cn/a/404.html")
    assert (result.status, result.reason) == ("not_found", "error page (page-not-found message)")


def test_a_redirect_stub_is_not_an_article():
    stub = (b"<html><head><meta http-equiv='refresh' content='0; url=http://news.example.cn/a/2.html'>"
            b"<title>\xe6\x9f\x90\xe6\x9f\x90\xe7\xbd\x91</title></head><body><p>"
            + "页面正在跳转，如果您的浏览器没有自动跳转，请点击这里继续访问我们的新闻页面。".encode() + b"</p></body></html>")
    result = extract_page(stub, "http://news.example.cn/a/1.html")
    assert (result.status, result.reason) == ("not_article", "redirect stub (to http://news.example.cn/a/2.html)")


def test_the_title_rule_reads_the_pages_own_title_not_its_site_segments():
    body = f"<h1>德州警方破获跨省电信诈骗案</h1><div class='content'><p>{STORY}</p><p>{MORE}</p></div>"
    assert extract_page(page(body, "德州警方破获跨省电信诈骗案_频道首页_某某网"),
                        "http://news.example.cn/a/1.html").status == "article"
    assert extract_page(page(teaser_list(), "搜索结果_某某网"), "http://news.example.cn/s?q=1").status == "not_article"


def test_a_short_item_among_many_links_is_the_prose_below_its_headline():
    links = "".join(f"<li><a href='/a/{i}.html'>第{i}条快讯的标题显示在这里</a></li>" for i in range(27))
    body = (f"<ul>{links[:800]}</ul><h1>交通运输部：着力打造京津冀区域综合立体交通网络</h1><div>2019-09-07 10:20</div>"
            "<div>交通运输部近日表示，将着力打造京津冀区域综合立体交通网络，推进区域交通一体化发展，加快构建现代化高质量综合立体交通网，"
            "提升运输服务水平，更好服务京津冀协同发展重大国家战略。</div>"
            f"<ul>{links[800:]}</ul>")
    result = extract_page(page(body, "交通运输部：着力打造京津冀区域综合立体交通网络_某某网"), "http://news.example.cn/a/1.html")
    assert result.status == "article", result.reason
    assert result.text.startswith("交通运输部近日表示")


def test_the_generic_body_names_are_single_classes_or_ids():
    """They are matched against the page's named elements without a CSS engine, so they must stay that simple."""
    from crawler.extraction.patterns import BODY_SELECTORS

    assert all(s[0] in "#." and s[1:].replace("_", "").replace("-", "").isalnum() for s in BODY_SELECTORS)


def test_a_headline_element_running_on_into_a_label_is_cut_to_the_pages_title():
    lines: list[str] = []
    assert choose(["独家 | 德州警方破获跨省电信诈骗案"], ["德州警方破获跨省电信诈骗案"], lines) == "德州警方破获跨省电信诈骗案"
    assert choose(["德州警方破获跨省电信诈骗案(组图)"], ["德州警方破获跨省电信诈骗案(组图)"], lines) == "德州警方破获跨省电信诈骗案"
    assert strip_site_suffix("德州警方破获跨省电信诈骗案丨澎湃新闻") == "德州警方破获跨省电信诈骗案"


HEAD = ("<html><head><meta charset='utf-8'><title>德州警方破获跨省电信诈骗案_某某网</title></head><body>"
        "<div class='nav'><a href='/'>首页</a></div>")
ARTICLE = f"<h1>德州警方破获跨省电信诈骗案</h1><div class='content'><p>{STORY}</p><p>{MORE}</p></div>"


@pytest.mark.parametrize(
    "html",
    [
        HEAD + "</body></html>" + ARTICLE,  # the story after an early </html>
        HEAD + "<html><head><title>页头</title></head><body><div>导航</div></body></html>" + ARTICLE,  # an included page
        HEAD + f"<h1>德州警方破获跨省电信诈骗案<div class='content'><p>{STORY}<p>{MORE}<div><table><tr><td>",  # unclosed
        HEAD + "<!--#include virtual='/inc/top.html'-->" + ARTICLE + "<!--#include virtual='/inc/foot.html'-->",
    ],
)
def test_broken_markup_does_not_lose_the_body(html):
    result = extract_page(html.encode(), "http://news.example.cn/a/1.html")
    assert (result.status, result.title) == ("article", "德州警方破获跨省电信诈骗案")
    assert STORY in result.text and MORE in result.text


@pytest.mark.parametrize("line", ["民警提醒：不要随意下载陌生APP，谨防诈骗。", "打开手机客户端即可查询违章。", "该观点不代表任何官方立场。"])
def test_a_story_sentence_that_sounds_like_a_notice_stays(line):
    body, _ = clean_lines([STORY, line, MORE], None)
    assert line in body


def test_a_story_that_mentions_a_deletion_is_not_an_error_page():
    paragraphs = "".join(f"<p>第{i}段：{STORY}</p>" for i in range(6))
    body = f"<div class='content'>{paragraphs}<p>此后对方的微信已被删除。</p><p>{MORE}</p></div>{FRAME}"
    result = extract_page(page(body, "某某网"), "http://news.example.cn/a/1.html")
    assert result.status == "article", result.reason


def test_a_source_is_not_read_out_of_a_caption_or_a_headline():
    from crawler.extraction.metadata import source_in

    assert source_in("图片来源网络") is None
    assert source_in("揭秘网络谣言来源背后的黑色产业链") is None
    assert source_in("| 来源CSDN |") == "CSDN"


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("发表于 2019-9-7 15:15 | 来源 新华网", "新华网"),  # a label without a colon, a space before its value
        ("日期2019年09月07日来源公安厅", "公安厅"),  # label and value in their own spans, run together after a date
        ("来源\n南方日报", "南方日报"),  # label and value on lines of their own
        ("今日来源于网络的消息", None),
    ],
)
def test_a_source_label_without_a_colon(info, expected):
    from crawler.extraction.metadata import source_in

    assert source_in(info) == expected


def test_long_runs_of_letters_or_separators_cost_no_backtracking():
    import time

    from crawler.extraction.metadata import date_in_text

    start = time.process_time()
    date_in_text("mar" * 40000)
    strip_site_suffix("标题" + "-网" * 10000)
    assert time.process_time() - start < 2  # seconds; quadratic versions took over a minute


def test_a_date_only_in_a_list_of_other_stories_is_not_the_publication_time():
    related = "".join(f"<li><a href='/n{i}.html'>其他新闻标题第{i}条关于交通安全</a><span>2018-0{i + 1}-11</span></li>"
                      for i in range(5))
    html = page(f"<h1>德州警方破获跨省电信诈骗案</h1><div class=c>{'民警破获一起跨省电信诈骗案件，抓获嫌疑人。' * 20}</div>"
                f"<ul class=rel>{related}</ul>")
    assert extract_page(html, "http://www.example.com/a/b.html").published is None
    signed = html.replace("</div><ul".encode(), "<p>德州市公安局</p><p>二〇一九年九月七日</p></div><ul".encode())
    assert extract_page(signed, "http://www.example.com/a/b.html").published == "2019-09-07"


_HEADLINE = "温州警方破获一起跨省电信诈骗案"


def _framed(head: str, top: str, logo: str = "<h1>平安温州</h1>") -> bytes:
    story = "".join(f"<p>{'民警在辖区开展安全检查，提醒群众注意防范电信诈骗。' * 4}</p>" for _ in range(4))
    return (f"<html><head><meta charset='utf-8'>{head}</head><body><div>{logo}</div><div><a href='/a'>首页</a>"
            f"<a href='/b'>警务动态</a></div>{top}<div>2019-09-07 来源：温州公安</div><div>{story}</div>"
            f"<div>版权所有 平安温州</div></body></html>").encode()


@pytest.mark.parametrize(
    ("html"),
    [
        _framed("<title>平安温州</title>", f"<p><strong>{_HEADLINE}</strong></p>"),  # the title is the site's name
        _framed(f"<title>平安温州</title><meta property='og:title' content='{_HEADLINE}'>", f"<div>{_HEADLINE}</div>"),
        _framed(f"<title>【平安温州】{_HEADLINE}</title>", f"<div>{_HEADLINE}</div>"),  # the name before the title
        _framed("", f"<table><tr><td>{_HEADLINE}</td></tr></table>"),  # no title at all
        _framed("<title>首页</title>", f"<h2>{_HEADLINE}</h2>", logo="<h1><a href='/'>温州平安</a></h1>"),  # the logo
    ],
)
def test_a_site_name_in_words_no_rule_knows_is_no_headline(html):
    """The name is shown to be the site's by the page itself: its footer's copyright line, or a link home."""
    assert extract_page(html, "http://www.example.com/news/a.html").title == _HEADLINE


def test_a_columns_label_before_the_title_stays():
    html = _framed("<title>【资讯汇总】9月26日重要资讯汇总</title>", "<h2>【资讯汇总】9月26日重要资讯汇总</h2>")
    assert extract_page(html, "http://www.example.com/news/a.html").title == "【资讯汇总】9月26日重要资讯汇总"
