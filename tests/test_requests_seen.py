"""Which requests are scheduled: one per canonical URL, none for an article the archive settled, and every hop of
a redirect loop (so REDIRECT_MAX_TIMES ends it and the page is recorded), with the Scrapy scheduler's real hooks."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.portal_run import PortalRun
from crawler.requests_seen import ArchiveDupeFilter, ArchiveFingerprinter
from storage import Archive, Article, Page

SETTINGS = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
ARTICLE = {"archive_kind": "article"}


def fingerprint(url: str, **meta) -> bytes:
    return ArchiveFingerprinter().fingerprint(Request(url, meta=meta))


def test_tracking_parameters_and_argument_order_make_the_same_request():
    assert fingerprint("http://a.cn/1.shtml?b=2&a=1&from=groupmessage") == fingerprint("https://a.cn/1.shtml?a=1&b=2")
    assert fingerprint("http://a.cn/1.shtml") != fingerprint("http://a.cn/2.shtml")


def test_each_hop_of_a_redirect_loop_is_a_request_of_its_own():
    first = fingerprint("http://a.cn/loop-a")
    hops = [fingerprint("http://a.cn/loop-a" if n % 2 == 0 else "http://a.cn/loop-b",
                        redirect_urls=["http://a.cn/loop-a"] + ["http://a.cn/x"] * (n - 1)) for n in range(1, 6)]
    assert len({first, *hops}) == 6


@pytest.fixture
def dupefilter(tmp_path):
    archive = Archive.open(tmp_path / "archive.db")
    archive.write_batch([Page("http://a.cn/settled.shtml", "p", "2026-11-30T00:00:00+00:00", http_status=200,
                              body=b"<html/>", outcome="article", article=Article("t", None, None, None, "正文"))])
    crawler = get_crawler(settings_dict=SETTINGS)
    crawler._apply_settings()
    [portal_run] = [e for e in crawler.extensions.middlewares if isinstance(e, PortalRun)]
    portal_run.archive = archive  # as PortalRun holds it while the spider is open
    yield ArchiveDupeFilter.from_crawler(crawler), crawler
    archive.close()


def test_a_settled_article_is_not_scheduled_but_its_revisit_and_list_pages_are(dupefilter):
    seen, crawler = dupefilter
    assert seen.request_seen(Request("http://a.cn/settled.shtml?from=timeline", meta=ARTICLE))
    assert crawler.stats.get_value("archive/skipped_known") == 1
    assert not seen.request_seen(Request("http://a.cn/settled.shtml", meta={**ARTICLE, "archive_refetch": True}))
    assert not seen.request_seen(Request("http://a.cn/new.shtml", meta=ARTICLE))
    assert seen.request_seen(Request("http://a.cn/new.shtml?utm_source=x", meta=ARTICLE))
    assert crawler.stats.get_value("archive/new_links") == 1
    assert not seen.request_seen(Request("http://a.cn/settled.shtml?list", meta={"archive_kind": "list"}))
