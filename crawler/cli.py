"""`python -m crawler COMMAND`: a thin layer that parses arguments and calls the library.

Every user mistake ends in one line on stderr that says what to do, and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlsplit

from crawler.portals import (
    PortalConfigError,
    UnknownPortalError,
    load_portals,
    options_for_url,
    select_portals,
)
from storage import ArchiveError
from storage.archive import database_error
from storage.records import SKIPPED

EXIT_USAGE = 2
EXIT_BUSY = 3  # another process holds the portal (or scheduler) lock


class UserError(Exception):
    """A mistake the user can fix; printed as one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crawler", description="Police-news crawler and archive.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = sub.add_parser("crawl", help="crawl portals into the archive")
    crawl.add_argument("portals", nargs="*", metavar="PORTAL", help="portal names (default: all)")
    _add_config(crawl)
    _add_db(crawl)
    crawl.add_argument("--replica", action="store_true",
                       help="serve the bundled offline replica on 127.0.0.1 and crawl it (the offline demo)")
    crawl.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                       help="override a setting of crawler/settings.py (repeatable)")
    crawl.add_argument("--log-level", default=None, help="Scrapy log level (default INFO)")

    extract = sub.add_parser("extract", help="show what extraction makes of one saved page")
    extract.add_argument("file", type=Path, help="the saved page (raw bytes as served)")
    extract.add_argument("--url", required=True, help="the URL the page was served at (picks portal rules)")
    extract.add_argument("--status", type=int, default=200, help="HTTP status it was served with")
    extract.add_argument("--json", action="store_true", help="print one JSON object")

    stats = sub.add_parser("stats", help="articles, rejections and last run, per portal")
    _add_db(stats)

    evaluate = sub.add_parser("eval", help="score extraction on labelled pages, ours beside plain trafilatura")
    evaluate.add_argument("corpora", nargs="*", type=Path, metavar="CORPUS_DIR",
                          help="folders with index.jsonl (shared corpora) or truth.jsonl (our labelled set); "
                               "default: ../shared/corpora and benchmarks/labelled")
    evaluate.add_argument("--zh-only", action="store_true", help="only the Chinese pages of the shared corpora")
    evaluate.add_argument("--renamed-classes", action="store_true",
                          help="also score ours on the pages with every class and id renamed (a template change)")
    evaluate.add_argument("--misses", action="store_true",
                          help="list our wrong answers page by page instead (validation sites are left out)")

    reextract = sub.add_parser("reextract", help="re-run extraction over the archived raw pages, in place")
    _add_db(reextract)
    reextract.add_argument("--portal", help="only this portal's pages")
    reextract.add_argument("--since", help="only pages fetched on or after this date (YYYY-MM-DD)")

    search = sub.add_parser("search", help="full-text search in Chinese (simplified or traditional)")
    search.add_argument("query", help='words, "phrases", AND / OR / NOT, parentheses')
    _add_db(search)
    search.add_argument("--portal", help="only this portal")
    search.add_argument("--since", help="published on or after this date (YYYY-MM-DD)")
    search.add_argument("--until", help="published on or before this date (YYYY-MM-DD)")
    search.add_argument("--limit", type=int, default=20, help="at most this many results (default 20)")
    search.add_argument("--json", action="store_true", help="one JSON object per line")

    show = sub.add_parser("show", help="one article in full: title, date, source, URL, copies and text")
    show.add_argument("id", metavar="ID", help="the article's id (the first column of `search`)")
    _add_db(show)
    show.add_argument("--json", action="store_true", help="print one JSON object")

    export = sub.add_parser("export", help="export cleaned articles (jsonl, csv, txt, md) or raw pages (warc)")
    export.add_argument("--format", required=True, choices=["jsonl", "csv", "txt", "md", "warc"])
    export.add_argument("--out", required=True, type=Path, help="file (jsonl, csv, warc) or folder (txt, md)")
    _add_db(export)
    export.add_argument("--portal", help="only this portal")
    export.add_argument("--since", help="published on or after this date (YYYY-MM-DD)")
    export.add_argument("--until", help="published on or before this date (YYYY-MM-DD)")
    export.add_argument("--query", help="only articles matching this search query")

    duplicates = sub.add_parser("duplicates", help="stories published more than once (near-duplicates)")
    _add_db(duplicates)
    duplicates.add_argument("--min-size", type=int, default=2, help="smallest group to list (default 2)")
    duplicates.add_argument("--limit", type=int, default=50, help="at most this many groups (default 50)")
    duplicates.add_argument("--json", action="store_true", help="one JSON object per line")

    browse = sub.add_parser("browse", help="open the archive in Datasette (read-only, on 127.0.0.1)")
    _add_db(browse)
    browse.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    browse.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")

    schedule = sub.add_parser("schedule", help="run the portals on their cron schedules, in the foreground")
    _add_config(schedule)
    _add_db(schedule)
    schedule.add_argument("--replica", action="store_true", help="crawl the bundled offline replica")
    schedule.add_argument("--max-runs", type=int, default=None, help="stop after starting this many runs")
    schedule.add_argument("--until", default=None,
                          help="stop scheduling at this time (ISO 8601; without an offset, this machine's local time)")
    schedule.add_argument("--max-concurrent", type=int, default=2, help="runs at once, all portals (default 2)")
    schedule.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                          help="a setting passed to every run (repeatable)")
    schedule.add_argument("--scrapyd", default=None, metavar="URL",
                          help="run each crawl as a job of this scrapyd (on the archive's machine) instead of locally")
    schedule.add_argument("--scrapyd-project", default=None, metavar="NAME",
                          help="the deployed project (default: scrapy.cfg's [deploy] project)")
    schedule.add_argument("--cold-start", action="store_true",
                          help="start each run as a new Python process instead of a fork of the scheduler's warm "
                               "template (which has Scrapy imported already)")
    schedule.add_argument("--print-crontab", action="store_true", help="print equivalent crontab lines and exit")
    schedule.add_argument("--print-systemd", action="store_true", help="print equivalent systemd units and exit")

    status = sub.add_parser("status", help="per portal: last and next run, new articles, health (exit 1 if failing)")
    _add_config(status)
    _add_db(status)
    status.add_argument("--json", action="store_true", help="print JSON for machines")

    portal = sub.add_parser("portal", help="list the configured portals, infer a new one, check one in a trial crawl")
    portal_sub = portal.add_subparsers(dest="portal_command", required=True, metavar="ACTION")
    portal_list = portal_sub.add_parser("list", help="name, title, domains, start URLs and schedule of each portal")
    _add_config(portal_list)
    add = portal_sub.add_parser("add", help="infer a portal entry from its channel page(s) and show it")
    add.add_argument("urls", nargs="+", metavar="URL", help="channel/list page(s) of one portal (one per template)")
    add.add_argument("--name", help="portal name (default: from the host, e.g. gat_zj)")
    add.add_argument("--from-dir", type=Path, default=None, metavar="SAVED_PAGES",
                     help="read pages from this folder (<host>/<path>, as replica/site) instead of fetching them")
    _add_config(add)
    add.add_argument("--write", action="store_true", help="add the entry to the --config file (default: only show it)")
    add.add_argument("--force", action="store_true",
                     help="with --write: write the entry even when doubts were shown (default: ask on a terminal)")
    add.add_argument("--replica", action="store_true", help="fetch through the bundled offline replica")
    add.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     help="a setting (REPLICA_URL, USER_AGENT, DOWNLOAD_TIMEOUT are used)")
    check = portal_sub.add_parser("check", help="one bounded trial crawl into a scratch archive, with a verdict")
    check.add_argument("name", metavar="NAME", help="the portal to try")
    _add_config(check)
    check.add_argument("--replica", action="store_true", help="crawl the bundled offline replica")
    check.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                       help="override a setting of crawler/settings.py (repeatable)")
    check.add_argument("--max-pages", type=int, default=None, help="pages the trial may fetch (default 300)")
    check.add_argument("--json", action="store_true", help="print the verdict as JSON")

    merge = sub.add_parser("merge", help="fold archive shards (one per crawl worker) into the archive; again: no-op")
    merge.add_argument("shards", nargs="+", type=Path, metavar="SHARD", help="the workers' archive files")
    _add_db(merge)

    bench = sub.add_parser("bench", help="measure speed and robustness on generated data")
    bench.add_argument("what", nargs="?", choices=["crawl", "archive", "kills", "decode", "frontier", "growth"],
                       default="crawl",
                       help="crawl: crawl vs extraction; archive: adding, searching, exporting at scale; "
                            "frontier: pages/s with 1 and 2 workers sharing a Redis frontier, and the merge; "
                            "kills: 20 kill -9 during a 1,500-article crawl, nothing may be lost; "
                            "decode: today's decoding against a git revision's on every corpus page; "
                            "growth: archive growth per 1,000 re-visit runs of a portal that publishes nothing, "
                            "ARCHIVE_CONDITIONAL_GET off and on")
    bench.add_argument("--articles", type=int, default=None, help="size of the generated portal or archive")
    bench.add_argument("--runs", type=int, default=None, help="growth: re-visit runs to measure (default 1,000)")
    bench.add_argument("--against", default="main", metavar="REV",
                       help="decode: the git revision whose decoding chain is compared (default: main)")
    bench.add_argument("--sizes", type=_sizes, default=None, metavar="N,N,...",
                       help="archive: archive sizes to add articles at (default 10000,100000,1000000)")
    bench.add_argument("--add", type=int, default=None, metavar="N",
                       help="archive: new articles added at each size in each of the 3 rounds (default 500)")
    bench.add_argument("--cache", type=Path, default=None, metavar="DIR",
                       help="archive, crawl --prefill: keep the generated archives here, by size, for the next run")
    bench.add_argument("--prefill", type=int, default=0, metavar="N",
                       help="crawl: start each crawl from an archive already holding N generated articles")
    return parser


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of sizes like 10000,100000") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("every size must be at least 1")
    return sizes


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, help="archive file (default: data/archive.db)")


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None,
                        help="portal configuration, the PORTALS_FILE setting (default: crawler/portals.toml)")


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler import run, tables

    overrides = run.parse_overrides(args.set)
    if args.config:
        overrides["PORTALS_FILE"] = str(args.config)
    if args.log_level:
        overrides["LOG_LEVEL"] = args.log_level.upper()
    settings = run.project_settings(overrides)
    select_portals(load_portals(settings.get("PORTALS_FILE") or None), args.portals)  # fail before starting
    db = run.prepare_db(args.db or Path(settings.get("ARCHIVE_DB")))
    settings.set("ARCHIVE_DB", str(db), priority="cmdline")
    if args.replica:
        settings.setdict(run.REPLICA_SETTINGS, priority="spider")  # below --set (cmdline)
        with run.replica_running() as url:
            settings.set("REPLICA_URL", url, priority="cmdline")
            rows = run.crawl(args.portals, settings, watch=tables.crawl_progress)
    else:
        rows = run.crawl(args.portals, settings, watch=tables.crawl_progress)
    tables.print_runs(rows)
    print(f"archive: {db}")
    if any(r.outcome == SKIPPED for r in rows):  # another process was crawling that portal into this archive
        return EXIT_BUSY
    return 0 if rows and all(r.outcome == "finished" for r in rows) else 1


def cmd_extract(args: argparse.Namespace) -> int:
    from crawler.extraction import extract_page

    try:
        body = args.file.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {args.file}: {exc.strerror}; pass the path of a saved page") from None
    result = extract_page(body, args.url, args.status, options=options_for_url(args.url))
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        for key, value in result.as_json().items():
            if key != "text":
                print(f"{key:>10}: {value}")
        print(f"\n{result.text or ''}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from crawler import tables
    from storage.summary import portal_summaries

    archive = _open_existing(args.db)
    try:
        tables.print_summaries(portal_summaries(archive.db, list(load_portals())))
    finally:
        archive.close()
    return 0


def cmd_portal(args: argparse.Namespace) -> int:
    return {"list": _portal_list, "add": _portal_add, "check": _portal_check}[args.portal_command](args)


def _portal_list(args: argparse.Namespace) -> int:
    from crawler.inference.report import print_portals

    print_portals(list(load_portals(args.config).values()))
    return 0


def _portal_add(args: argparse.Namespace) -> int:
    from crawler import run
    from crawler.inference import guess as inference
    from crawler.inference.doubts import doubts
    from crawler.inference.report import print_guess
    from crawler.inference.source import PageSource
    from crawler.portals import DEFAULT_PORTALS_FILE

    if args.name is not None and not inference.NAME.match(args.name):
        raise UserError(f"--name {args.name!r}: use lower-case letters, digits and _, starting with a letter")
    if args.from_dir is not None and not args.from_dir.is_dir():
        raise UserError(f"--from-dir {args.from_dir} is not a folder of saved pages")
    for url in args.urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise UserError(f"{url!r} is not an http(s) URL; pass the channel page's full address")
    settings = run.project_settings(run.parse_overrides(args.set))
    config = args.config or DEFAULT_PORTALS_FILE
    if args.write:
        inference.check_name_free(config, args.name or inference.default_name(args.urls[0]))  # before fetching

    def infer(replica_url: str) -> inference.PortalGuess:
        source = PageSource(replica_url, args.from_dir, settings.getfloat("DOWNLOAD_TIMEOUT"),
                            settings.get("USER_AGENT"))
        return inference.infer_portal(args.urls, source, args.name)

    if args.replica:
        with run.replica_running() as url:
            found = infer(url)
    else:
        found = infer(settings.get("REPLICA_URL", ""))
    print_guess(found)
    if not args.write:
        print(f"(shown only; add --write to add it to {config})")
        return 0
    if (doubtful := doubts(found)) and not args.force and not _confirmed(len(doubtful)):
        print(f"error: not written: {len(doubtful)} doubt(s) above; check the entry, "
              "then add --force to write it anyway", file=sys.stderr)
        return 1
    inference.write_entry(config, found)
    print(f"written: portal {found.name!r} added to {config}; try it with "
          f"`python -m crawler portal check {found.name}" + (f" --config {config}`" if args.config else "`"))
    return 0


def _confirmed(doubts: int) -> bool:
    """A person at a terminal may accept the doubts shown; piped input never does."""
    if not sys.stdin.isatty():
        return False
    try:
        return input(f"write it despite {doubts} doubt(s)? [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _portal_check(args: argparse.Namespace) -> int:
    from crawler import run
    from crawler.inference.report import print_check
    from crawler.portal_check import PAGE_LIMIT, check_portal

    if args.max_pages is not None and args.max_pages < 1:
        raise UserError("--max-pages must be at least 1")
    overrides = {"LOG_LEVEL": "WARNING", **run.parse_overrides(args.set)}
    if args.config:
        overrides["PORTALS_FILE"] = str(args.config)
    settings = run.project_settings(overrides)
    select_portals(load_portals(settings.get("PORTALS_FILE") or None), [args.name])  # fail before starting
    limit = args.max_pages or PAGE_LIMIT
    if args.replica:
        settings.setdict(run.REPLICA_SETTINGS, priority="spider")
        with run.replica_running() as url:
            settings.set("REPLICA_URL", url, priority="cmdline")
            report = check_portal(args.name, settings, limit)
    else:
        report = check_portal(args.name, settings, limit)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print_check(report)
    return 0 if report.passed else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from crawler.benchmarks import archive, crawl, decode, frontier, growth, kills

    if args.what == "decode":
        try:
            decode.main(args.against)
        except decode.RevisionError as exc:
            raise UserError(str(exc)) from None
        return 0
    if args.articles is not None and args.articles < 1:
        raise UserError("--articles must be at least 1")
    if args.add is not None and args.add < 1:
        raise UserError("--add must be at least 1")
    if args.prefill < 0:
        raise UserError("--prefill must be 0 or more")
    if args.what == "growth":
        if args.runs is not None and args.runs < 1:
            raise UserError("--runs must be at least 1")
        growth.main(args.runs or growth.RUNS, args.articles or growth.ARTICLES)
    elif args.what == "archive":
        archive.main(args.sizes, args.add or archive.ADD, cache=args.cache)
    elif args.what == "crawl":
        crawl.main(args.articles or crawl.ARTICLES, prefill=args.prefill, cache=args.cache)
    else:
        benchmark = {"kills": kills, "frontier": frontier}[args.what]
        benchmark.main(args.articles) if args.articles else benchmark.main()
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from collections import Counter

    from crawler import tables
    from crawler.evaluation import corpora
    from crawler.evaluation.run import SPLIT_PREFIX, evaluate, misses, on_renamed_classes, ours, plain_trafilatura

    folders = args.corpora or [f for f in (corpora.SHARED_CORPORA, corpora.OWN_SET) if f.exists()]
    if not args.corpora:
        for missing in (f for f in (corpora.SHARED_CORPORA, corpora.OWN_SET) if not f.exists()):
            print(f"skipped: {missing} (not found)", file=sys.stderr)
    if not folders:
        raise UserError("no corpus found; pass a folder with index.jsonl or truth.jsonl")
    pages, skipped, other_languages = [], Counter(), 0
    for folder in folders:
        if not folder.is_dir():
            raise UserError(f"corpus folder {folder} does not exist")
        for page in corpora.load(folder, skipped):
            if page.chinese or not args.zh_only:
                pages.append(page)
            else:
                other_languages += 1
    for corpus, n in sorted(skipped.items()):
        print(f"skipped: {n} pages of {corpus} (no truth: neither the corpus nor benchmarks/real-labels labels them)",
              file=sys.stderr)
    if other_languages:
        print(f"skipped: {other_languages} pages not in Chinese (--zh-only)", file=sys.stderr)
    if args.misses:
        for line in misses(tables.progress(pages, "extracting"), ours()):
            print(line)
        return 0
    extractors = {"ours": ours(), "trafilatura": plain_trafilatura}
    if args.renamed_classes:
        extractors["ours, renamed classes"] = on_renamed_classes(ours())
    tallies = evaluate(tables.progress(pages, "extracting"), extractors)
    tables.print_eval(tallies, SPLIT_PREFIX)
    return 0


def cmd_reextract(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from crawler.reextract import reextract

    portals = load_portals()
    if args.portal:
        select_portals(portals, [args.portal])
    _check_date(args.since, "since")
    archive = _open_existing(args.db)
    try:
        with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
            task = progress.add_task("re-extracting", total=None)
            result = reextract(archive, portals, args.portal, args.since,
                               on_batch=lambda done, total: progress.update(task, completed=done, total=total))
    finally:
        archive.close()
    resumed = f" (resumed after page {result.resumed_after})" if result.resumed_after else ""
    print(f"re-extracted {result.pages} pages{resumed}; {result.changed} changed")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from crawler import tables
    from storage.search import count, search

    for name in ("since", "until"):
        _check_date(getattr(args, name), name)
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    archive = _open_existing(args.db)
    try:
        _check_portal(archive, args.portal)
        hits = search(archive.db, args.query, args.portal, args.since, args.until, args.limit)
        total = count(archive.db, args.query, args.portal, args.since, args.until) if not args.json else None
    finally:
        archive.close()
    if args.json:
        for hit in hits:
            print(json.dumps(hit.__dict__, ensure_ascii=False))
    else:
        tables.print_hits(hits, total, args.query)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from crawler import tables
    from storage.articles import read_article

    if not args.id.isdigit():
        raise UserError(f"show takes an article's id, a number like 7 (the first column of `search`); got {args.id!r}")
    archive = _open_existing(args.db)
    try:
        article = read_article(archive.db, int(args.id))
    finally:
        archive.close()
    if args.json:
        print(json.dumps(asdict(article), ensure_ascii=False))
    else:
        tables.print_article(article)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from storage import export

    for name in ("since", "until"):
        _check_date(getattr(args, name), name)
    selection = export.Selection(args.portal, args.since, args.until, args.query)
    archive = _open_existing(args.db)
    try:
        _check_portal(archive, args.portal)
        total = export.count(archive.db, selection)
        with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
            task = progress.add_task(f"exporting {args.format}", total=total)
            written = export.export(archive, args.format, args.out, selection,
                                    progress=lambda n: progress.update(task, completed=n))
    finally:
        archive.close()
    unit = "records" if args.format == "warc" else "articles"
    print(f"exported {written} {unit} to {args.out}")
    return 0


def cmd_duplicates(args: argparse.Namespace) -> int:
    from crawler import tables
    from storage.neardup import groups

    if args.min_size < 2 or args.limit < 1:
        raise UserError("--min-size must be at least 2 and --limit at least 1")
    archive = _open_existing(args.db)
    try:
        found = groups(archive.db, args.min_size, args.limit)
    finally:
        archive.close()
    if args.json:
        for group in found:
            print(json.dumps(group, ensure_ascii=False))
    else:
        tables.print_table(
            f"{len(found)} stories published more than once",
            ["group", "copies", "earliest", "first portal", "portals", "title"],
            [[g["group"], g["size"], g["earliest"], g["first_portal"], ", ".join(g["portals"]), g["title"]]
             for g in found],
        )
    return 0


def cmd_browse(args: argparse.Namespace) -> int:
    from crawler.browse import browse

    archive = _open_existing(args.db)  # migrates an older archive before Datasette opens it read-only
    path = Path(archive.path)
    archive.close()
    return browse(path, args.host, args.port)


def cmd_schedule(args: argparse.Namespace) -> int:
    import logging

    from crawler import run
    from crawler.portals import load_config
    from crawler.run_logs import scheduler_log_formatter, scheduler_log_handler
    from crawler.scheduling import cron
    from crawler.scheduling.runner import Scheduler, SchedulerOptions, crontab, systemd_units

    portals, rules = load_config(args.config)
    portals = {name: portal for name, portal in portals.items() if portal.enabled}  # off: only when named
    db = args.db or run.DEFAULT_DB
    if args.print_crontab or args.print_systemd:
        try:
            print(crontab(portals, db, args.config) if args.print_crontab else systemd_units(portals, db, args.config))
        except cron.ScheduleError as exc:
            raise UserError(str(exc)) from None
        return 0
    until = None
    if args.until:
        try:
            until = cron.user_time(args.until)
        except ValueError:
            raise UserError(f"--until takes a time like 2026-12-01T08:00 (local time) or 2026-12-01T08:00+08:00, "
                            f"got {args.until!r}") from None
    if args.max_concurrent < 1 or (args.max_runs is not None and args.max_runs < 1):
        raise UserError("--max-concurrent and --max-runs must be at least 1")
    extra = run.parse_overrides(args.set)
    run.project_settings(extra)  # unknown settings fail here, not in every run
    if args.replica:  # the fast settings of `crawl --replica`, below the user's --set
        extra = {**{name: str(value) for name, value in run.REPLICA_SETTINGS.items()}, **extra}
    scrapyd = _scrapyd(args.scrapyd, args.scrapyd_project)
    db = run.prepare_db(db)
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(scheduler_log_formatter())
    logging.basicConfig(level=logging.INFO, handlers=[console, scheduler_log_handler(db)])  # the file rotates
    options = SchedulerOptions(db=db.resolve(), portals_file=args.config.resolve() if args.config else None,
                               max_concurrent=args.max_concurrent, max_runs=args.max_runs, until=until,
                               extra_settings=extra, scrapyd=scrapyd, cold_start=args.cold_start)
    scheduler = Scheduler(portals, rules, options)
    if args.replica:
        with run.replica_running() as url:
            options.replica_url = url
            scheduler.run()
    else:
        scheduler.run()
    return 0


def _scrapyd(url: str | None, project: str | None):
    """The scrapyd the scheduler drives, checked to answer before anything is scheduled (None: local runs)."""
    from crawler.scheduling.scrapyd import Scrapyd, ScrapydError, default_project

    if url is None:
        if project is not None:
            raise UserError("--scrapyd-project goes with --scrapyd URL")
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"--scrapyd takes scrapyd's URL, like http://127.0.0.1:6800/, got {url!r}")
    scrapyd = Scrapyd(url, project or default_project())
    try:
        scrapyd.check()
    except ScrapydError as exc:
        raise UserError(f"{exc}: start it (see README, Scaling out) or correct --scrapyd") from None
    return scrapyd


def cmd_status(args: argparse.Namespace) -> int:
    from datetime import datetime

    from crawler import tables
    from crawler.portals import load_config
    from crawler.scheduling import cron
    from crawler.scheduling.status import all_status, any_failing, as_json

    portals, rules = load_config(args.config)
    portals = {name: portal for name, portal in portals.items() if portal.enabled}
    archive = _open_existing(args.db)
    try:
        statuses = all_status(archive.db, portals, rules, datetime.now(cron.SHANGHAI))
    finally:
        archive.close()
    if args.json:
        print(as_json(statuses))
    else:
        tables.print_status(statuses)
    return 1 if any_failing(statuses) else 0


def _check_date(value: str | None, name: str) -> None:
    from datetime import date

    if value is None:
        return
    try:
        date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--{name} takes a date like 2026-01-31, got {value!r}") from None


def _check_portal(archive, name: str | None) -> None:
    """A --portal to select by: a configured portal, or one whose articles the archive holds (an older config's)."""
    if name is None or name in load_portals():
        return
    if archive.db.execute("SELECT 1 FROM articles WHERE portal = ? LIMIT 1", [name]).fetchone() is None:
        select_portals(load_portals(), [name])  # raises: unknown portal NAME; known portals: …


def cmd_merge(args: argparse.Namespace) -> int:
    from crawler import run
    from storage import Archive
    from storage.merge import merge

    for shard in args.shards:
        if not shard.is_file():
            raise UserError(f"no archive shard at {shard}; pass the ARCHIVE_DB files the workers wrote")
    archive = Archive.open(args.db or run.DEFAULT_DB)
    try:
        result = merge(archive, args.shards)
    finally:
        archive.close()
    print(f"merged {result.shards} shards into {args.db or run.DEFAULT_DB}: {result.runs} new runs, "
          f"{result.pages} new pages, {result.new_articles} new articles")
    return 0


def _open_existing(db: Path | None):
    from crawler import run
    from storage import Archive

    path = db or run.DEFAULT_DB
    if not path.exists():
        raise UserError(f"no archive at {path}; run `python -m crawler crawl` first or pass --db")
    return Archive.open(path)


COMMANDS = {"portal": cmd_portal, "schedule": cmd_schedule, "status": cmd_status, "browse": cmd_browse, "duplicates": cmd_duplicates, "export": cmd_export, "search": cmd_search, "show": cmd_show, "reextract": cmd_reextract, "eval": cmd_eval, "crawl": cmd_crawl, "extract": cmd_extract, "stats": cmd_stats, "bench": cmd_bench, "merge": cmd_merge}


def _run(args: argparse.Namespace) -> int:
    """Run the command; a SQLite error met in the archive after opening it (a damaged page) says what to do."""
    try:
        return COMMANDS[args.command](args)
    except sqlite3.DatabaseError as exc:
        if "db" not in args:
            raise
        from crawler.run import DEFAULT_DB

        raise database_error(args.db or DEFAULT_DB, exc) from None


# Errors a user can act on, by the module that defines them: printed as one line. Looked up only in the modules the
# command imported (one not imported raised nothing), so the CLI does not import them all to start a crawl.
USER_ERRORS = {
    "crawler.cli": ("UserError",),
    "crawler.portals": ("UnknownPortalError", "PortalConfigError"),
    "storage.archive": ("ArchiveError",),
    "crawler.run": ("SettingError",),
    "crawler.evaluation.corpora": ("CorpusError",),
    "storage.fts": ("QuerySyntaxError",),
    "storage.export": ("ExportError",),
    "crawler.inference.guess": ("EntryExistsError", "InferenceError"),
    "crawler.inference.source": ("SourceError",),
}


def _user_errors() -> tuple[type[BaseException], ...]:
    return tuple(getattr(sys.modules[module], name) for module, names in USER_ERRORS.items()
                 if module in sys.modules for name in names)


def main(argv: list[str] | None = None) -> int:
    from crawler.locks import LockBusyError

    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except LockBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except Exception as exc:
        if not isinstance(exc, _user_errors()):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
