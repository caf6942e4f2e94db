"""Metadata readers on the info-line formats the portals print."""

import pytest

from crawler.extraction.metadata import (
    author_in,
    date_in_header_line,
    date_in_labelled_line,
    date_in_script,
    date_in_text,
    date_in_url,
    date_signed,
    source_in,
    source_in_script,
    with_time_of_day,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-09-09 09:08:00 来源: 大众网", "2014-09-09T09:08:00+08:00"),
        ("2021-01-30 08:03:20", "2021-01-30T08:03:20+08:00"),
        ("时间:2022-08-15", "2022-08-15"),
        ("2021年04月02日 星期五", "2021-04-02"),
        ("2026年08月10日10时", "2026-08-10T10:00:00+08:00"),
        ("发布日期：2024-01-11 10:23", "2024-01-11T10:23:00+08:00"),
        ("no date here 12345", None),
        ("2021-13-45", None),
    ],
)
def test_dates_in_info_lines(text, expected):
    assert date_in_text(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://dezhou.dzwww.com/dzzt/qzlx/hd/201409/t20140909_10982363.htm", "2014-09-09"),
        ("http://zjnews.zjol.com.cn/05zjnews/system/2011/12/26/018103886.shtml", "2011-12-26"),
        ("https://gat.zj.gov.cn/art/2024/1/11/art_1229488108_59090474.html", "2024-01-11"),
        ("http://daily.cnnb.com.cn/nbrb/html/2021-04/02/content_1267275.htm", "2021-04-02"),
        ("http://business.sohu.com/20040716/n221031086.shtml", "2004-07-16"),
        ("http://example.com/about.html", None),
    ],
)
def test_dates_in_urls(url, expected):
    assert date_in_url(url) == expected


@pytest.mark.parametrize(
    ("text", "source", "author"),
    [
        ("2014-09-09 09:08:00  来源: 大众网  作者: ", "大众网", None),
        ("作者: 来源:大众网", "大众网", None),
        ("稿源: 中国宁波网 作者: 记者 李明", "中国宁波网", "李明"),
        ("來源:象山公安", "象山公安", None),
        ("作者:警安在线", None, "警安在线"),
        ("记者 王晓峰 通讯员 徐超 放大 缩小 默认", None, "王晓峰 徐超"),
    ],
)
def test_source_and_author(text, source, author):
    assert source_in(text) == source
    assert author_in(text) == author


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("民警破获电诈案_平安浙江网", "民警破获电诈案"),
        ("德州警方侦破系列盗窃案-大众网", "德州警方侦破系列盗窃案"),
        ("宁波交警开展夜查 - 中国宁波网", "宁波交警开展夜查"),
        ("2021-2022年度平安建设考核结果公布", "2021-2022年度平安建设考核结果公布"),
    ],
)
def test_site_suffixes_are_cut_from_titles(title, expected):
    from crawler.extraction.headline import strip_site_suffix

    assert strip_site_suffix(title) == expected


def test_a_labelled_time_away_from_the_headline_is_found_but_citations_and_story_dates_are_not():
    assert date_in_labelled_line(["首页 > 娱乐", "〓 网易娱乐 发布时间 2005/05/17 22:11:42 by 周黎明"]) \
        == "2005-05-17T22:11:42+08:00"
    assert date_in_labelled_line(["2004年7月16日08:19 [ 黄宇 ] 来源：[ 新华网 ]"]) == "2004-07-16T08:19:00+08:00"
    assert date_in_labelled_line(["新浪[引用日期2014-05-19]", "2017年7月18日，正式加盟环球音乐并在北京举行记者会"]) is None


def test_an_unlabelled_time_stamp_just_above_the_body_is_the_nearest_one():
    above = ["热点新闻 2003-11-01 09:00 另一条新闻的标题", "搜狐首页 >> 汽车频道", "AUTO.SOHU.COM 2003年11月12日16:36 金羊网—新快报"]
    assert date_in_header_line(above) == "2003-11-12T16:36:00+08:00"
    assert date_in_header_line(["2003年11月12日 星期三", "对比试车"]) is None  # a date without its time is not enough


def test_the_founder_e_paper_keeps_its_date_in_a_comment():
    from crawler.extraction.patterns import CMS_DATES

    raw = "<p>正文</p><!--/enpcontent--><!--enpproperty <date>2022-02-13 00:00:00:0</date><author></author>-->"
    assert date_in_script(raw, CMS_DATES) == "2022-02-13"  # the edition's day; its midnight is no time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019年9月7日 下午3:20", "2019-09-07T15:20:00+08:00"),  # a 12-hour clock
        ("2019-09-07 星期六 上午 10:20", "2019-09-07T10:20:00+08:00"),
        ("Posted Sep 7, 2019 3:20 PM", "2019-09-07T15:20:00+08:00"),
        ("7 September 2019", "2019-09-07"),
        ("民國108年9月7日", "2019-09-07"),  # Taiwan's Minguo years
        ("發布時間：108/09/07 14:30", "2019-09-07T14:30:00+08:00"),
        ("发布时间：18-03-0823:16", "2018-03-08T23:16:00+08:00"),  # a two-digit year after its label
        ("电话 18-03-08", None),  # …and not without one
        ("3/6/2005", None),  # month/day or day/month: not read…
        ("09/27/2019 15:10", "2019-09-27T15:10:00+08:00"),  # …unless a number over 12 says which is the day
        ("27-09-2019", "2019-09-27"),
        ("发布时间：11/30/2025 3:20 PM", "2025-11-30T15:20:00+08:00"),
        ("二〇一九年九月七日", "2019-09-07"),  # Chinese numerals, as official documents sign off
        ("二○二五年十二月三十一日", "2025-12-31"),
        ("报警电话 110-12-31", None),
        ("更新时间：2019-09-08 发布时间：2019-09-07", "2019-09-07"),  # the update is not the publication
        ("2019-09-07 10:00 (updated 2019-09-09)", "2019-09-07T10:00:00+08:00"),
        ("最后修改于 2019-09-09", "2019-09-09"),  # …unless it is the only time printed
    ],
)
def test_dates_in_the_forms_pages_print_them(text, expected):
    assert date_in_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("来源于：东区办事处", "东区办事处"), ("来源CSDN|", "CSDN"), ("来源于网络", None), ("来源：新京报", "新京报")],
)
def test_a_source_label_with_or_without_its_colon(text, expected):
    assert source_in(text) == expected


def test_a_time_printed_without_its_year_completes_the_day_read_elsewhere():
    assert with_time_of_day("2019-10-08", "发布时间：10-08 12:00") == "2019-10-08T12:00:00+08:00"
    assert with_time_of_day("2019-10-09", "发布时间：10-08 12:00") == "2019-10-09"  # another day: not its time
    assert with_time_of_day(None, "10-08 12:00") is None


def test_a_notice_signs_off_with_its_date_alone_on_a_line():
    assert date_signed(["杭州市公安局", "二〇一九年九月七日"]) == "2019-09-07"
    assert date_signed(["2019年9月7日，民警在辖区巡逻时发现……"]) is None  # a story's sentence is no sign-off


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("window.global = { source: '补壹刀微信公号', // 来源", "补壹刀微信公号"),
        ('window.DATA = {"media": "扬眼", "media_id": "5183008"}', "扬眼"),
        ('var cfg = {source: "pc", mediaName: "http://x.cn/", sourceName: "新华社"}', "新华社"),  # Chinese, no URL
        ('{source: "weibo"}', None),
        ('var nickname = htmlDecode("平安浙江");', "平安浙江"),  # a WeChat post's account
    ],
)
def test_a_source_kept_in_the_pages_script_config(script, expected):
    assert source_in_script(script) == expected
