"""Whole-page extraction on realistic and hostile pages: every page gets a verdict and a reason."""

import pytest

from crawler.extraction import extract_page

URL = "http://sd.dzwww.com/sdnews/201409/t20140909_10982363.htm"
BODY = (
    "<p>　　9月8日，济南市公安局通报，经过连续多日的缜密侦查，成功破获一起跨省电信诈骗案，抓获犯罪嫌疑人5名。</p>"
    "<p>　　据了解，今年7月以来，嫌疑人冒充客服人员，以退款为由骗取受害人钱财，涉案金额达60余万元。</p>"
    "<p>　　警方提醒广大市民，提高防范意识，切勿轻信陌生来电。</p>"
)


def page(body_html: str = BODY, title: str = "济南警方破获跨省电信诈骗案-大众网", charset: str = "gb2312") -> str:
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{title}</title></head><body><div class='position'>您当前的位置 : 大众网 &gt; 山东</div>"
            f"<h1>济南警方破获跨省电信诈骗案</h1><div class='info'>2014-09-09 09:08:00 来源: 大众网 作者: </div>"
            f"<div class='TRS_Editor'>{body_html}</div><div class='footer'>大众网版权所有 鲁ICP备09012531号</div>"
            "</body></html>")


def test_a_portal_article_comes_out_clean_with_its_metadata():
    result = extract_page(page().encode("gb18030"), URL)
    assert result.status == "article" and result.reason is None
    assert result.title == "济南警方破获跨省电信诈骗案"
    assert result.published == "2014-09-09T09:08:00+08:00"
    assert (result.source, result.author) == ("大众网", None)
    assert result.text.splitlines() == [
        "9月8日，济南市公安局通报，经过连续多日的缜密侦查，成功破获一起跨省电信诈骗案，抓获犯罪嫌疑人5名。",
        "据了解，今年7月以来，嫌疑人冒充客服人员，以退款为由骗取受害人钱财，涉案金额达60余万元。",
        "警方提醒广大市民，提高防范意识，切勿轻信陌生来电。",
    ]


def test_an_article_that_mentions_404_stays_an_article():
    body = BODY + "<p>　　民警介绍，诈骗网站常伪装成“404页面不存在”的样子，诱导受害人点击所谓的客服链接。</p>"
    result = extract_page(page(body).encode("gb18030"), URL)
    assert result.status == "article"
    assert "404页面不存在" in result.text


@pytest.mark.parametrize(
    ("html", "status", "reason"),
    [
        ("<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><hr>nginx</body></html>",
         "not_found", "error page"),
        ("<html><head><title>大众网</title></head><body><p>对不起,您访问的页面不存在</p><a href='/'>返回首页</a>"
         "</body></html>", "not_found", "page-not-found"),
        (page("").replace("<div class='info'>", "<div>"), "not_found", "empty body"),
        ("<html><body>" + "".join(f"<img src='/p/{i}.jpg'>" for i in range(20)) + "</body></html>",
         "not_article", "no text"),
        ("<html><head><title>平安山东_大众网</title></head><body><ul>"
         + "".join(f"<li><a href='/sdnews/2014/t2014090{i % 9}_{i}.htm'>第{i}条 民警破获一起盗窃案件的新闻</a>"
                   f" 2014-09-0{i % 9 + 1}</li>" for i in range(40)) + "</ul></body></html>",
         "not_article", "list page"),
    ],
)
def test_error_pages_and_non_articles_are_rejected_with_a_reason(html, status, reason):
    result = extract_page(html.encode("gb18030"), URL)
    assert result.status == status
    assert reason in result.reason


@pytest.mark.parametrize(
    ("body", "http_status", "content_type", "status", "reason"),
    [
        (b"", 200, "text/html", "not_article", "empty body"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", 200, "application/octet-stream", "not_article", "PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, 200, "text/html", "not_article", "PNG"),
        (b"\x01\x00\x02\x00\x00\x03\x00\x04" * 64, 200, "text/html", "not_article", "bytes with NULs"),
        (b"<html>gone</html>", 404, "text/html", "not_found", "http 404"),
        (b"<html>gone</html>", 410, "text/html", "not_found", "http 410"),
        (b"<html>busy</html>", 503, "text/html", "error", "http 503"),
        (b"<html><body>" + b"<p>" + "民警".encode() * 10_000_000 + b"</p>", 200, "text/html", "not_article",
         "too large"),
    ],
)
def test_hostile_bodies_get_an_outcome_not_an_exception(body, http_status, content_type, status, reason):
    result = extract_page(body, URL, http_status, content_type)
    assert result.status == status
    assert reason in result.reason


def test_broken_truncated_and_deeply_nested_html_still_yield_the_article():
    truncated = page().encode("gb18030")[: -len("</div><div class='footer'>大众网版权所有 鲁ICP备09012531号</div></body></html>") - 20]
    result = extract_page(truncated, URL)
    assert result.status == "article" and "济南市公安局通报" in result.text
    nested = page("<div>" * 5000 + BODY + "</span></p></td>" * 50)
    result = extract_page(nested.encode("gb18030"), URL)
    assert result.status == "article" and "警方提醒广大市民" in result.text


@pytest.mark.parametrize("charset", ["utf-16-le", "utf-16-be", "utf-16"])
def test_a_utf16_page_is_an_article_not_binary_bytes_with_nuls(charset):
    result = extract_page(page(charset="utf-16").encode(charset), URL, content_type="text/html")
    assert (result.status, result.charset) == ("article", "utf-16-be" if charset.endswith("be") else "utf-16-le")
    assert "济南市公安局通报" in result.text and result.title == "济南警方破获跨省电信诈骗案"


def test_a_page_with_mixed_encodings_decodes_what_it_can():
    mixed = page().encode("gb18030") + "<p>页脚 UTF-8 文字</p>".encode()
    result = extract_page(mixed, URL)
    assert result.status == "article"
    assert "济南市公安局通报" in result.text


def test_an_article_run_together_with_its_breadcrumb_in_one_cell_is_kept():
    story = "　　9月8日，济南市公安局通报，经过连续多日的缜密侦查，成功破获一起跨省电信诈骗案。" * 15
    html = (f"<html><head><title>破获跨省电信诈骗案</title></head><body><table><tr><td>"
            f"当前位置：首页->警方动态 破获跨省电信诈骗案 {story}</td></tr></table></body></html>")
    result = extract_page(html.encode("gb18030"), "http://example.cn/news/1.html")
    assert result.status == "article" and "成功破获一起跨省电信诈骗案" in result.text


def test_an_empty_generic_cms_box_does_not_hide_the_article_beside_it():
    html = (f"<html><head><title>济南警方破获跨省电信诈骗案</title></head><body><h1>济南警方破获跨省电信诈骗案</h1>"
            f"<font id='zoom'></font><div class='story'>{BODY}</div></body></html>")
    result = extract_page(html.encode("gb18030"), "http://example.cn/news/2.html")
    assert result.status == "article" and "警方提醒广大市民" in result.text


def test_a_ranking_of_numbered_headlines_is_a_list_page():
    rows = "".join(f"<tr><td>{i}<a href='/n/{i}.html'>山东通报第{i}起电信诈骗案件处理结果公布</a></td><td>{9000 - i}</td></tr>"
                   for i in range(1, 21))
    html = f"<html><head><title>新闻排行榜</title></head><body><table>{rows}</table></body></html>"
    result = extract_page(html.encode(), "http://example.cn/rank.html")
    assert result.status == "not_article" and result.reason.startswith("list page")


def test_menus_a_generic_extractor_takes_in_are_dropped_but_a_linked_word_in_the_story_stays():
    story = BODY.replace("提高防范意识", "提高防范意识，多学<a href='/fz'>反诈</a>知识")
    menu = "".join(f"<p><a href='/c/{i}'>{w}</a></p>" for i, w in enumerate(["首页", "滚动", "国内", "国际", "财经"]))
    html = (f"<html><head><title>济南警方破获跨省电信诈骗案</title></head><body><div>"
            f"<p><a href='/'>警网</a> - <a href='/sd'>山东</a></p><p>济南警方破获跨省电信诈骗案</p>{menu}{story}"
            f"<p><a href='/a'>工作动态</a></p><p><a href='/b'>人事任免</a></p></div></body></html>")
    result = extract_page(html.encode("gb18030"), "http://example.cn/news/3.html")
    assert result.status == "article"
    assert result.text.splitlines() == [
        "9月8日，济南市公安局通报，经过连续多日的缜密侦查，成功破获一起跨省电信诈骗案，抓获犯罪嫌疑人5名。",
        "据了解，今年7月以来，嫌疑人冒充客服人员，以退款为由骗取受害人钱财，涉案金额达60余万元。",
        "警方提醒广大市民，提高防范意识，多学反诈知识，切勿轻信陌生来电。",
    ]


@pytest.mark.parametrize("sentence", [
    "Полиция задержала подозреваемого в мошенничестве с банковскими картами в центре города. ",
    "ألقت الشرطة القبض على مشتبه به في قضية احتيال مصرفي في وسط المدينة. ",
    "警察は市内中心部で銀行カード詐欺の容疑者を逮捕しました。",
])
def test_an_article_in_another_script_is_measured_by_its_words_not_rejected_as_too_short(sentence):
    html = (f"<html><head><title>News</title></head><body><h1>News</h1>"
            f"<div class='article'>{''.join(f'<p>{i}. {sentence}</p>' for i in range(1, 9))}</div></body></html>")
    result = extract_page(html.encode(), "http://example.org/news/1.html")
    assert result.status == "article", result.reason


def test_a_layout_table_row_keeps_a_pipe_that_is_inside_a_cell():
    from crawler.extraction.extract import _table_cells

    rows = ["| 民警提醒：谨防诈骗 | 关于我们 \\| 联系方式 |", "|---|---|", "正文第一段。"]
    assert _table_cells(rows) == ["民警提醒：谨防诈骗", "关于我们 | 联系方式", "正文第一段。"]


@pytest.mark.parametrize("item", ["<a href='/n/{i}.htm'>{t}</a>", "·<a href='/n/{i}.htm'>{t}</a>（2005-04-03 17:19）"])
def test_a_row_of_other_stories_headlines_after_the_story_is_not_body_text(item):
    row = " ".join(item.format(i=i, t=t) for i, t in enumerate(
        ["德州交警开展夜查酒驾行动", "聊城民警救助走失老人", "菏泽警方破获盗窃电动车案", "滨州开展反诈宣传进社区活动"]))
    html = (f"<html><head><title>济南警方破获跨省电信诈骗案</title></head><body><div>"
            f"<p>济南警方破获跨省电信诈骗案</p>{BODY}<p>{row}</p></div></body></html>")  # no known container
    result = extract_page(html.encode("gb18030"), "http://example.cn/news/4.html")
    assert result.status == "article"
    assert "走失老人" not in result.text and "警方提醒广大市民" in result.text


def test_a_short_piece_among_big_menus_is_not_buried_under_the_page():
    """A general extractor rescues a short text by dumping the whole page; a poem and its note must come out alone."""
    menu = "".join(f"<li><a href='/c/{i}/'>栏目{i}</a></li>" for i in range(30))
    ranking = "".join(f"<li><a href='/p/{i}.html'>诗人{i}号</a> {100 - i}<br>({i}次)</li>" for i in range(40))
    poem = "深夜看书须尽欢，<br>明月照亮浊酒案。<br>一杯美酒空对月，<br>酌酒吟诗五千年。"
    note = "夜深人静时，是自己一天最轻松的时刻，此时品品红酒、独坐书房翻看经典，遨游在知识的海洋里，甚是尽兴。"
    html = (f"<html><head><title>静夜思•夜</title></head><body><div class='nav'><ul>{menu}</ul></div>"
            f"<h3>静夜思•夜</h3><div>作者：涅阳城 2020年01月12日18:32 浏览：272</div>"
            f"<div id='content'><div>{poem}</div><div>注释：</div><div>{note}</div></div>"
            f"<div class='side'><h4>诗人热力榜</h4><ul>{ranking}</ul></div></body></html>")
    result = extract_page(html.encode(), "http://www.example.org/c/2020-01-12/1.shtml")
    assert result.status == "article"
    assert result.text.splitlines() == ["深夜看书须尽欢，", "明月照亮浊酒案。", "一杯美酒空对月，", "酌酒吟诗五千年。", "注释：", note]


def test_nothing_after_the_editors_sign_off_is_story_and_the_source_in_it_is_read():
    story = "<p>　　民警介绍，嫌疑人先后在多个省份开设窝点，通过网络招募人员，分工负责引流、话术和转账等环节，作案手法隐蔽。</p>" + BODY
    last = "　　警方提醒广大市民，提高防范意识，切勿轻信陌生来电。 来源：济南日报 编辑：山石"
    story = story.replace("<p>　　警方提醒广大市民，提高防范意识，切勿轻信陌生来电。</p>", f"<p>{last}</p>")
    html = (f"<html><head><title>济南警方破获跨省电信诈骗案</title></head><body><div>"
            f"<p>济南警方破获跨省电信诈骗案</p>{story}<p>幻灯欣赏：</p><p>明星性感演出犒赏美军</p><p>本周推荐:</p>"
            "<p>环球奇闻，娱乐绯闻，轻松点击获取前沿资讯！</p></div></body></html>")
    result = extract_page(html.encode("gb18030"), "http://example.cn/news/5.html")
    assert result.status == "article"
    assert result.text.splitlines()[-1] == "警方提醒广大市民，提高防范意识，切勿轻信陌生来电。"
    assert "环球奇闻" not in result.text and result.source == "济南日报"


def test_a_blogs_calendar_and_its_dated_list_of_other_posts_are_not_the_post():
    calendar = "".join(f"<td>{d}</td>" for d in ["日", "一", "二", "三", "四", "五", "六", *range(1, 32)])
    others = "".join(f"<p>[2005-08-{d:02d}] <a href='/{d}.html'>谁来为喂羊照看孩子的民警解忧第{d}篇</a></p>" for d in range(10, 13))
    html = (f"<html><head><title>bjreader的博客</title></head><body><table><tr>{calendar}</tr></table>"
            f"<div class='post'>{BODY}{others}</div></body></html>")
    result = extract_page(html.encode(), "http://bjreader.blog.example.cn/2756656.html")
    assert result.status == "article"
    assert result.text.splitlines() == [
        "9月8日，济南市公安局通报，经过连续多日的缜密侦查，成功破获一起跨省电信诈骗案，抓获犯罪嫌疑人5名。",
        "据了解，今年7月以来，嫌疑人冒充客服人员，以退款为由骗取受害人钱财，涉案金额达60余万元。",
        "警方提醒广大市民，提高防范意识，切勿轻信陌生来电。",
    ]
