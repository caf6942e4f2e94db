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

SHIPPED = {"zjol", "dazhong", "cnnb", "cnnb_epaper", "gat_zj", "mps", "cpd", "chinapeace", "legaldaily", "gat_sd",
           "gdga", "wechat_zjga", "wechat_sdga"}


def test_shipped_registry_declares_every_portal_with_real_url_shapes():
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
        "mps": ["https://www.mps.gov.cn/n2254098/n4904352/c9947046/content.html"],
        "cpd": ["http://news.cpd.com.cn/n3559/626/t_1236449.html", "http://news.cpd.com.cn/n3559/201904/t20190415_835839.html"],
        "chinapeace": ["http://www.chinapeace.gov.cn/chinapeace/c100007/2022-07/13/content_12647719.shtml"],
        "legaldaily": ["http://www.legaldaily.com.cn/index/content/2017-04/06/content_7081187.htm?node=20908",
                       "http://www.legaldaily.com.cn/index/content/2026-01/27/content_9330365.html"],
        "gat_sd": ["http://gat.shandong.gov.cn/art/2026/9/14/art_94096_10412233.html"],
        "gdga": ["https://gdga.gd.gov.cn/jwzx/jwyw/content/post_4281874.html"],
        "wechat_zjga": ["https://mp.weixin.qq.com/s?__biz=MzA5NzQ0MDY0Mw==&mid=2653482117&idx=1"
                        "&sn=8f3c2a1b9d4e5f60718293a4b5c6d7e8&chksm=00000000"],
        "wechat_sdga": ["https://mp.weixin.qq.com/s?__biz=MzI1NjY0ODc3MQ==&mid=2247512345&idx=1"
                        "&sn=c0ffee00c0ffee00c0ffee00c0ffee00"],
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
    enabled = [name for name, portal in load_portals().items() if portal.enabled]
    assert [p.name for p in select_portals(load_portals(), [])] == enabled  # none named: the enabled ones
    assert "wechat_zjga" not in enabled and select_portals(load_portals(), ["wechat_zjga"])[0].name == "wechat_zjga"


def test_enabled_is_true_or_false(tmp_path):
    config = tmp_path / "p.toml"
    config.write_text('[portals.x]\nallowed_domains = ["x.cn"]\nstart_urls = ["http://x.cn/"]\n'
                      'article_patterns = ["^/a/"]\nenabled = "no"\n', encoding="utf-8")
    with pytest.raises(PortalConfigError, match="'enabled' must be true or false"):
        load_portals(config)


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


def test_a_pattern_that_names_a_query_tells_wechat_accounts_apart(tmp_path):
    """WeChat articles share the path /s; the account is in the query (__biz), which such a pattern matches."""
    portals = load_portals()
    other = "https://mp.weixin.qq.com/s?__biz=MzI1NjY0ODc3MQ==&mid=2247512345&idx=1&sn=c0ffee00c0ffee00c0ffee00c0ffee00"
    assert not portals["wechat_zjga"].is_article_url(other) and portals["wechat_sdga"].is_article_url(other)
    assert portal_for_url(portals, other).name == "wechat_sdga"
    assert not portals["wechat_zjga"].is_article_url("https://mp.weixin.qq.com/s?__biz=MzA5NzQ0MDY0Mw==")
    # a pattern without a query keeps matching the path alone, whatever the query
    assert portals["legaldaily"].is_article_url(
        "http://www.legaldaily.com.cn/index/content/2026-10/21/content_9468102.html?node=20908")


def test_a_portal_on_a_site_with_rules_extracts_by_them_its_own_on_top(tmp_path):
    path = write(tmp_path, '[portals.acct]\nallowed_domains=["mp.weixin.qq.com"]\nstart_urls=["https://mp.weixin.qq.com/"]\n'
                           'article_patterns=["^/s"]\nextract.title=["h2.mine"]\n'
                           '[sites.wechat]\ndomains=["mp.weixin.qq.com"]\nextract.body=["#js_content"]\n'
                           'extract.title=["#activity-name"]\n')
    options = load_portals(path)["acct"].extract_options()
    assert options.body_selectors == ("#js_content",) and options.title_selectors == ("h2.mine",)
    assert load_portals()["wechat_zjga"].extract_options().source_selectors == ("#js_name",)


def test_wechat_account_articles_extract_by_their_accounts_rules():
    """robots.txt keeps the crawler off mp.weixin.qq.com, so these pages are read as saved pages are (`extract`),
    with the rules of the portal their URL belongs to; each must give its truth's title, time, source and body."""
    import json

    from crawler.extraction import extract_page
    from replica.server import SITE_DIR

    site = SITE_DIR / "mp.weixin.qq.com"
    pages = [json.loads(line) for line in (site / "_truth.jsonl").read_text("utf-8").splitlines()]
    pages = [t for t in pages if "file" in t]
    assert len(pages) == 3
    for truth in pages:
        assert portal_for_url(load_portals(), truth["url"]).name == truth["portal"]
        result = extract_page((site / truth["file"]).read_bytes(), truth["url"], options=options_for_url(truth["url"]))
        assert (result.status, result.title, result.published, result.source) == (
            "article", truth["title"], truth["published"], truth["source"]), truth["url"]
        assert all(s in result.text for s in truth["text_has"]) and not any(s in result.text for s in truth["text_lacks"])
