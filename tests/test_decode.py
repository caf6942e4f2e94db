"""Decoding: GB pages read as GB18030, wrong declarations survived, nothing silently mangled."""

import codecs

import pytest

from crawler.extraction.decode import decode_html, normalise_charset

GBK_ONLY = "民警王喆在朱镕基题词前留影"  # 喆 and 镕 are in GBK, not in GB2312


def test_declared_gb2312_is_read_as_gb18030_so_gbk_characters_survive():
    body = f'<meta charset="gb2312"><p>{GBK_ONLY}</p>'.encode("gb18030")
    decoded = decode_html(body)
    assert GBK_ONLY in decoded.text
    assert decoded.charset == "gb18030"
    assert decoded.note is None


def test_gb_bytes_declared_utf8_still_decode_and_say_so():
    body = f'<meta charset="utf-8"><p>{GBK_ONLY}</p>'.encode("gb18030")
    decoded = decode_html(body)
    assert GBK_ONLY in decoded.text
    assert decoded.note == "declared utf-8, bytes are gb18030"


def test_utf8_bytes_declared_gb2312_are_not_turned_into_mojibake():
    body = f'<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>{GBK_ONLY}</p>'.encode()
    decoded = decode_html(body)
    assert GBK_ONLY in decoded.text
    assert decoded.charset == "utf-8"


def test_http_header_charset_wins_over_nothing_and_undeclared_gb_bytes_use_the_portal_hint():
    body = f"<p>{GBK_ONLY}</p>".encode("gb18030")
    assert GBK_ONLY in decode_html(body, "text/html; charset=GBK").text
    assert GBK_ONLY in decode_html(body, "text/html", default_charset="gb18030").text


def test_bytes_that_decode_in_no_charset_are_replaced_and_flagged():
    decoded = decode_html(b"<p>\xff\xfe\xfd abc \x81</p>", "text/html; charset=utf-8")
    assert "abc" in decoded.text
    assert decoded.note.startswith("undecodable bytes replaced")


def test_undeclared_gb_page_with_a_broken_byte_is_read_as_gb_not_as_mojibake():
    body = f"<p>{GBK_ONLY}，民警迅速赶到现场</p>".encode("gb18030") + b"\xff<p>ok</p>"
    decoded = decode_html(body)  # no declaration, default utf-8, and not valid GB18030 either
    assert GBK_ONLY in decoded.text and decoded.charset == "gb18030"
    assert decoded.note == "undecodable bytes replaced (1)"


def test_charset_names_normalise_to_gb18030_for_the_whole_gb_family():
    assert {normalise_charset(n) for n in ("GB2312", "gbk", "x-gbk", "cp936", "GB18030")} == {"gb18030"}
    assert normalise_charset("no-such-charset") is None


STORY = "4月4日，记者从温州公安分局获悉，经过连续8个月的缜密侦查，警方成功打掉一个非法集资团伙。"
TEMPLATE = "<script>var nav = {home: '/index.html', list: '/news/list.shtml'};</script>\n" * 40


def html(charset: str, body: str = STORY, head: str = "", title: str = "公安局通报") -> str:
    return f'<html><head><meta charset="{charset}">{head}<title>{title}</title></head><body><p>{body}</p></body></html>'


def test_a_declared_utf8_page_with_stray_bytes_stays_utf8_and_says_bytes_were_replaced():
    clean = html("utf-8", head=TEMPLATE).encode()
    body = bytearray(clean)
    strays = range(100, len(TEMPLATE), 100)  # one byte in a hundred, all in the template's ASCII
    for n, at in enumerate(reversed(strays)):
        body.insert(at, 0x81 + n * 7 % 0x7E)
    decoded = decode_html(bytes(body), "text/html; charset=utf-8")
    assert decoded.charset == "utf-8"
    assert STORY in decoded.text and "公安局通报" in decoded.text
    assert decoded.text.count("\ufffd") == len(strays)
    assert decoded.note == f"undecodable bytes replaced ({len(strays)})"


def test_latin1_bytes_in_a_utf8_page_are_replaced_not_turned_into_hanzi():
    body = html("utf-8", "Mitgef\xfchl w\xe4hlen! " + STORY).encode().replace(b"\xc3\xbc", b"\xfc").replace(b"\xc3\xa4", b"\xe4")
    decoded = decode_html(body)
    assert decoded.charset == "utf-8"
    assert "Mitgef\ufffdhl w\ufffdhlen!" in decoded.text and STORY in decoded.text


@pytest.mark.parametrize("charset", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
def test_utf16_pages_decode_with_or_without_a_bom(charset, bom):
    page = html("utf-16", f"{GBK_ONLY}，一名民警迅速赶到现场")
    body = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}[charset] * bom + page.encode(charset)
    decoded = decode_html(body, "text/html")
    assert (decoded.text, decoded.charset, decoded.note) == (page, charset, None)


def test_big5_bytes_under_a_gb2312_declaration_are_read_as_big5():
    story = "公安局民警迅速趕到現場，警方成功打掉一個非法集資團伙。"
    decoded = decode_html(html("gb2312", story, title="公安局通報").encode("big5"))
    assert story in decoded.text and "<title>公安局通報</title>" in decoded.text
    assert decoded.charset == "big5hkscs"
    assert decoded.note == "declared gb18030, bytes are big5hkscs"  # w3lib reads gb2312 as gb18030
    assert decode_html("公安局民警".encode("big5")).text == "公安局民警"


def test_a_utf8_page_with_a_gbk_fragment_decodes_both_and_says_so():
    fragment = f"<div>相关新闻：{GBK_ONLY}，警方通报案情</div>"
    body = html("utf-8").encode() + fragment.encode("gbk")
    decoded = decode_html(body)
    assert STORY in decoded.text and fragment in decoded.text
    assert decoded.charset == "utf-8+gb18030"
    assert decoded.note == "mixed utf-8 and gb18030: 1 of 3 non-ASCII runs read as gb18030"


def test_a_gb_page_with_a_utf8_footer_decodes_both():
    footer = "<p>页脚：浙江在线版权所有</p>"
    body = html("gb2312", f"{GBK_ONLY}，{STORY}").encode("gb18030") + footer.encode()
    decoded = decode_html(body)
    assert GBK_ONLY in decoded.text and STORY in decoded.text and footer in decoded.text
    assert decoded.note.startswith("mixed utf-8 and gb18030")
