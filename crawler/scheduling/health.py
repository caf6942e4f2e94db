"""Health of a portal from its recent runs: ok, warn or failing, with the reasons a person can act on."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

OK, WARN, FAILING = "ok", "warn", "failing"
_LEVEL = {OK: 0, WARN: 1, FAILING: 2}


@dataclass(frozen=True)
class HealthRules:
    """Thresholds, from the [health] table of the portal configuration (per portal: [portals.X.health])."""

    empty_runs: int = 3  # failing after this many runs in a row that found new links but archived nothing
    error_rate: float = 0.5  # failing when more than this share of a run's pages are errors
    rejection_rate: float = 0.9  # warn when more than this share of a run's article pages are rejected
    stale_after: float = 3.0  # warn when the last run is older than this many schedule intervals
    webhook: str = ""  # POST a JSON alert here when a portal turns failing

    @classmethod
    def from_config(cls, values: dict) -> HealthRules:
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class Health:
    level: str = OK
    reasons: list[str] = field(default_factory=list)

    def flag(self, level: str, reason: str) -> None:
        if _LEVEL[level] > _LEVEL[self.level]:
            self.level = level
        self.reasons.append(reason)


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


def assess(runs: list[dict], rules: HealthRules, now: datetime, interval: timedelta | None) -> Health:
    """`runs` newest first, as rows of the runs table."""
    health = Health()
    if not runs:
        health.flag(WARN, "never run")
        return health
    last = runs[0]
    if last["outcome"] in ("failed", "timeout", "abandoned"):
        health.flag(FAILING, f"last run {last['outcome']}")
    elif last["outcome"] in ("interrupted", "shutdown", "skipped"):
        health.flag(WARN, f"last run {last['outcome']}")
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
    if interval and last["started"]:
        age = now - datetime.fromisoformat(last["started"])
        if age > interval * rules.stale_after:
            health.flag(WARN, f"no run for {_human(age)} (is the scheduler running?)")
    return health


def _human(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"
