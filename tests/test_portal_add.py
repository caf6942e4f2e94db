"""`portal add` infers an entry from a channel page of the replica, `portal check` crawls it into a scratch
archive: the inferred entry must archive ≥ 95 % of the host's articles (per its truth file) and request no page
the truth says a crawl must not reach, with the shipped entry removed from the configuration; likewise on
generated sites of three CMS families (TRS, Hanweb JCMS, a Founder e-paper) with random class names and chrome,
seeds not looked at while the inference was written. A guess is written only with --write, never over an
existing portal, and not while it has doubts unless a person confirms them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.cli import main
from crawler.inference.links import shape_pattern
from crawler.portals import DEFAULT_PORTALS_FILE, load_portals
from replica.cms import FAMILIES, CmsSite
from replica.generated import HOST as GENERATED_HOST
from replica.server import SITE_DIR, ReplicaServer, Site
from storage.dedup import without_tracking
from tests.conftest import FAST, GENERATED_ARTICLES, _env
from tests.test_cli_errors import assert_one_error_line

# portal name in the shipped file -> its channel pages (one per template) and the replica hosts they cover
HOSTS = {
    "zjol": (["https://zjnews.zjol.com.cn/zjnews/pazj/index.shtml",
              "http://zjnews.zjol.com.cn/05zjnews/pazj/index.shtml"], ["zjnews.zjol.com.cn"]),
    "dazhong": (["http://sd.dzwww.com/sdnews/index.htm", "http://dezhou.dzwww.com/dzzt/qzlx/hd/index.htm"],
                ["sd.dzwww.com", "dezhou.dzwww.com"]),
    "cnnb": (["http://news.cnnb.com.cn/nbnews/fz/index.shtml"], ["news.cnnb.com.cn"]),
    "cnnb_epaper": (["http://daily.cnnb.com.cn/nbrb/index.htm"], ["daily.cnnb.com.cn"]),
    "gat_zj": (["https://gat.zj.gov.cn/col/col1229488108/index.html"], ["gat.zj.gov.cn"]),
}


def without_entry(name: str) -> str:
    """The shipped portals file with one portal's table (and its sub-tables) cut out."""
    text = DEFAULT_PORTALS_FILE.read_text("utf-8")
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("["):
            skipping = line.startswith((f"[portals.{name}]", f"[portals.{name}."))
        if not skipping:
            kept.append(line)
    return "".join(kept)


def truth(hosts: list[str]) -> list[dict]:
    return [json.loads(line) for host in hosts
            for line in (SITE_DIR / host / "_truth.jsonl").read_text("utf-8").splitlines() if line.strip()]


def check(name: str, config: Path, replica_url: str, cwd: Path) -> dict:
    command = [sys.executable, "-m", "crawler", "portal", "check", name, "--config", str(config), "--json"]
    for key, value in {**FAST, "LOG_LEVEL": "WARNING", "REPLICA_URL": replica_url}.items():
        command += ["--set", f"{key}={value}"]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=240, env=_env())
    assert done.stdout.strip(), done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def add(urls: list[str], name: str, config: Path, replica_url: str, capsys) -> str:
    code = main(["portal", "add", *urls, "--name", name, "--config", str(config), "--write",
                 "--set", f"REPLICA_URL={replica_url}"])  # no --force: a doubt would fail the test
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


@pytest.mark.parametrize("shipped", sorted(HOSTS))
def test_an_inferred_entry_archives_the_hosts_articles_and_nothing_off_pattern(shipped, replica, tmp_path, capsys):
    urls, hosts = HOSTS[shipped]
    config = tmp_path / "portals.toml"
    config.write_text(without_entry(shipped), "utf-8")
    shown = add(urls, "trial", config, replica.url, capsys)
    assert "article pattern ^/" in shown and "[portals.trial]" in shown
    entry = load_portals(config)["trial"]
    assert set(entry.allowed_domains) == set(hosts)

    asked_before = len(replica.requests)
    report = check("trial", config, replica.url, tmp_path)
    asked = [(host, path) for host, path in replica.requests[asked_before:] if host in hosts]

    rows = truth(hosts)
    articles = {without_tracking(r["url"]) for r in rows if r["outcome"] == "article"}
    archived = articles & {without_tracking(u) for u in report["articles"]}
    assert len(archived) >= 0.95 * len(articles), sorted(articles - archived)
    known = {(urlsplit(r["url"]).hostname, urlsplit(r["url"]).path + (f"?{urlsplit(r['url']).query}"
                                                                       if urlsplit(r["url"]).query else ""))
             for r in rows if r["outcome"] != "never_requested"}
    off = [request for request in asked if request not in known and request[1] != "/robots.txt"]
    assert not off, off
    assert report["off_pattern"] == [] and report["passed"], report
    assert not (tmp_path / "data").exists()  # the trial's archive is a scratch file, not data/archive.db


def test_an_inferred_entry_archives_a_generated_portal(replica, tmp_path, capsys):
    config = tmp_path / "new.toml"  # a file of one's own, created by --write
    add([f"http://{GENERATED_HOST}/zjnews/pazj/index.shtml"], "bench", config, replica.url, capsys)
    entry = load_portals(config)["bench"]
    assert entry.max_list_pages >= GENERATED_ARTICLES // 20
    asked_before = len(replica.requests)
    report = check("bench", config, replica.url, tmp_path)
    articles = {u for u in report["articles"] if urlsplit(u).hostname == GENERATED_HOST}
    assert len(articles) >= 0.95 * GENERATED_ARTICLES
    article = re.compile(r"^/zjnews/\d{6}/t\d{8}_\d+\.shtml$")
    lists = re.compile(r"^/zjnews/pazj/index(_\d+)?\.shtml$")
    off = [path for host, path in replica.requests[asked_before:]
           if host == GENERATED_HOST and not (article.match(path) or lists.match(path) or path == "/robots.txt")]
    assert not off, off


CMS_SEEDS = (51, 52, 53)  # not the seeds the inference was tried on while it was written
CMS_SITES = {(family, seed): CmsSite(family, seed) for family in FAMILIES for seed in CMS_SEEDS}


@pytest.fixture(scope="module")
def cms_replica():
    with ReplicaServer(Site(dynamic=list(CMS_SITES.values()))) as server:
        yield server


@pytest.mark.parametrize("family, seed", sorted(CMS_SITES))
def test_an_inferred_entry_archives_a_cms_site_it_has_never_seen(family, seed, cms_replica, tmp_path, capsys):
    site = CMS_SITES[family, seed]
    config = tmp_path / "portals.toml"
    shown = add([site.start_url], "trial", config, cms_replica.url, capsys)
    entry = load_portals(config)["trial"]
    if family != "epaper":  # an e-paper prints no source line: its paper's name is the source
        assert entry.extract["source"] == [f".{site.names['source']}"], shown
        assert f"source {entry.extract['source']}" in shown
        sampled = [story for path, story in site.articles.items() if f"  http://{site.host}{path}\n" in shown]
        assert sampled and all(f", source {story.source}, " in shown for story in sampled)  # read after its label
    asked_before = len(cms_replica.requests)
    report = check("trial", config, cms_replica.url, tmp_path)
    archived = {urlsplit(u).path for u in report["articles"]} & site.listed
    assert len(archived) >= 0.95 * len(site.listed), sorted(site.listed - archived)[:5]
    asked = [path for host, path in cms_replica.requests[asked_before:] if host == site.host]
    assert asked and not [path for path in asked if not site.allowed(path)]
    assert report["passed"], report


def test_a_doubtful_guess_is_shown_and_not_written_without_confirmation(tmp_path, capsys):
    saved = tmp_path / "saved" / "shell.police.test"
    (saved / "news" / "202611").mkdir(parents=True)
    items = "".join(f'<li><a href="/news/202611/t20261130_{n}.html">第{n}号 民警迅速赶到现场将其抓获归案</a></li>'
                    for n in range(10))
    (saved / "news" / "index.html").write_text(f"<html><body><ul>{items}</ul></body></html>", "utf-8")
    for n in range(10):  # articles that a script fills in: nothing to extract
        (saved / "news" / "202611" / f"t20261130_{n}.html").write_text(
            '<html><body><div id="app"></div><script src="/app.js"></script></body></html>', "utf-8")
    config = tmp_path / "portals.toml"
    argv = ["portal", "add", "http://shell.police.test/news/index.html", "--from-dir", str(tmp_path / "saved"),
            "--config", str(config), "--write"]
    assert main(argv) == 1
    out = capsys.readouterr()
    assert "Doubts" in out.out and "not an article" in out.out
    assert_one_error_line(out.err, "not written", "--force")
    assert not config.exists()
    assert main([*argv, "--force"]) == 0
    assert "shell_police_test" in load_portals(config)


def test_add_only_shows_the_entry_without_write(replica, tmp_path, capsys):
    config = tmp_path / "portals.toml"
    config.write_text(without_entry("gat_zj"), "utf-8")
    before = config.read_bytes()
    code = main(["portal", "add", HOSTS["gat_zj"][0][0], "--config", str(config),
                 "--set", f"REPLICA_URL={replica.url}"])
    out = capsys.readouterr().out
    assert code == 0
    assert "links_in_scripts = true" in out and "sitemap https://gat.zj.gov.cn/sitemap.xml" in out
    assert "Sample articles" in out and "article: '" in out  # each sample's extraction, for a person to judge
    assert "add --write" in out
    assert config.read_bytes() == before


def test_write_refuses_an_existing_portal_name(replica, tmp_path, capsys):
    config = tmp_path / "portals.toml"
    config.write_text(DEFAULT_PORTALS_FILE.read_text("utf-8"), "utf-8")
    before = config.read_bytes()
    code = main(["portal", "add", HOSTS["cnnb"][0][0], "--name", "cnnb", "--config", str(config), "--write",
                 "--set", f"REPLICA_URL={replica.url}"])
    assert code == 2
    assert_one_error_line(capsys.readouterr().err, "already exists", "nothing written")
    assert config.read_bytes() == before


def test_write_refuses_a_page_without_article_links(tmp_path, capsys):
    saved = tmp_path / "saved" / "menu.police.test"
    saved.mkdir(parents=True)
    menu = "".join(f'<li><a href="/col/col{n}/index.html">栏目{n}</a></li>' for n in range(10))
    (saved / "index.html").write_text(f"<html><body><ul>{menu}</ul></body></html>", "utf-8")
    config = tmp_path / "portals.toml"
    code = main(["portal", "add", "http://menu.police.test/", "--from-dir", str(tmp_path / "saved"),
                 "--config", str(config), "--write"])
    assert code == 2
    assert_one_error_line(capsys.readouterr().err, "no group of numbered article links")
    assert not config.exists()


@pytest.mark.parametrize("argv, fragment", [
    (["portal", "add", "not-a-url"], "not an http(s) URL"),
    (["portal", "add", "http://a.police.test/", "--name", "Bad-Name"], "--name"),
    (["portal", "add", "http://a.police.test/", "--from-dir", "/nonexistent"], "--from-dir"),
    (["portal", "check", "nosuch"], "unknown portal nosuch"),
    (["portal", "list", "--config", "/nonexistent/portals.toml"], "does not exist"),
])
def test_portal_mistakes_are_one_line(argv, fragment, capsys):
    assert main(argv) == 2
    assert_one_error_line(capsys.readouterr().err, fragment)


def test_an_unreadable_channel_page_is_one_line_and_writes_nothing(tmp_path, capsys):
    config = tmp_path / "portals.toml"
    code = main(["portal", "add", "http://zjnews.zjol.com.cn/no/such/list.shtml", "--from-dir", str(SITE_DIR),
                 "--config", str(config), "--write"])
    assert code == 2
    assert_one_error_line(capsys.readouterr().err, "cannot read the channel page", "http 404")
    assert not config.exists()


def test_portal_list_shows_every_configured_portal(capsys):
    assert main(["portal", "list"]) == 0
    out = capsys.readouterr().out
    for portal in load_portals().values():
        assert portal.name in out and (portal.schedule if portal.enabled else "off") in out


def test_url_shapes_keep_dates_and_open_ids():
    assert shape_pattern(["/art/2024/1/11/art_1229488108_59090474.html", "/art/2023/12/8/art_1229488108_59088760.html"]
                         ) == r"^/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"
    assert shape_pattern(["/05zjnews/system/2012/03/15/018312467.shtml", "/05zjnews/system/2011/12/26/018103886.shtml"]
                         ) == r"^/05zjnews/system/\d{4}/\d{1,2}/\d{1,2}/\d+\.shtml$"
    assert shape_pattern(["/sdnews/201609/t20160912_14901234.htm", "/sdnews/201011/t20101121_5990791.html"]
                         ) == r"^/sdnews/\d{6}/t\d{8}_\d+\.html?$"
