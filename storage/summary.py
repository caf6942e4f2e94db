"""What is in the archive, per portal: the figures behind `python -m crawler stats`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlite_utils import Database


@dataclass
class PortalSummary:
    portal: str
    articles: int = 0
    aliases: int = 0
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
        "SELECT portal, count(*) FROM pages WHERE dedup = 'alias' GROUP BY portal"
    ):
        get(name).aliases = count
    for name, reason, count in db.execute(
        "SELECT portal, coalesce(reason, outcome), count(*) FROM pages "
        "WHERE outcome IN ('not_found', 'not_article') GROUP BY 1, 2 ORDER BY 3 DESC"
    ):
        get(name).rejections[reason] = count
    for name, count in db.execute("SELECT portal, count(*) FROM pages WHERE outcome = 'error' GROUP BY portal"):
        get(name).errors = count
    for name, started, outcome, new in db.execute(
        "SELECT portal, started, outcome, new_articles FROM runs r WHERE id = "
        "(SELECT max(id) FROM runs WHERE portal = r.portal)"
    ):
        s = get(name)
        s.last_run_started, s.last_run_outcome, s.last_run_new = started, outcome, new
    return list(found.values())


def run_rejections(db: Database, run_id: int) -> dict[str, int]:
    row = db.execute("SELECT rejections FROM runs WHERE id = ?", [run_id]).fetchone()
    return json.loads(row[0]) if row and row[0] else {}
