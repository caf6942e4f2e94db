"""Health of a portal from what its recent runs saw: ok, warn or failing, with the evidence and the reasons a
person can act on.

One counter cannot tell a broken portal from a quiet one, so each rule reads its own evidence across runs:
the share of list links that match the article patterns (none while the lists still hold links: the URL
pattern changed), each newly found article's outcome (rejected ones count whatever run they fall in; a run
that found nothing new neither adds nor resets), and whether the portal's own body selectors still find the
body (generic extraction working in their place is a warning that names them), and how often the portal
publishes, learned from its own history (silence well beyond its usual gap is a warning; a normal quiet spell of a
portal that publishes weekly is not). Re-visits are not new links.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from statistics import median

from crawler.scheduling.cron import SHANGHAI

OK, WARN, FAILING = "ok", "warn", "failing"
_LEVEL = {OK: 0, WARN: 1, FAILING: 2}
_UNDECIDED = ("skipped", "running")
# No run is called missing sooner than this, however often the portal is scheduled: a run of a schedule of
# seconds (tests) takes longer than three of its intervals.
STALE_AT_LEAST = timedelta(minutes=10)  # runs that say nothing about how the portal's last crawl went


@dataclass(frozen=True)
class HealthRules:
    """Thresholds, from the [health] table of the portal configuration (per portal: [portals.X.health])."""

    empty_runs: int = 3  # failing after this many runs in a row that found new links but archived nothing
    error_rate: float = 0.5  # failing when more than this share of a run's pages are errors
    rejection_rate: float = 0.9  # warn when more than this share of a run's article pages are rejected
    stale_after: float = 3.0  # warn when the last run is older than this many schedule intervals
    pattern_runs: int = 2  # failing after this many runs in a row whose list links all missed article_patterns
    rejected_articles: int = 2  # failing after this many newly found article pages in a row were rejected
    generic_articles: int = 2  # warn after this many new articles in a row missed the portal's body selectors
    rate_days: int = 28  # the usual gap between new articles is learned over this many days before the newest one
    rate_articles: int = 5  # ... from at least this many articles (fewer: no verdict on the portal's silence)
    quiet_gaps: float = 4.0  # warn when no article was published for more than this many usual gaps
    webhook: str = ""  # POST a JSON alert here when a portal turns failing, and when it recovers

    @classmethod
    def from_config(cls, values: dict) -> HealthRules:
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Evidence:
    """What the recent runs saw (runs newest first); the facts each verdict rests on."""

    run_id: int | None = None  # the newest run
    list_links: int = 0  # links on the portal's lists, in the newest run that read any
    article_links: int = 0  # of those, the ones article_patterns matched
    unmatched_runs: int = 0  # runs in a row whose lists held links and none matched article_patterns
    new_links: int = 0  # in the newest run: unseen article links (re-visits are not counted)
    new_articles: int = 0  # in the newest run
    revisits: int = 0  # in the newest run: archived articles fetched again for corrections
    rejected_in_a_row: int = 0  # newly found article pages rejected since the last one archived, across runs
    generic_in_a_row: int = 0  # new articles in a row whose body the portal's own selectors did not find
    usual_gap_days: float | None = None  # median days between publication days (None: too little history)
    quiet_days: int | None = None  # days from the newest article's publication to the newest finished run

    @classmethod
    def from_runs(cls, runs: list[dict]) -> Evidence:
        if not runs:
            return cls()
        last = runs[0]
        lists = next((r for r in runs if r.get("list_links")), {})
        return cls(
            run_id=last.get("id"),
            list_links=lists.get("list_links", 0),
            article_links=lists.get("article_links", 0),
            unmatched_runs=_unmatched_runs(runs),
            new_links=last.get("new_links") or 0,
            new_articles=last.get("new_articles") or 0,
            revisits=last.get("revisits") or 0,
            rejected_in_a_row=_rejected_in_a_row(runs),
            generic_in_a_row=_generic_in_a_row(runs),
        )

    def line(self) -> str:
        """The evidence in one line, for `status`."""
        links = (f"{self.article_links}/{self.list_links} list links match article_patterns"
                 if self.list_links else "no list links read")
        return (f"{links}; last run: {self.new_links} new links, {self.new_articles} new articles, "
                f"{self.revisits} revisits; rejected in a row: {self.rejected_in_a_row}; "
                f"generic body in a row: {self.generic_in_a_row}")


@dataclass
class Health:
    level: str = OK
    reasons: list[str] = field(default_factory=list)
    evidence: Evidence = field(default_factory=Evidence)

    def flag(self, level: str, reason: str) -> None:
        if _LEVEL[level] > _LEVEL[self.level]:
            self.level = level
        self.reasons.append(reason)


def _unmatched_runs(runs: list[dict]) -> int:
    count = 0
    for run in runs:
        if not run.get("list_links"):
            continue  # no list read (down, or a run from before these counts): no evidence either way
        if run.get("article_links"):
            break
        count += 1
    return count


def _accepted(run: dict) -> int:
    """Newly found article pages archived as articles (runs from before the body counts: new articles)."""
    return max(run.get("new_articles") or 0, (run.get("body_own") or 0) + (run.get("body_generic") or 0))


def _rejected_in_a_row(runs: list[dict]) -> int:
    return _in_a_row(runs, "new_rejected", ends=_accepted)


def _generic_in_a_row(runs: list[dict]) -> int:
    return _in_a_row(runs, "body_generic", ends=lambda run: run.get("body_own") or 0)


def _in_a_row(runs: list[dict], column: str, ends: Callable[[dict], int]) -> int:
    """The sum of `column` over the newest runs, back to the first run for which `ends` is true."""
    count = 0
    for run in runs:
        if ends(run):
            break
        count += run.get(column) or 0
    return count


def consecutive_empty(runs: list[dict]) -> int:
    """Finished runs in a row (newest first) that saw new links but archived no new article."""
    count = 0
    for run in runs:
        if run["outcome"] not in ("finished",):
            continue
        if run["new_articles"] or not run.get("new_links"):
            break
        count += 1
    return count


def publication_rate(published: list[date], seen: date | None, rules: HealthRules) -> tuple[float, int] | None:
    """(usual gap between new articles in days, days without one up to `seen`), or None with too little history.

    `published`: the publication days of the portal's articles (one per article) over `rules.rate_days` before the
    newest; `seen`: the day of the newest finished run, the last time anyone looked. Days, not times, because
    many portals give only a date; so a portal publishing several a day has a usual gap of one day.
    """
    newest = max(published, default=None)
    recent = [d for d in published if newest and (newest - d).days <= rules.rate_days]
    days = sorted(set(recent))
    if seen is None or len(recent) < rules.rate_articles or len(days) < 2:
        return None
    gaps = [(b - a).days for a, b in zip(days, days[1:])]
    return median(gaps), max(0, (seen - newest).days)


def assess(runs: list[dict], rules: HealthRules, now: datetime, interval: timedelta | None,
           body_selectors: tuple[str, ...] = (), published: list[date] = ()) -> Health:
    """`runs` newest first, as rows of the runs table; `body_selectors`: the portal's own (extract.body);
    `published`: the publication days of its recent articles (runner.publication_days)."""
    health = Health(evidence=Evidence.from_runs(runs))
    _publication_rate(health, runs, rules, list(published))
    if not runs:
        health.flag(WARN, "never run")
        return health
    if runs[0]["outcome"] == "skipped":
        health.flag(WARN, "last run skipped")
    last = next((r for r in runs if r["outcome"] not in _UNDECIDED), runs[0])
    if last["outcome"] in ("failed", "timeout", "abandoned"):
        health.flag(FAILING, f"last run {last['outcome']}" + (f": {last['reason']}" if last.get("reason") else ""))
    elif last["outcome"] in ("interrupted", "shutdown"):
        health.flag(WARN, f"last run {last['outcome']}")
    _rules_fit(health, rules, body_selectors)
    empty = consecutive_empty(runs)
    if empty >= rules.empty_runs:
        health.flag(FAILING, f"{empty} runs in a row found new links but archived no article (template changed?)")
    pages = last["pages"] or 0
    if pages and (last["errors"] or 0) / pages > rules.error_rate:
        health.flag(FAILING, f"{last['errors']} of {pages} pages were errors")
    rejected = sum(json.loads(last["rejections"] or "{}").values())
    judged = rejected + (last["new_articles"] or 0) + (last["duplicates"] or 0)
    if judged and rejected / judged > rules.rejection_rate:
        health.flag(WARN, f"{rejected} of {judged} article pages rejected")
    if interval and runs[0]["started"]:
        age = now - datetime.fromisoformat(runs[0]["started"])
        if age > max(interval * rules.stale_after, STALE_AT_LEAST):
            health.flag(WARN, f"no run for {_human(age)} (is the scheduler running?)")
    return health


def _rules_fit(health: Health, rules: HealthRules, body_selectors: tuple[str, ...]) -> None:
    """Whether the portal's own rules (article_patterns, its templates, its body selectors) still fit it."""
    evidence = health.evidence
    if evidence.unmatched_runs:
        level = FAILING if evidence.unmatched_runs >= rules.pattern_runs else WARN
        health.flag(level, f"article_patterns matched none of the {evidence.list_links} links on the lists in "
                           f"{evidence.unmatched_runs} run(s) in a row (article URLs changed?)")
    if evidence.rejected_in_a_row >= rules.rejected_articles:
        health.flag(FAILING, f"the last {evidence.rejected_in_a_row} newly found article pages were all rejected "
                             "as not articles (template changed, or the body is rendered by a script?)")
    if body_selectors and evidence.generic_in_a_row >= rules.generic_articles:
        health.flag(WARN, f"extract.body {', '.join(body_selectors)} matched none of the last "
                          f"{evidence.generic_in_a_row} new articles (generic extraction found their body: "
                          "the container moved?)")


def _publication_rate(health: Health, runs: list[dict], rules: HealthRules, published: list[date]) -> None:
    """Silence well beyond the portal's usual gap between new articles is a warning (a list that no longer
    shows new articles, a portal that moved?); a quiet spell within it is not."""
    looked = next((r["started"] for r in runs if r["outcome"] == "finished" and r.get("started")), None)
    seen = datetime.fromisoformat(looked).astimezone(SHANGHAI).date() if looked else None
    rate = publication_rate(published, seen, rules)
    if rate is None:
        return
    usual, quiet = rate
    health.evidence = replace(health.evidence, usual_gap_days=usual, quiet_days=quiet)
    if quiet > rules.quiet_gaps * usual:
        health.flag(WARN, f"no new article for {quiet} d; usually every {usual:g} d")


@dataclass(frozen=True)
class Alert:
    """A change of a portal's health across the failing line: what a webhook receives."""

    portal: str
    event: str  # "failing" or "recovered"
    health: str
    previous: str
    reasons: list[str]
    evidence: dict

    def payload(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode()


def transition(portal: str, runs: list[dict], rules: HealthRules, now: datetime, interval: timedelta | None,
               body_selectors: tuple[str, ...] = (), published: list[date] = ()) -> tuple[Health, Alert | None]:
    """The portal's health after its newest run, and an alert when that run took it across the failing line
    (in either direction). The health before is judged from the runs before, so it needs no stored state and
    a restarted scheduler neither repeats nor misses an alert."""
    after = assess(runs, rules, now, interval, body_selectors, published)
    if not runs:
        return after, None
    started = datetime.fromisoformat(runs[0]["started"])
    before = assess(runs[1:], rules, started, interval, body_selectors, published)
    if (after.level == FAILING) == (before.level == FAILING):
        return after, None
    event = "failing" if after.level == FAILING else "recovered"
    return after, Alert(portal, event, after.level, before.level, after.reasons, asdict(after.evidence))


def _human(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"
