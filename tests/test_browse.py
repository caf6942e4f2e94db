"""Browsing the archive in Datasette: metadata, canned queries, and a search in a real headless browser."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from storage import Archive, Article, Page
from tests.conftest import ROOT, _env, free_port

ARTICLES = [
    ("宁波警方追逃成果显著", "今年以来，宁波民警开展追逃专项行动，抓获在逃人员120名。\n其中，公安部A级通缉令逃犯2名。"),
    ("象山警察破獲電信詐騙案", "近日，象山縣公安局破獲一起電信詐騙案件，派出所提醒市民注意防範。"),
    ("宁波交警夜查酒驾", "宁波交警连续开展夜查行动，查处酒驾醉驾违法行为35起。"),
]
COPY_URL = "http://nb.cnnb.com.cn/copy/0.shtml"  # the first article again, published a day later


@pytest.fixture(scope="module")
def datasette(tmp_path_factory):
    db = tmp_path_factory.mktemp("browse") / "archive.db"
    archive = Archive.open(db)
    run = archive.start_run("cnnb")
    archive.write_batch([Page(f"http://news.cnnb.com.cn/{i}.shtml", "cnnb", "2026-11-22T00:00:00+00:00",
                              outcome="article", article=Article(t, f"2021-01-0{i + 1}", "中国宁波网", None, x))
                         for i, (t, x) in enumerate(ARTICLES)], run)
    archive.write_batch([Page(COPY_URL, "cnnb", "2026-11-22T00:00:00+00:00", outcome="article",
                              article=Article(ARTICLES[0][0], "2021-01-02", None, None, ARTICLES[0][1]))], run)
    archive.update_run(run, outcome="finished")
    archive.close()
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "crawler", "browse", "--db", str(db), "--port", str(port)],
                               cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("datasette did not start")
    yield base
    process.terminate()  # `browse` stops its Datasette server when it is told to stop …
    process.wait(timeout=10)
    time.sleep(0.5)
    with contextlib.suppress(ProcessLookupError):  # … and nothing of its process group is left either way
        assert os.killpg(process.pid, 0) is None
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the Datasette server outlived `browse`")


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_tables_have_descriptions_and_canned_queries_exist(datasette):
    meta = get_json(datasette + "/-/metadata.json")
    tables = meta["databases"]["archive"]["tables"]
    assert tables["articles"]["fts_table"] == "articles_fts"
    assert "published" in tables["articles"]["columns"]
    assert set(meta["databases"]["archive"]["queries"]) >= {
        "search", "latest_per_portal", "rejections_by_reason", "runs", "near_duplicate_groups"}


def test_the_search_query_finds_both_scripts_and_three_character_words(datasette):
    def titles(q):
        rows = get_json(f"{datasette}/archive/search.json?_shape=array&q={urllib.parse.quote(q)}")
        return {row["title"] for row in rows}

    assert titles("警察") == {ARTICLES[1][0]}
    assert titles("派出所") == {ARTICLES[1][0]}
    assert titles("交警") == {ARTICLES[2][0]}


def test_column_filters_and_near_work_in_the_search_box_and_the_canned_query(datasette):
    def table(q):
        rows = get_json(f"{datasette}/archive/articles.json?_shape=array&_search={urllib.parse.quote(q)}")
        return {row["title"] for row in rows}

    def canned(q):
        return {row["title"] for row in get_json(f"{datasette}/archive/search.json?_shape=array&q={urllib.parse.quote(q)}")}

    assert table("title:宁波") == canned("title:宁波") == {ARTICLES[0][0], ARTICLES[2][0]}
    assert table("text:宁波") == {ARTICLES[0][0], ARTICLES[2][0]}
    assert table("NEAR(宁波 追逃, 4)") == canned("NEAR(宁波 追逃, 4)") == {ARTICLES[0][0]}  # 宁波民警开展追逃


def get_error(url: str) -> tuple[int, str]:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=10)
    return caught.value.code, caught.value.read().decode("utf-8")


@pytest.mark.parametrize("path", ["/archive/articles.json?_search=", "/archive/articles?_search=",
                                  "/archive/search?q="])
def test_a_query_that_cannot_run_gets_the_clear_line_the_cli_prints(datasette, path):
    status, body = get_error(datasette + path + urllib.parse.quote("author:宁波"))
    assert status == 400
    assert "author: is no column to search; limit a term to title: or text:" in body
    assert "user-defined function raised exception" not in body
    status, body = get_error(datasette + path + urllib.parse.quote("！？"))
    assert "the query holds no word to look for" in body and "user-defined function" not in body


@pytest.mark.parametrize(("query", "message"), [
    ("author:宁波", "author: is no column to search"),
    ("！？", "the query holds no word to look for"),
    ('"宁波', "unbalanced quote in the query"),
])
def test_the_canned_searchs_json_answers_a_query_that_cannot_run_with_the_clear_line(datasette, query, message):
    status, body = get_error(f"{datasette}/archive/search.json?q={urllib.parse.quote(query)}")
    answer = json.loads(body)
    assert status == 400 and answer["ok"] is False and answer["error"].startswith(message), answer
    assert "user-defined function" not in body


def test_the_canned_searchs_json_for_nothing_typed_is_empty(datasette):
    for q in ("", "%20%20"):
        answer = get_json(f"{datasette}/archive/search.json?q={q}")
        assert answer["ok"] is True and answer["rows"] == [] and answer["error"] is None, answer


def test_the_articles_table_and_its_search_results_have_a_year_facet(datasette):
    answer = get_json(f"{datasette}/archive/articles.json?_search={urllib.parse.quote('宁波')}")
    facets = answer["facet_results"]
    assert set(facets) == {"portal", "source", "published"}
    assert [(v["value"], v["count"]) for v in facets["published"]["results"]] == [("2021", 2)]
    assert facets["published"]["type"] == "year"
    chosen = get_json(facets["published"]["results"][0]["toggle_url"].replace(".json?", ".json?_shape=objects&", 1))
    assert {row["title"] for row in chosen["rows"]} == {ARTICLES[0][0], ARTICLES[2][0]}
    assert chosen["facet_results"]["published"]["results"][0]["selected"] is True
    assert get_json(f"{datasette}/archive/articles.json?published__startswith=2020")["rows"] == []


def test_the_canned_search_before_anything_is_typed_shows_no_error(datasette):
    with urllib.request.urlopen(datasette + "/archive/search", timeout=10) as response:
        body = response.read().decode("utf-8")
    assert "message-error" not in body and "user-defined function" not in body


def test_the_archive_is_served_read_only(datasette):
    request = urllib.request.Request(
        f"{datasette}/archive.json?sql={urllib.parse.quote('delete from articles')}&_shape=array")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=10)
    assert len(get_json(f"{datasette}/archive/articles.json?_shape=array")) == len(ARTICLES)


@pytest.fixture(scope="module")
def browser():
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver must be installed in CI (.ci/run installs them)")
        pytest.skip("install Debian's chromium and chromium-driver to run the browser test")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,900",
                 # no name resolves but loopback: the archived pages' links (portal URLs) can never be fetched,
                 # prefetched or resolved by the browser
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--dns-prefetch-disable"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(driver_path), options=options)
    yield browser
    browser.quit()


def type_and_submit(browser, field: str, text: str) -> None:
    """Type into a form's field and submit it, as a person would; wait for the answer's page."""
    from selenium.webdriver.common.by import By

    box = browser.find_element(By.CSS_SELECTOR, f"input[name={field}]")
    box.send_keys(text)
    box.submit()
    deadline = time.monotonic() + 10
    while f"{field}=" not in browser.current_url and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_person_searches_a_two_character_word_in_a_real_browser(datasette, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(datasette + "/archive/articles")
    type_and_submit(browser, "_search", "追逃")
    browser.save_screenshot(str(tmp_path / "search.png"))
    page = browser.find_element(By.TAG_NAME, "body").text
    assert ARTICLES[0][0] in page
    assert ARTICLES[2][0] not in page


def test_the_articles_table_reads_who_when_what_first_and_links_each_title(datasette, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(datasette + "/archive/articles")
    browser.save_screenshot(str(tmp_path / "articles.png"))
    headers = [th.text.strip(" ▼▲") for th in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns th")]
    assert headers[:6] == ["id", "published", "portal", "source", "title", "text"], headers
    assert {"url_hash", "content_hash"} <= set(headers[6:])  # still there, after what a reader wants
    first_row = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert first_row.rect["y"] < 900 and first_row.rect["height"] < 200, first_row.rect  # not 1,750 px down
    years = browser.find_element(By.ID, "facet-published").text
    assert years.startswith("published (year)") and "2021 3" in years, years  # the years, each with its count
    excerpt = first_row.find_element(By.CSS_SELECTOR, "td.col-text").text
    assert len(excerpt) <= 61 and excerpt.endswith("…") or len(excerpt) < 60
    title = first_row.find_element(By.CSS_SELECTOR, "td.col-title a")
    assert title.rect["width"] > 100  # the headline is not one character per line


def test_an_articles_page_reads_like_the_article(datasette, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(datasette + "/archive/articles?_search=" + urllib.parse.quote("追逃"))
    browser.find_element(By.LINK_TEXT, ARTICLES[0][0]).click()
    deadline = time.monotonic() + 10
    while "/archive/articles/" not in browser.current_url and time.monotonic() < deadline:
        time.sleep(0.1)
    browser.save_screenshot(str(tmp_path / "article.png"))
    article = browser.find_element(By.CSS_SELECTOR, "article.archived-article")
    assert article.find_element(By.TAG_NAME, "h1").text == ARTICLES[0][0]
    assert "来源: 中国宁波网" in article.text and "2021-01-01" in article.text
    assert article.find_element(By.LINK_TEXT, "http://news.cnnb.com.cn/0.shtml")
    assert [p.text for p in article.find_elements(By.CSS_SELECTOR, "p")][2:4] == ARTICLES[0][1].split("\n")
    assert article.find_element(By.LINK_TEXT, COPY_URL)  # its syndicated copy


def test_the_overview_charts_articles_per_month_beside_each_portals_health(datasette, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(datasette + "/-/overview")
    browser.save_screenshot(str(tmp_path / "overview.png"))
    charts = browser.find_elements(By.CSS_SELECTOR, ".portal-chart")
    assert [c.find_element(By.TAG_NAME, "h3").text for c in charts] == ["cnnb"]
    bars = charts[0].find_elements(By.CSS_SELECTOR, "svg.months rect")
    assert len(bars) == 1 and bars[0].rect["height"] > 0  # three articles, all in 2021-01
    health = {row.find_elements(By.TAG_NAME, "td")[0].text: row.text
              for row in browser.find_elements(By.CSS_SELECTOR, "table.overview-health tbody tr")}
    assert "finished" in health["cnnb"] and "never" in health["zjol"]


def test_the_search_page_counts_highlights_and_narrows_by_facets(datasette, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(datasette + "/")
    browser.find_element(By.LINK_TEXT, "Search").click()
    type_and_submit(browser, "q", "宁波")
    browser.save_screenshot(str(tmp_path / "search-page.png"))
    assert browser.find_element(By.CSS_SELECTOR, ".result-count").text == "2 articles matching “宁波”"
    assert {m.text for m in browser.find_elements(By.CSS_SELECTOR, ".hit mark")} == {"宁波"}
    assert {a.text for a in browser.find_elements(By.CSS_SELECTOR, ".hit a.title")} == {ARTICLES[0][0], ARTICLES[2][0]}
    facets = {f.find_element(By.TAG_NAME, "h3").text: f.text for f in browser.find_elements(By.CSS_SELECTOR, ".facet")}
    assert set(facets) == {"portal", "source", "year"} and "2021 2" in facets["year"]
    browser.get(datasette + "/-/search?q=" + urllib.parse.quote("title:NEAR(宁波 酒驾, 4)"))
    assert browser.find_element(By.CSS_SELECTOR, ".result-count").text == "1 article matching “title:NEAR(宁波 酒驾, 4)”"
    browser.get(datasette + "/-/search?q=" + urllib.parse.quote("author:宁波"))
    assert "author: is no column to search" in browser.find_element(By.CSS_SELECTOR, ".message-error").text
