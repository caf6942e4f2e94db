"""URL and text identity: what counts as the same article."""

from storage.dedup import canonical_url, content_hash, url_hash, without_tracking


def test_tracking_parameters_scheme_and_fragment_do_not_make_a_new_url():
    plain = "http://news.cnnb.com.cn/system/2021/01/30/030225083.shtml"
    for variant in (
        plain + "?from=groupmessage",
        plain + "#comments",
        "https://news.cnnb.com.cn/system/2021/01/30/030225083.shtml",
        "http://NEWS.cnnb.com.cn:80/system/2021/01/30/030225083.shtml?utm_source=wx&from=timeline",
    ):
        assert url_hash(variant) == url_hash(plain), variant


def test_real_query_parameters_still_distinguish_pages():
    assert url_hash("http://a.gov.cn/art?id=1") != url_hash("http://a.gov.cn/art?id=2")
    assert canonical_url("http://a.gov.cn/art?b=2&a=1") == canonical_url("http://a.gov.cn/art?a=1&b=2")


def test_without_tracking_keeps_the_page_and_drops_only_tracking():
    assert without_tracking("http://a.cn/x.shtml?id=3&from=groupmessage") == "http://a.cn/x.shtml?id=3"


def test_same_text_with_other_layout_and_punctuation_hashes_the_same():
    a = "警方破获一起电信诈骗案。\n涉案金额达50万元。"
    b = "  警方破获一起电信诈骗案，涉案金额达５０万元！ "
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash("警方破获一起电信诈骗案。涉案金额达60万元。")
