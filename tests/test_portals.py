"""The portal registry: every shipped portal is valid, and bad entries fail with the field named."""

import pytest

from crawler.portals import (
    PortalConfigError,
    UnknownPortalError,
    load_portals,
    options_for_url,
    portal_for_url,
    select_portals,
)

SHIPPED = {"zjol", "dazhong", "cnnb", "cnnb_epaper", "gat_zj"}


def test_shipped_registry_declares_the_five_portals_with_real_url_shapes():
    portals = load_portals()
    assert set(portals) == SHIPPED
    examples = {
        "zjol": ["http://zjnews.zjol.com.cn/05zjnews/system/2011/12/26/018103886.shtml",
                 "https://zjnews.zjol.com.cn/zjnews/202608/t20260810_31838905.shtml"],
        "dazhong": ["http://dezhou.dzwww.com/dzzt/qzlx/hd/201409/t20140909_10982363.htm",
                    "http://sd.dzwww.com/sdnews/201011/t20101121_5990791.html"],
        "cnnb": ["http://news.cnnb.com.cn/system/2021/01/30/030225083.shtml"],
        "cnnb_epaper": ["http://daily.cnnb.com.cn/nbrb/html/2021-04/02/content_1267275.htm"],
        "gat_zj": ["https://gat.zj.gov.cn/art/2024/1/11/art_1229488108_59090474.html"],
    }
    for name, urls in examples.items():
        for url in urls:
            assert portals[name].is_article_url(url) and portals[name].owns(url), url
            assert portal_for_url(portals, url).name == name
    assert not portals["zjol"].is_article_url("https://zjnews.zjol.com.cn/zjnews/pazj/index.shtml")


def write(tmp_path, text):
    path = tmp_path / "portals.toml"
    path.write_text(text, "utf-8")
    return path


def test_a_bad_regex_names_the_portal_and_the_field(tmp_path):
    path = write(tmp_path, '[portals.x]\nallowed_domains=["x.cn"]\nstart_urls=["http://x.cn/"]\n'
                           'article_patterns=["(unclosed"]\n')
    with pytest.raises(PortalConfigError, match="portal 'x': field 'article_patterns' has a bad regex"):
        load_portals(path)


def test_a_missing_required_field_is_named(tmp_path):
    path = write(tmp_path, '[portals.x]\nstart_urls=["http://x.cn/"]\narticle_patterns=["a"]\n')
    with pytest.raises(PortalConfigError, match="'allowed_domains' is required"):
        load_portals(path)


def test_a_portal_found_through_its_sitemaps_or_feeds_alone_needs_no_start_urls(tmp_path):
    path = write(tmp_path, '[portals.x]\nallowed_domains=["x.cn"]\nsitemaps=["http://x.cn/sitemap.xml"]\n'
                           'article_patterns=["a"]\n')
    portal = load_portals(path)["x"]
    assert portal.start_urls == () and portal.sitemaps == ("http://x.cn/sitemap.xml",)
    with pytest.raises(PortalConfigError, match="give at least one of start_urls, sitemaps, feeds"):
        load_portals(write(tmp_path, '[portals.x]\nallowed_domains=["x.cn"]\narticle_patterns=["a"]\n'))


def test_missing_and_malformed_files_are_clear_errors(tmp_path):
    with pytest.raises(PortalConfigError, match="does not exist"):
        load_portals(tmp_path / "nope.toml")
    with pytest.raises(PortalConfigError, match="not valid TOML"):
        load_portals(write(tmp_path, "[portals.x\n"))


def test_unknown_portal_names_list_the_known_ones():
    with pytest.raises(UnknownPortalError, match="unknown portal nope; known portals: zjol, dazhong"):
        select_portals(load_portals(), ["zjol", "nope"])
    assert [p.name for p in select_portals(load_portals(), [])] == list(load_portals())


def test_extraction_rules_follow_the_url_portal_then_site_then_generic():
    zjol = options_for_url("https://zjnews.zjol.com.cn/zjnews/202608/t20260810_31838905.shtml")
    assert zjol == load_portals()["zjol"].extract_options() and "#article_body" in zjol.body_selectors
    wechat = options_for_url("https://mp.weixin.qq.com/s/abc")
    assert wechat.body_selectors == ("#js_content",) and wechat.source_selectors == ("#js_name",)
    assert options_for_url("https://example.org/a.html").body_selectors == ()


def test_a_bad_script_date_regex_is_named(tmp_path):
    path = write(tmp_path, '[portals.x]\nallowed_domains=["x.cn"]\nstart_urls=["http://x.cn/"]\n'
                           'article_patterns=["a"]\n[sites.w]\ndomains=["w.cn"]\nextract.script_dates=["(bad"]\n')
    with pytest.raises(PortalConfigError, match="site 'w': extract.script_dates has a bad regex"):
        options_for_url("http://w.cn/a", path)
