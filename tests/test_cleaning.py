"""Cleaning rules: chrome lines go, body paragraphs stay — including ones that quote chrome words."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.extraction.cleaning import STORY_BEFORE_END, clean_lines, is_header_stamp, is_noise

CHROME = [
    "您当前的位置 :浙江在线 > 新闻中心 > 平安浙江",
    "(初审编辑:王丽 责任编辑:徐超)",
    "2014-09-09 09:08:00 来源: 大众网 作者:",
    "来源：象山公安",
    "记者 王晓峰 通讯员 徐超",
    "本报记者王晓峰",
    "相关稿件",
    "相关报道：",
    "第1页/共3页 << 上一页 下一页 >>",
    "返回页首",
    "← 返回",
    "汽车 >> 车坛动态 >> 业界新闻",
    "今 日 推 荐",
    "新闻排行榜",
    "关于我们 | 网站公告 | 联系方式 | 广告服务 | 版权声明 |",
    "平安时评 更多...",
    "请您文明上网、理性发言并遵守相关规定，在注册后发表评论。",
    "放大 缩小 默认",
    "浙江在线版权所有 Copyright © 1999-2026 浙ICP备05035939号",
    "上一版 下一版",
    "标题导航",
    "图片1.png",
    "Loading...",
    "404 Not Found",
    "ZJOL/1.22.95",
    "2024-05-20 14:33·新华社",
    "特别声明：以上内容(如有图片或视频亦包括在内)为自媒体平台“网易号”用户上传并发布，本平台仅提供信息存储服务。",
    "振兴东北网版权与免责声明： ① 凡本网注明“来源：振兴东北网”的所有作品，版权均属于国务院振兴东北地区等老工业基地领导小组办公室，"
    "未经本网授权不得转载、摘编或利用其它方式使用上述作品。已经本网授权使用作品的，应在授权范围内使用，并注明“来源：振兴东北网”。"
    "违反上述声明者，本网将追究其相关法律责任。",
    "· · ·",
    "查看评论",
    "游客 欢迎你！",
    "在线用户:12066 当值版主:",
    "您是本文第 154 个阅览者",
    "| 回复线索：",
]


@pytest.mark.parametrize("line", CHROME)
def test_portal_chrome_lines_are_noise(line):
    assert is_noise(line)


def test_inline_markers_are_cut_and_the_paragraph_kept():
    kept, _ = clean_lines(["民警随后赶到现场处置。(下转A15版)", "（上接A1版）案件仍在进一步侦办中。"], None)
    assert kept == ["民警随后赶到现场处置。", "案件仍在进一步侦办中。"]


def test_an_interviewers_question_is_body_text_but_a_byline_is_not():
    kept, removed = clean_lines(
        ["记者 王晓峰 通讯员 徐超", "记者：王晓峰 通讯员：徐超。", "记者：你们的反诈宣传进了多少个村？", "王警官：全市一百二十个村都去过了。"],
        None,
    )
    assert kept == ["记者：你们的反诈宣传进了多少个村？", "王警官：全市一百二十个村都去过了。"]
    assert removed == ["记者 王晓峰 通讯员 徐超", "记者：王晓峰 通讯员：徐超。"]


def test_short_lines_may_repeat_but_a_repeated_paragraph_is_kept_once():
    lead = "9月8日，济南市公安局通报成功破获一起跨省电信诈骗案。"
    listing = ["if [ -f a ]; then", "fi", "if [ -f b ]; then", "fi"]
    assert clean_lines([lead, lead, *listing], None)[0] == [lead, *listing]


def test_a_time_stamp_above_the_story_is_chrome_but_a_dated_sentence_is_not():
    assert is_header_stamp("AUTO.SOHU.COM 2003年11月12日16:36 金羊网—新快报")
    assert not is_header_stamp("2021年3月1日10时30分，民警接到报警。")
    stamp, story = "2003-11-12 16:36 新快报", "11月12日16时，记者在现场看到，民警正在疏导交通，车流缓慢通过路口。"
    assert clean_lines([stamp, story, stamp], None)[0] == [story, stamp]  # only above the story


def test_a_long_paragraph_that_quotes_a_chrome_phrase_is_body_text():
    quote = ("民警提醒，网民应当文明上网、理性发言，" * 6) + "对在网上发表评论、散布谣言的行为，公安机关将依法查处。"
    assert not is_noise(quote)
    assert not is_noise("美国司法部没有立即发表评论，但此前曾表示，苹果公司的利润比任何竞争对手都高。")
    assert clean_lines([quote], None)[0] == [quote]


def test_a_repeated_lead_paragraph_is_kept_once_and_the_headline_is_not_body():
    lead = "近日，宁波市公安局破获一起特大电信网络诈骗案，抓获犯罪嫌疑人12名。"
    kept, _ = clean_lines(["宁波警方破获特大电诈案", lead, lead, "警方提醒广大市民注意防范。"], "宁波警方破获特大电诈案")
    assert kept == [lead, "警方提醒广大市民注意防范。"]


# Body-like text: common CJK ideographs and Chinese punctuation, none of the chrome phrases.
paragraph = st.text(
    alphabet=st.sampled_from("民警察案件嫌疑人抓获破诈骗交通事故群众报警侦查宁波浙江山东省市县区镇村派出所了在和与对是有，。；、“”"),
    min_size=8,
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=12, unique=True))
def test_cleaning_never_drops_a_body_paragraph_without_noise(paragraphs):
    kept, removed = clean_lines(paragraphs, None)
    assert kept == paragraphs
    assert removed == []


@settings(max_examples=200, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=12, unique=True), st.lists(paragraph, max_size=6))
def test_the_editors_sign_off_ends_the_story_and_only_what_follows_it_goes(story, after):
    kept, removed = clean_lines([*story, "（责任编辑：黄帅）", *after], None)
    if sum(map(len, story)) >= STORY_BEFORE_END:
        assert kept == story and removed == ["（责任编辑：黄帅）", *after]
    else:  # an editor named above the story: the story goes on
        assert kept[: len(story)] == story and set(kept) == {*story, *after}
        assert removed == ["（责任编辑：黄帅）"]


def test_comments_below_the_story_go_but_a_sidebar_of_comments_above_it_does_not_end_it():
    story = ["9月8日，济南市公安局通报，经过连续多日的缜密侦查，成功破获一起跨省电信诈骗案，抓获犯罪嫌疑人5名。" * 2,
             "据了解，今年7月以来，嫌疑人冒充客服人员，以退款为由骗取受害人钱财，涉案金额达60余万元。" * 2]
    comments = ["热门评论", "lr9111[219.130.79.*] 认为：", "赞同楼上所说的，骗子太可恶了。"]
    assert clean_lines([*story, *comments], None)[0] == story
    sidebar = ["最新评论", "好文章，支持民警！"]
    assert clean_lines([*sidebar, *story], None)[0] == [*sidebar, *story]


def test_a_forum_thread_is_its_opening_post_without_the_subject_line_signature_and_replies():
    post = "导游的收入很大一部分来自购物的回扣，这是业内的“行规”，境内游境外游都是这样的。以国内游为例，回扣一般在购物额的10％左右。" * 3
    kept, removed = clean_lines(
        ["主题： 你知道导游为什么那么热衷于让你去商场购物吗？",
         f"{post} ------------------------------ 我的博客 〓 发布时间 2005/05/17 22:11:42 by 眉间尺 〓",
         "如果", "愤怒的马", "如果交给王家卫又会变成怎么样呢 ------------------------------ 做一只猪挺难的"],
        None,
    )
    assert kept == [post]
    assert removed[0].startswith("主题：") and "愤怒的马" in removed


def test_a_subject_label_inside_the_story_and_a_rule_of_dashes_on_its_own_line_are_body_text():
    story = ["市公安局召开新闻发布会，通报今年以来全市打击电信网络诈骗犯罪的工作情况和典型案例。" * 2,
             "主题：守护群众钱袋子", "------------------------------", "发布会上，民警还现场演示了常见诈骗手法。"]
    assert clean_lines(story, None)[0] == story
