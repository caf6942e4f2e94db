"""What is in the archive, per portal and per run: the figures behind `stats` and the `crawl` table.

Every count is defined once here, from the pages as they are now: when an article moves to a copy published
earlier, the run that archived the later copy counts it a duplicate from then on, as `stats` does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlite_utils import Database


# A page rejected as no article, counted by its reason; an article page is its article's own copy (`new`) or a
# copy of an article archived before or from an earlier-published page (`alias`), or a visit again (`refetch`).
REJECTED = "outcome IN ('not_found', 'not_article')"
REJECTION_REASON = "coalesce(reason, outcome)"
OWN_COPY = "dedup = 'new'"
DUPLICATE = "dedup IN ('alias', 'refetch')"


@dataclass
class RunTotals:
    """What one run stored: pages, new articles (its pages that are their article's own copy), duplicates,
    errors and rejections by reason."""

    pages: int = 0
    new: int = 0
    duplicates: int = 0
    errors: int = 0
    rejections: dict[str, int] = field(default_factory=dict)


def run_totals(db: Database, run_id: int) -> RunTotals:
    pages, new, duplicates, errors = db.execute(
        f"SELECT count(*), coalesce(sum({OWN_COPY}), 0), coalesce(sum({DUPLICATE}), 0), "
        "coalesce(sum(outcome = 'error'), 0) FROM pages WHERE run_id = ?", [run_id]).fetchone()
    rejections = dict(db.execute(
        f"SELECT {REJECTION_REASON}, count(*) FROM pages WHERE run_id = ? AND {REJECTED} GROUP BY 1 "
        "ORDER BY 2 DESC, 1", [run_id]).fetchall())
    return RunTotals(pages, new, duplicates, errors, rejections)


@dataclass
class PortalSummary:
    portal: str
    articles: int = 0
    duplicates: int = 0  # pages that are copies of an article archived before (alias) or visits again (refetch)
    rejections: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    last_run_started: str | None = None
    last_run_outcome: str | None = None
    last_run_new: int | None = None


def portal_summaries(db: Database, portals: list[str] | None = None) -> list[PortalSummary]:
    """One summary per portal that is configured or present in the archive."""
    found: dict[str, PortalSummary] = {name: PortalSummary(name) for name in portals or []}

    def get(name: str) -> PortalSummary:
        return found.setdefault(name, PortalSummary(name))

    for name, count in db.execute("SELECT portal, count(*) FROM articles GROUP BY portal"):
        get(name).articles = count
    for name, count in db.execute(
        f"SELECT portal, count(*) FROM pages WHERE {DUPLICATE} GROUP BY portal"
    ):
        get(name).duplicates = count
    for name, reason, count in db.execute(
        f"SELECT portal, {REJECTION_REASON}, count(*) FROM pages WHERE {REJECTED} GROUP BY 1, 2 ORDER BY 3 DESC"
    ):
        get(name).rejections[reason] = count
    for name, count in db.execute("SELECT portal, count(*) FROM pages WHERE outcome = 'error' GROUP BY portal"):
        get(name).errors = count
    for name, started, outcome, new in db.execute(_LAST_RUNS):
        s = get(name)
        s.last_run_started, s.last_run_outcome, s.last_run_new = started, outcome, new
    return list(found.values())


# Each portal's last run, through the runs(portal, id) index: the portals are walked one index probe at a time
# (SQLite has no loose index scan of its own), not read from every run the archive has kept.
_LAST_RUNS = """
WITH RECURSIVE portals(name) AS (
    SELECT min(portal) FROM runs
    UNION ALL
    SELECT (SELECT min(portal) FROM runs WHERE portal > portals.name) FROM portals WHERE name IS NOT NULL
)
SELECT runs.portal, runs.started, runs.outcome, runs.new_articles
FROM portals JOIN runs ON runs.id = (SELECT max(id) FROM runs WHERE portal = portals.name)
WHERE portals.name IS NOT NULL
"""


def run_rejections(db: Database, run_id: int) -> dict[str, int]:
    row = db.execute("SELECT rejections FROM runs WHERE id = ?", [run_id]).fetchone()
    return json.loads(row[0]) if row and row[0] else {}
