"""What `portal add` and `portal check` print: the evidence a person needs to judge an inferred entry."""

from __future__ import annotations

from crawler.inference.doubts import doubts
from crawler.inference.guess import PortalGuess, to_toml
from crawler.portal_check import CheckReport
from crawler.portals import Portal
from crawler.tables import print_table

SHOWN_LINKS = 8
SHOWN_TEXT = 160


def print_portals(portals: list[Portal]) -> None:
    print_table("Configured portals", ["name", "title", "domains", "start URLs", "schedule"],
                [[p.name, p.title, ", ".join(p.allowed_domains), "\n".join(p.start_urls) or "(sitemaps/feeds)",
                  p.schedule if p.enabled else "off"] for p in portals])


def print_guess(guess: PortalGuess) -> None:
    """The evidence first, then the entry itself."""
    for channel, target in guess.forwarded.items():
        print(f"{channel} lists no articles; it forwards to {target}, read from there")
    print(f"List pages read ({len(guess.list_pages)}): " + ", ".join(guess.list_pages))
    for pattern, paths in guess.matches.items():
        print(f"\narticle pattern {pattern} matches {len(paths)} links:")
        for path in paths[:SHOWN_LINKS]:
            print(f"  {path}")
        if len(paths) > SHOWN_LINKS:
            print(f"  … and {len(paths) - SHOWN_LINKS} more")
    if guess.other_shapes:
        print("\nother link shapes, not taken as articles (menus, channels, single links):")
        for cluster in guess.other_shapes:
            print(f"  {cluster.pattern}  ({len(cluster.paths)} link(s), e.g. {cluster.links[0].text or '(no text)'!r})")
    for kind, found in (("sitemap", guess.sitemaps), ("feed", guess.feeds)):
        for url, count in found.items():
            print(f"\n{kind} {url} lists {count} URLs of the article patterns")
    pace = (f"one article every {guess.interval_hours:.0f} h on the list" if guess.interval_hours
            else "no dates on the list")
    print(f"\nschedule {guess.schedule!r}: {pace}")
    print(f"charset {guess.charset!r}; body {guess.body_selectors or 'generic extraction'}; "
          f"title {guess.title_selectors or 'generic'}; source {guess.source_selectors or 'generic'}")
    print("\nSample articles, extracted with these rules (judge them):")
    for sample in guess.samples:
        result = sample.extraction
        if result is None:
            print(f"\n  {sample.url}\n    not fetched: http {sample.status}")
            continue
        print(f"\n  {sample.url}\n    {result.status}{f' ({result.reason})' if result.reason else ''}: "
              f"{result.title!r}, published {result.published}, source {result.source}, "
              f"{len(result.text or '')} characters")
        if result.text:
            print(f"    {result.text[:SHOWN_TEXT].replace(chr(10), ' / ')}…")
    print(f"\n{to_toml(guess)}")
    if found := doubts(guess):
        print("Doubts (check these before writing the entry):")
        for doubt in found:
            print(f"  - {doubt}")


def print_check(report: CheckReport) -> None:
    """One verdict per page kind."""
    def verdict(ok: bool) -> str:
        return "ok" if ok else "CHECK"

    rows = [
        ["list pages", len(report.lists) + sum(report.list_errors.values()),
         ", ".join(f"{r}: {n}" for r, n in report.list_errors.items()) or "all loaded",
         verdict(bool(report.lists) and not report.list_errors)],
        ["articles", report.article_pages, f"{report.archived_pages} archived", verdict(bool(report.articles))],
        ["rejected", sum(report.rejections.values()),
         "; ".join(f"{r}: {n}" for r, n in report.rejections.items()) or "none", "see reasons"],
        ["errors", sum(report.errors.values()), "; ".join(f"{r}: {n}" for r, n in report.errors.items()) or "none",
         verdict(not report.errors)],
        ["off-pattern requests", len(report.off_pattern), ", ".join(report.off_pattern[:5]) or "none",
         verdict(not report.off_pattern)],
    ]
    print_table(f"Trial crawl of {report.portal}: {report.outcome}", ["page kind", "pages", "detail", "verdict"],
                rows)
    if report.reason:
        print(f"{report.portal} {report.outcome}: {report.reason}")
    print("passed" if report.passed else "not passed: fix the entry (see CHECK above) and check again")
