"""The portal registry: one declarative entry per site, read from `portals.toml`."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from crawler.extraction import ExtractOptions
from crawler.scheduling import cron
from crawler.scheduling.health import HealthRules

# The registry shipped with the package, read through importlib.resources so it is found inside a deployed egg too.
DEFAULT_PORTALS_FILE = resources.files("crawler") / "portals.toml"


class PortalConfigError(ValueError):
    """The portal configuration file is missing, unreadable or has a bad entry."""


class UnknownPortalError(KeyError):
    """A portal name was asked for that the configuration does not declare."""

    def __str__(self) -> str:
        return str(self.args[0])


def _matches(patterns: tuple[re.Pattern[str], ...], url: str) -> bool:
    """Whether a pattern matches the URL's path, or its path and query when the pattern names a query (`\\?`):
    WeChat articles differ only in their query (/s?__biz=ACCOUNT&mid=...)."""
    parts = urlsplit(url)
    with_query = f"{parts.path}?{parts.query}" if parts.query else parts.path
    return any(p.search(with_query if r"\?" in p.pattern else parts.path) for p in patterns)


def _host_in(url: str, domains: tuple[str, ...]) -> bool:
    """Whether the URL's host is one of the domains or below one."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass(frozen=True)
class Portal:
    """Everything the crawler knows about one portal; see the field notes in portals.toml."""

    name: str
    allowed_domains: tuple[str, ...]
    article_patterns: tuple[re.Pattern[str], ...]
    start_urls: tuple[str, ...] = ()  # a portal may be found through its sitemaps or feeds alone
    title: str = ""
    list_patterns: tuple[re.Pattern[str], ...] = ()
    next_page_texts: tuple[str, ...] = ()
    max_list_pages: int = 5
    link_selector: str = "a"
    links_in_scripts: bool = False
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    charset: str = "utf-8"
    enabled: bool = True  # off: crawled only when named (`crawl NAME`), never by `crawl` alone or the scheduler
    schedule: str = "*/30 * * * *"
    spider: str = ""
    revisit_days: int = 0  # re-fetch articles published in the last N days to catch corrections (0: never)
    run_timeout: int = 1800  # seconds a scheduled run may take before it is stopped and recorded as timeout
    health: dict = field(default_factory=dict, compare=False)  # overrides of the [health] rules
    extract: dict = field(default_factory=dict, compare=False)  # body/title selectors, title_suffixes
    extra: dict = field(default_factory=dict, compare=False)

    def is_article_url(self, url: str) -> bool:
        return _matches(self.article_patterns, url)

    def is_list_url(self, url: str) -> bool:
        return _matches(self.list_patterns, url)

    def extract_options(self, min_chars: int = ExtractOptions.min_chars) -> ExtractOptions:
        """How extraction reads this portal's pages: its own selectors first, then the generic ones."""
        return options_from_rules(f"portal {self.name!r}", self.extract, self.charset, min_chars)

    def owns(self, url: str) -> bool:
        return _host_in(url, self.allowed_domains)


def options_from_rules(owner: str, rules: dict, charset: str = "utf-8",
                       min_chars: int = ExtractOptions.min_chars) -> ExtractOptions:
    """ExtractOptions from the `extract` table of a portal or site (`owner` names it in errors)."""
    try:
        for pattern in rules.get("script_dates", ()):
            re.compile(pattern)
    except re.error as exc:
        raise PortalConfigError(f"{owner}: extract.script_dates has a bad regex: {exc}") from None
    return ExtractOptions(
        body_selectors=tuple(rules.get("body", ())),
        title_selectors=tuple(rules.get("title", ())),
        source_selectors=tuple(rules.get("source", ())),
        script_dates=tuple(rules.get("script_dates", ())),
        title_suffixes=tuple(rules.get("title_suffixes", ())),
        default_charset=charset,
        min_chars=rules.get("min_chars", min_chars),
    )


@dataclass(frozen=True)
class SiteRules:
    """Extraction rules for a site that is not crawled but whose saved pages users extract ([sites.NAME])."""

    name: str
    domains: tuple[str, ...]
    extract: dict = field(default_factory=dict, compare=False)

    def owns(self, url: str) -> bool:
        return _host_in(url, self.domains)

    def extract_options(self, min_chars: int = ExtractOptions.min_chars) -> ExtractOptions:
        return options_from_rules(f"site {self.name!r}", self.extract, "utf-8", min_chars)


_LIST_FIELDS = ("allowed_domains", "start_urls", "next_page_texts", "sitemaps", "feeds")
_PATTERN_FIELDS = ("article_patterns", "list_patterns")
_REQUIRED = ("allowed_domains", "article_patterns")


def _portal_from_entry(name: str, entry: dict) -> Portal:
    known = set(Portal.__dataclass_fields__) - {"name", "extra"}
    for required in _REQUIRED:
        if not entry.get(required):
            raise PortalConfigError(f"portal {name!r}: field {required!r} is required")
    if not (entry.get("start_urls") or entry.get("sitemaps") or entry.get("feeds")):
        raise PortalConfigError(f"portal {name!r}: give at least one of start_urls, sitemaps, feeds")
    values: dict = {"name": name, "extra": {k: v for k, v in entry.items() if k not in known}}
    for key, value in entry.items():
        if key not in known:
            continue
        if key in _LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise PortalConfigError(f"portal {name!r}: field {key!r} must be a list of strings")
            value = tuple(value)
        elif key in _PATTERN_FIELDS:
            try:
                value = tuple(re.compile(v) for v in value)
            except (re.error, TypeError) as exc:
                raise PortalConfigError(f"portal {name!r}: field {key!r} has a bad regex: {exc}") from None
        elif key == "enabled" and not isinstance(value, bool):
            raise PortalConfigError(f"portal {name!r}: field 'enabled' must be true or false")
        elif key == "revisit_days" and (not isinstance(value, int) or value < 0):
            raise PortalConfigError(f"portal {name!r}: field 'revisit_days' must be a whole number ≥ 0")
        elif key in ("max_list_pages", "run_timeout") and (not isinstance(value, int) or value < 1):
            raise PortalConfigError(f"portal {name!r}: field {key!r} must be a whole number ≥ 1")
        elif key == "schedule" and (problem := cron.problem(value)):
            raise PortalConfigError(f"portal {name!r}: field 'schedule' {problem}")
        values[key] = value
    return Portal(**values)


def load_portals(path: str | Path | None = None) -> dict[str, Portal]:
    """Read and validate every portal entry, in file order."""
    return load_config(path)[0]


def _read_config(path: Path | Traversable) -> dict:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise PortalConfigError(f"portal config {path} does not exist; pass an existing file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PortalConfigError(f"portal config {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PortalConfigError(f"portal config {path} is not valid TOML: {exc}") from None


def load_config(path: str | Path | None = None) -> tuple[dict[str, Portal], dict[str, HealthRules]]:
    """The portals and each portal's health rules (the [health] table, with [portals.X.health] on top)."""
    path = Path(path) if path else DEFAULT_PORTALS_FILE
    data = _read_config(path)
    entries = data.get("portals")
    if not isinstance(entries, dict) or not entries:
        raise PortalConfigError(f"portal config {path} declares no [portals.NAME] entry")
    sites = _sites_from(data)
    portals = {name: _with_site_rules(_portal_from_entry(name, entry), sites) for name, entry in entries.items()}
    defaults = data.get("health", {})
    try:
        rules = {name: HealthRules.from_config({**defaults, **p.health}) for name, p in portals.items()}
    except TypeError as exc:
        raise PortalConfigError(f"portal config {path}: bad [health] table: {exc}") from None
    return portals, rules


def select_portals(portals: dict[str, Portal], names: list[str] | None) -> list[Portal]:
    """The portals a user named (every enabled one when none), or UnknownPortalError naming the valid choices."""
    if not names:
        return [p for p in portals.values() if p.enabled]
    unknown = [n for n in names if n not in portals]
    if unknown:
        raise UnknownPortalError(
            f"unknown portal {', '.join(unknown)}; known portals: {', '.join(portals)}"
        )
    return [portals[n] for n in names]


def portal_for_url(portals: dict[str, Portal], url: str) -> Portal | None:
    """The portal whose domains hold this URL; of several (WeChat accounts share one host), one whose article
    patterns match it."""
    owners = [p for p in portals.values() if p.owns(url)]
    return next((p for p in owners if p.is_article_url(url)), owners[0] if owners else None)


def _sites_from(data: dict) -> dict[str, SiteRules]:
    return {name: SiteRules(name, tuple(entry.get("domains", ())), entry.get("extract", {}))
            for name, entry in data.get("sites", {}).items()}


def _with_site_rules(portal: Portal, sites: dict[str, SiteRules]) -> Portal:
    """A portal on a site with [sites] rules (a WeChat account) extracts by them, its own `extract` on top."""
    site = next((s for s in sites.values() if all(s.owns(f"http://{d}/") for d in portal.allowed_domains)), None)
    return replace(portal, extract={**site.extract, **portal.extract}) if site else portal


def load_sites(path: str | Path | None = None) -> dict[str, SiteRules]:
    """The [sites.NAME] extraction rules (WeChat articles and the like)."""
    return _sites_from(_read_config(Path(path) if path else DEFAULT_PORTALS_FILE))


def options_for_url(url: str, path: str | Path | None = None) -> ExtractOptions:
    """The extraction rules for a URL: its portal's, else a [sites] entry's, else the generic ones."""
    rules = portal_for_url(load_portals(path), url) or next(
        (site for site in load_sites(path).values() if site.owns(url)), None)
    return rules.extract_options() if rules else ExtractOptions()
