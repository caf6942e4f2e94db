"""`python -m crawler status`: one row per portal — last run, next run, what it found, and its health."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from sqlite_utils import Database

from crawler.portals import Portal
from crawler.scheduling import cron
from crawler.scheduling.health import FAILING, HealthRules, assess, consecutive_empty
from crawler.scheduling.runner import publication_days, recent_runs


@dataclass
class PortalStatus:
    """Times are ISO 8601 in the portals' zone (cron.ZONE_NAME), with their offset."""

    portal: str
    last_run: str | None
    last_outcome: str | None
    age_minutes: int | None
    next_run: str
    new_last_run: int | None
    new_24h: int
    rejection_rate: float | None
    empty_runs: int
    health: str
    reasons: list[str]
    evidence: dict  # what the verdict rests on (health.Evidence)
    evidence_line: str  # the same in one line


def portal_status(db: Database, portal: Portal, rules: HealthRules, now: datetime) -> PortalStatus:
    runs = recent_runs(db, portal.name)
    last = runs[0] if runs else None
    since = (now - timedelta(hours=24)).astimezone(timezone.utc).isoformat(timespec="seconds")
    new_24h = db.execute(
        "SELECT coalesce(sum(new_articles), 0) FROM runs WHERE portal = ? AND started >= ?", [portal.name, since]
    ).fetchone()[0]
    health = assess(runs, rules, now, cron.interval(portal.schedule, now), portal.extract_options().body_selectors,
                    publication_days(db, portal.name, rules.rate_days))
    rate = None
    if last:
        rejected = sum(json.loads(last["rejections"] or "{}").values())
        judged = rejected + (last["new_articles"] or 0) + (last["duplicates"] or 0)
        rate = round(rejected / judged, 3) if judged else None
    age = int((now - datetime.fromisoformat(last["started"])).total_seconds() // 60) if last else None
    return PortalStatus(
        portal=portal.name,
        last_run=_in_portal_zone(last["started"]) if last else None,
        last_outcome=last["outcome"] if last else None,
        age_minutes=age,
        next_run=cron.next_fire(portal.schedule, now).isoformat(timespec="minutes"),
        new_last_run=last["new_articles"] if last else None,
        new_24h=new_24h,
        rejection_rate=rate,
        empty_runs=consecutive_empty(runs),
        health=health.level,
        reasons=health.reasons,
        evidence=asdict(health.evidence),
        evidence_line=health.evidence.line(),
    )


def _in_portal_zone(stored: str) -> str:
    """runs.started is stored in UTC; status shows every time in one zone, the schedules' own."""
    return datetime.fromisoformat(stored).astimezone(cron.SHANGHAI).isoformat(timespec="seconds")


def all_status(db: Database, portals: dict[str, Portal], rules: dict[str, HealthRules],
               now: datetime) -> list[PortalStatus]:
    """Reads the archive only (`browse` asks the same of Datasette's read-only connection)."""
    return [portal_status(db, p, rules[name], now) for name, p in portals.items()]


def any_failing(statuses: list[PortalStatus]) -> bool:
    return any(s.health == FAILING for s in statuses)


def as_json(statuses: list[PortalStatus]) -> str:
    return json.dumps([asdict(s) for s in statuses], ensure_ascii=False)
