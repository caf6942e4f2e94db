"""Tables a person reads at a glance (rich renders them; plain text when piped)."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator, Sequence
from typing import TypeVar

from rich.console import Console
from rich.live import Live
from rich.progress import track
from rich.table import Table
from scrapy.utils.log import get_scrapy_root_handler

from crawler.run import RunRow
from crawler.scheduling.cron import ZONE_NAME
from storage.summary import PortalSummary

T = TypeVar("T")


def progress(items: Sequence[T], description: str) -> Iterator[T]:
    """A progress bar on a terminal, nothing when piped."""
    console = Console(stderr=True)
    if not console.is_terminal:
        return iter(items)
    return iter(track(items, description=description, console=console, transient=True))


class _CrawlProgress:
    """One line per portal: pages fetched, new articles and errors stored so far, and how the run ended."""

    def __init__(self, crawlers: list):
        self.crawlers = crawlers

    def __rich__(self) -> Table:
        table = Table.grid(padding=(0, 2))
        for crawler in self.crawlers:
            stats = crawler.stats.get_stats()
            name = crawler.spider.name if crawler.spider else crawler.spidercls.name
            table.add_row(f"[bold]{name}[/]", stats.get("finish_reason", "crawling"),
                          f"{stats.get('item_scraped_count', 0)} pages",
                          f"{stats.get('archive/new', 0)} new articles", f"{stats.get('archive/errors', 0)} errors")
        return table


@contextlib.contextmanager
def crawl_progress(crawlers: list) -> Iterator[None]:
    """A live line per portal on a terminal (stderr), the crawl's log scrolling above it; nothing when piped."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    handler = get_scrapy_root_handler()
    stream = handler.stream if isinstance(handler, logging.StreamHandler) and not isinstance(
        handler, logging.FileHandler) else None
    with Live(_CrawlProgress(crawlers), console=console, refresh_per_second=4, transient=True,
              redirect_stderr=True):
        if stream is not None:
            handler.setStream(sys.stderr)  # rich's proxy: log lines print above the live lines
        try:
            yield
        finally:
            if stream is not None:
                handler.setStream(stream)


def print_table(title: str, columns: list[str], rows: list[list[object]], console: Console | None = None) -> None:
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 or not _numeric(rows, i) else "right")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console = console or Console()
    if not console.is_terminal:
        console = Console(width=200)  # piped or captured: keep whole values rather than cut them to 80 columns
    console.print(table)


def _numeric(rows: list[list[object]], i: int) -> bool:
    return all(isinstance(r[i], int) for r in rows if r[i] is not None) and bool(rows)


def print_runs(rows: list[RunRow]) -> None:
    print_table(
        "Crawl runs",
        ["portal", "outcome", "pages", "new articles", "unchanged", "duplicates", "rejected", "errors", "run"],
        [[r.portal, r.outcome, r.pages, r.new_articles, r.unchanged, r.duplicates, r.rejected, r.errors, r.run_id]
         for r in rows],
    )
    for r in rows:
        if r.reason:
            print(f"{r.portal} {r.outcome}: {r.reason}")


def print_summaries(summaries: list[PortalSummary]) -> None:
    print_table(
        "Archive by portal",
        ["portal", "articles", "duplicates", "rejections by reason", "errors", "last run", "outcome", "new"],
        [[s.portal, s.articles, s.duplicates,
          "; ".join(f"{reason}: {n}" for reason, n in s.rejections.items()) or "-",
          s.errors, s.last_run_started or "never", s.last_run_outcome, s.last_run_new]
         for s in summaries],
    )


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_eval(tallies: dict, split_prefix: str) -> None:
    """One row per (corpus group, extractor), the two extractors side by side; then the real Chinese pages by
    the split of their sites, tuning beside validation."""
    by_corpus = {key: t for key, t in tallies.items() if not key[0].startswith(split_prefix)}
    by_split = {key: t for key, t in tallies.items() if key[0].startswith(split_prefix)}
    _print_eval_table("Extraction on labelled pages", by_corpus)
    if by_split:
        _print_eval_table("Real Chinese pages by site: rules are written on tuning sites, validation sites are "
                          "never read", by_split)


def _print_eval_table(title: str, tallies: dict) -> None:
    rows = []
    for (group, name), t in sorted(tallies.items()):
        rows.append([
            group, name, t.pages, _fmt(t.type_correct / t.pages),
            _fmt(t.body_mean(0)), _fmt(t.body_mean(1)), _fmt(t.body_mean(2)),
            _fmt(t.mean(t.title)), _fmt(t.mean(t.date)), _fmt(t.mean(t.source)), t.leaked,
            _fmt(1000 * t.seconds / t.pages, 1),
        ])
    print_table(
        title,
        ["corpus", "extractor", "pages", "page type", "body P", "body R", "body F1", "title", "date",
         "source", "leaked", "ms/page"],
        rows,
    )


def print_hits(hits: list, total: int, query: str) -> None:
    """Search results: id, date, portal, title and URL, and the snippet with the matches highlighted."""
    from rich.text import Text

    console = _console()
    if not hits:
        console.print(f"no article matches {query!r}")
        return
    shown = f"showing {len(hits)} of {total}" if total > len(hits) else f"{total}"
    table = Table(title=f"{shown} articles matching {query!r}", title_justify="left", show_lines=True,
                  caption="`python -m crawler show ID` prints one in full", caption_justify="left")
    table.add_column("id", justify="right")
    for column in ("published", "portal", "title and URL", "snippet"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        snippet = Text(hit.snippet)
        for start, end in hit.highlights:
            snippet.stylize("bold yellow", start, end)
        title = Text(hit.title or "")
        title.append(f"\n{hit.url}", style="dim")
        table.add_row(str(hit.id), (hit.published or "")[:16], hit.portal, title, snippet)
    console.print(table)


def print_article(article) -> None:
    """One article in full, as it reads: headline, the line of date, source and author, its URLs, the text."""
    from rich.markup import escape

    console = _console()
    console.print(f"[bold]{escape(article.title or '(no title)')}[/]")
    facts = [article.published or "date unknown", article.source and f"来源: {article.source}",
             article.author and f"作者: {article.author}", f"{article.portal}, article {article.id}"]
    console.print(escape(" · ".join(f for f in facts if f)))
    console.print(escape(article.url), style="dim", soft_wrap=True)
    for copy in article.copies:
        console.print(escape(f"also at {copy.url} ({copy.portal})"), style="dim", soft_wrap=True)
    if article.versions:
        console.print(f"corrected since first archived: {article.versions} earlier version(s) kept")
    console.print()
    for paragraph in article.text.splitlines():
        console.print(escape(paragraph), soft_wrap=not console.is_terminal)
        console.print()


def _console() -> Console:
    """The terminal's width on a terminal; piped or captured, wide enough to keep whole values."""
    console = Console()
    return console if console.is_terminal else Console(width=200)


def print_status(statuses: list) -> None:
    colour = {"ok": "green", "warn": "yellow", "failing": "bold red"}
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    table = Table(title=f"Portals (times in {ZONE_NAME})", title_justify="left")
    for column in ("portal", "last run", "outcome", "age", "next run", "new (last)", "new (24 h)", "rejected",
                   "empty runs", "health", "why"):
        table.add_column(column, overflow="fold")
    for s in statuses:
        age = "-" if s.age_minutes is None else (f"{s.age_minutes} min" if s.age_minutes < 120
                                                 else f"{s.age_minutes // 60} h")
        table.add_row(s.portal, (s.last_run or "never")[:16], s.last_outcome or "-", age, s.next_run[:16],
                      "-" if s.new_last_run is None else str(s.new_last_run), str(s.new_24h),
                      "-" if s.rejection_rate is None else f"{s.rejection_rate:.0%}", str(s.empty_runs),
                      f"[{colour[s.health]}]{s.health}[/]", "; ".join(s.reasons))
    console.print(table)
    for s in statuses:  # what each verdict rests on, one line a portal
        console.print(f"{s.portal}: {s.evidence_line}", soft_wrap=True, markup=False, highlight=False)
