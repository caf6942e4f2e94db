"""A portal entry inferred from channel pages, shown in full before anything is written.

`infer_portal` reads the channel pages (and the list pages after them, a few sample articles, robots.txt,
sitemaps and feeds) through a `PageSource`, and returns a `PortalGuess`: the entry, and the evidence for each
part of it (the links each article pattern matches, what each sample article extracts to), so that a person
can judge it. `write_entry` adds it to a portals file only when asked, and never over an existing name.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement, document_fromstring

from crawler.extraction import ExtractOptions, Extraction, extract_page
from crawler.extraction.decode import decode_html
from crawler.inference import discovery, selectors
from crawler.inference.links import Cluster, Link, article_clusters, clusters, page_links, shape_pattern
from crawler.inference.schedule import cron_for, link_date, publication_interval_hours
from crawler.inference.source import PageSource, SourceError
from crawler.portals import PortalConfigError, _portal_from_entry

SAMPLES_PER_PATTERN = 3
SIDEBAR_SHARE = 5  # a group of template links this many times smaller than the biggest is no channel's list
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_HOST_WORDS = {"www", "com", "cn", "net", "org", "gov", "edu", "html"}


class InferenceError(ValueError):
    """The pages do not show what an entry needs (no article links found); the message says what was seen."""


class EntryExistsError(ValueError):
    """The portals file already declares a portal of that name."""


@dataclass
class SampleResult:
    """One sample article and what extraction makes of it with the inferred entry's rules."""

    url: str
    status: int
    extraction: Extraction | None = None


@dataclass
class PortalGuess:
    """An inferred portal entry and the evidence for it."""

    name: str
    title: str
    allowed_domains: list[str]
    start_urls: list[str]
    article_patterns: list[str]
    matches: dict[str, list[str]] = field(default_factory=dict)  # pattern -> the links it matches
    next_page_texts: list[str] = field(default_factory=list)
    list_patterns: list[str] = field(default_factory=list)
    max_list_pages: int = 1
    list_pages: list[str] = field(default_factory=list)
    forwarded: dict[str, str] = field(default_factory=dict)  # channel page -> the list page it forwards to
    links_in_scripts: bool = False
    sitemaps: dict[str, int] = field(default_factory=dict)  # url -> how many article URLs it lists
    feeds: dict[str, int] = field(default_factory=dict)
    charset: str = "utf-8"
    body_selectors: list[str] = field(default_factory=list)
    title_selectors: list[str] = field(default_factory=list)
    source_selectors: list[str] = field(default_factory=list)
    samples: list[SampleResult] = field(default_factory=list)
    schedule: str = "0 */6 * * *"
    interval_hours: float | None = None
    other_shapes: list[Cluster] = field(default_factory=list)  # link groups not taken as articles


@dataclass
class _ListPage:
    url: str
    root: HtmlElement
    links: list[Link]
    charset: str | None
    title: str


def default_name(url: str) -> str:
    """A portal name from the host: its words without www and the public suffix (`gat.zj.gov.cn` -> gat_zj)."""
    words = [w for w in (urlsplit(url).hostname or "portal").lower().split(".") if w not in _HOST_WORDS]
    name = "_".join(re.sub(r"\W", "_", w) for w in words) or "portal"
    return name if name[0].isalpha() else f"p_{name}"


def _read_list(source: PageSource, url: str) -> _ListPage | None:
    answer = source.get(url)
    if not answer.ok:
        return None
    charset = discovery.declared_charset(answer.body, answer.content_type)
    text = decode_html(answer.body, answer.content_type, charset or "utf-8").text
    try:
        root = document_fromstring(text)
    except (etree.ParserError, ValueError):  # an empty or markup-less body
        return None
    title = (root.findtext(".//title") or "").strip()
    return _ListPage(answer.final_url, root, page_links(root, text, answer.final_url), charset, title)


def _walk_lists(source: PageSource, first: _ListPage, hosts: set[str],
                rule: discovery.Pagination) -> tuple[list[_ListPage], bool]:
    """The list pages after `first` that the pagination rule reaches, up to MAX_LIST_PAGES (and whether the
    walk stopped there rather than at the list's end)."""
    pages, seen, queue = [first], {first.url}, discovery.next_pages(first.links, hosts, rule)
    while queue and len(pages) < discovery.MAX_LIST_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if page := _read_list(source, url):
            pages.append(page)
            queue += [u for u in discovery.next_pages(page.links, hosts, rule) if u not in seen]
    return pages, bool(queue)


def _forwarded(source: PageSource, page: _ListPage, hosts: set[str], guess: PortalGuess) -> _ListPage:
    """The page a list starts on: the channel page itself, or, when it lists no articles, the page it forwards
    to (an e-paper's `index.htm` sends the reader to today's `node_1.htm`)."""
    if article_clusters(page.links, hosts):
        return page
    target = discovery.forward_target(page.root, page.links, page.url, hosts)
    if target and (urlsplit(target).hostname or "") in hosts and (forwarded := _read_list(source, target)):
        guess.forwarded[page.url] = forwarded.url
        return forwarded
    return page


def _on_every_page(pages: list[_ListPage]) -> set[str]:
    """The links every page of a walked list shares (two pages at least): the template's menus and sidebars."""
    if len(pages) < 2:
        return set()
    return set.intersection(*({link.url for link in page.links} for page in pages))


def _without_sidebars(found: list[Cluster], chrome: set[str]) -> list[Cluster]:
    """The article groups without a small one that only the template's sidebar shows (another channel's picture
    news on every list page): the channel's own articles change from page to page."""
    if len(found) < 2:
        return found
    biggest = max(len(c.paths) for c in found)
    return [c for c in found if not (len(c.paths) * SIDEBAR_SHARE < biggest
                                     and all(link.url in chrome for link in c.links))]


def infer_portal(urls: list[str], source: PageSource, name: str | None = None) -> PortalGuess:
    """Everything `portal add` shows: the entry inferred from these channel pages, with its evidence."""
    starts = []
    for url in urls:
        page = _read_list(source, url)
        if page is None:
            answer = source.get(url)
            why = answer.headers.get("error") or f"http {answer.status}"
            raise SourceError(f"cannot read the channel page {url} ({why}); check the URL")
        starts.append(page)
    hosts = {(urlsplit(p.url).hostname or "").lower() for p in starts}
    name = name or default_name(starts[0].url)
    guess = PortalGuess(name, starts[0].title, sorted(hosts), [p.url for p in starts], [])
    firsts = [_forwarded(source, page, hosts, guess) for page in starts]
    rule = discovery.Pagination()
    for page in firsts:
        found = discovery.pagination(page.links, hosts)
        rule.next_page_texts = sorted({*rule.next_page_texts, *found.next_page_texts})
        rule.list_patterns = sorted({*rule.list_patterns, *found.list_patterns})
    articles = {link.path for page in firsts for c in article_clusters(page.links, hosts) for link in c.links}
    rule.list_patterns = [p for p in rule.list_patterns if not any(re.search(p, path) for path in articles)]
    for target in guess.forwarded.values():  # the spider must follow the entry page's link to it
        if not any(re.search(p, urlsplit(target).path) for p in rule.list_patterns):
            rule.list_patterns.append(shape_pattern([urlsplit(target).path]))
    lists, chrome = [], set()
    for start, page in zip(starts, firsts):
        walked, more = _walk_lists(source, page, hosts, rule) if rule else ([page], False)
        chrome |= _on_every_page(walked)
        walked = [start, *walked] if page is not start else walked
        lists += walked
        guess.max_list_pages = max(guess.max_list_pages, discovery.MAX_LIST_PAGES if more else len(walked))
    guess.next_page_texts, guess.list_patterns = rule.next_page_texts, rule.list_patterns
    guess.list_pages = [p.url for p in lists]
    links = [link for page in lists for link in page.links]
    found = _without_sidebars(article_clusters(links, hosts), chrome)
    guess.other_shapes = [c for c in clusters(links, hosts) if c not in found][:8]
    if not found:
        raise InferenceError(_no_articles_message(guess))
    guess.article_patterns = [c.pattern for c in found]
    guess.matches = {c.pattern: c.paths for c in found}
    guess.links_in_scripts = any(all(link.in_script for link in c.links) for c in found)
    guess.charset = next((p.charset for p in starts if p.charset), None) or "utf-8"
    _find_sitemaps_and_feeds(guess, source, starts, links)
    article_links = {link.url: link for c in found for link in c.links}
    dates = [d for link in article_links.values() if (d := link_date(link))]
    guess.interval_hours = publication_interval_hours(dates)
    guess.schedule = cron_for(guess.interval_hours, guess.name)
    _infer_selectors(guess, source, found)
    return guess


def _no_articles_message(guess: PortalGuess) -> str:
    return (f"no group of numbered article links with headlines found on {', '.join(guess.start_urls)} "
            f"(is it a channel page that lists articles?)")


def _matches_any(url: str, guess: PortalGuess) -> bool:
    parts = urlsplit(url)
    return ((parts.hostname or "") in guess.allowed_domains
            and any(re.search(p, parts.path) for p in guess.article_patterns))


def _find_sitemaps_and_feeds(guess: PortalGuess, source: PageSource, starts: list[_ListPage],
                             links: list[Link]) -> None:
    """Keep the sitemaps and feeds that list URLs of the article patterns (others would only cost requests)."""
    for url in discovery.candidate_sitemaps(source, starts[0].url):
        listed = discovery.sitemap_urls(source, url) or []
        if count := sum(_matches_any(u, guess) for u in listed):
            guess.sitemaps[url] = count
    for page in starts:
        for url in discovery.feed_links(page.root, page.links, page.url):
            if (urlsplit(url).hostname or "") in guess.allowed_domains and url not in guess.feeds:
                listed = discovery.feed_urls(source, url) or []
                if count := sum(_matches_any(u, guess) for u in listed):
                    guess.feeds[url] = count


def _spread(paths: list[str], k: int) -> list[str]:
    """k paths spread over the list (newest, middle, oldest), not the first k."""
    if len(paths) <= k:
        return paths
    return [paths[round(i * (len(paths) - 1) / (k - 1))] for i in range(k)]


def _infer_selectors(guess: PortalGuess, source: PageSource, found: list[Cluster]) -> None:
    """Fetch a few articles per pattern, find the selectors that hold on them, and show each page's extraction."""
    generic = ExtractOptions(default_charset=guess.charset)
    fetched, read = [], []
    for cluster in found:
        by_path = {link.path: link.url for link in cluster.links}
        paths = sorted(by_path, reverse=True)
        ordered = list(dict.fromkeys(_spread(paths, SAMPLES_PER_PATTERN) + paths))  # spread, then the rest
        articles = 0
        for path in ordered[:2 * SAMPLES_PER_PATTERN]:  # a missing or odd page gives way to the next one
            if articles == SAMPLES_PER_PATTERN:
                break
            answer = source.get(by_path[path])
            fetched.append(answer)
            if answer.ok:
                result = extract_page(answer.body, answer.url, answer.status, answer.content_type, options=generic)
                if result.status == "article" and result.text:
                    articles += 1
                    read.append(selectors.parse_sample(answer.url, answer.body, answer.content_type,
                                                       guess.charset, result.text, result.title, result.source))
    for group in selectors.group_by_pattern(read, guess.article_patterns):
        if (body := selectors.body_selector(group)) and body not in guess.body_selectors:
            guess.body_selectors.append(body)
        if (title := selectors.title_selector(group)) and title not in guess.title_selectors:
            guess.title_selectors.append(title)
        if (source := selectors.source_selector(group)) and source not in guess.source_selectors:
            guess.source_selectors.append(source)
    options = extract_options(guess)
    for answer in fetched:
        result = (extract_page(answer.body, answer.url, answer.status, answer.content_type, options=options)
                  if answer.ok else None)
        guess.samples.append(SampleResult(answer.url, answer.status, result))


def extract_options(guess: PortalGuess) -> ExtractOptions:
    return ExtractOptions(body_selectors=tuple(guess.body_selectors), title_selectors=tuple(guess.title_selectors),
                          source_selectors=tuple(guess.source_selectors), default_charset=guess.charset)


# The entry as TOML -----------------------------------------------------------------------------------------

def _strings(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def _regexes(values: list[str]) -> str:
    """Regexes as TOML literal strings (no escaping of backslashes), as portals.toml writes them."""
    return "[" + ", ".join(f"'{v}'" if "'" not in v else json.dumps(v) for v in values) + "]"


def to_toml(guess: PortalGuess) -> str:
    """The portals.toml entry, in the shipped file's style."""
    lines = [f"[portals.{guess.name}]",
             f"title = {json.dumps(guess.title, ensure_ascii=False)}",
             f"allowed_domains = {_strings(guess.allowed_domains)}",
             f"start_urls = {_strings(guess.start_urls)}"]
    if guess.sitemaps:
        lines.append(f"sitemaps = {_strings(list(guess.sitemaps))}")
    if guess.feeds:
        lines.append(f"feeds = {_strings(list(guess.feeds))}")
    if guess.next_page_texts:
        lines.append(f"next_page_texts = {_strings(guess.next_page_texts)}")
    if guess.list_patterns:
        lines.append(f"list_patterns = {_regexes(guess.list_patterns)}")
    lines.append(f"max_list_pages = {guess.max_list_pages}")
    if guess.links_in_scripts:
        lines.append("links_in_scripts = true")
    lines.append(f"article_patterns = {_regexes(guess.article_patterns)}")
    lines.append(f"charset = {json.dumps(guess.charset)}")
    lines.append(f"schedule = {json.dumps(guess.schedule)}")
    if guess.body_selectors:
        lines.append(f"extract.body = {_strings(guess.body_selectors)}")
    if guess.title_selectors:
        lines.append(f"extract.title = {_strings(guess.title_selectors)}")
    if guess.source_selectors:
        lines.append(f"extract.source = {_strings(guess.source_selectors)}")
    return "\n".join(lines) + "\n"


def check_name_free(config: Path, name: str) -> str:
    """The portals file's text, when it exists, parses and does not declare `name` yet; else the error to show."""
    if not NAME.match(name):
        raise PortalConfigError(f"portal name {name!r}: use lower-case letters, digits and _ (nothing written)")
    try:
        existing = config.read_text("utf-8") if config.exists() else ""
        declared = tomllib.loads(existing).get("portals", {})
    except (OSError, UnicodeDecodeError) as exc:
        raise PortalConfigError(f"portal config {config} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PortalConfigError(f"portal config {config} is not valid TOML: {exc}") from None
    if name in declared:
        raise EntryExistsError(f"portal {name!r} already exists in {config}; "
                               "pick another name with --name (nothing written)")
    return existing


def write_entry(config: Path, guess: PortalGuess) -> None:
    """Add the entry to the portals file; refuse a name the file already declares, or an entry it could not load."""
    existing = check_name_free(config, guess.name)
    text = (existing.rstrip("\n") + "\n\n" if existing.strip() else "") + to_toml(guess)
    _portal_from_entry(guess.name, tomllib.loads(text)["portals"][guess.name])  # raises PortalConfigError
    temporary = config.with_name(f".{config.name}.{os.getpid()}.tmp")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, config)
