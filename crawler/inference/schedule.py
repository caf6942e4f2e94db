"""A cron schedule from how often a list publishes: visit about twice per publication interval.

Visiting more often finds nothing new; much less often lets a busy list scroll articles off its first pages
before the next run. Intervals snap to a few steps so schedules stay readable, and the minute is derived
from the portal's name so that portals added together do not all start at :00.
"""

from __future__ import annotations

import re
import zlib
from datetime import date

from crawler.inference.links import Link

STEPS_HOURS = (0.5, 1, 2, 3, 6, 12, 24)
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[-/]?(\d{2})[-/]?(\d{2})[/_]|/t((?:19|20)\d{2})(\d{2})(\d{2})_")


def link_date(link: Link) -> date | None:
    """The publication date printed beside a link in the list, else the one written in its URL."""
    for match in _DATE.finditer(link.context):
        if found := _date(*match.groups()):
            return found
    if match := _URL_DATE.search(link.url):
        parts = [g for g in match.groups() if g]
        return _date(*parts)
    return None


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def publication_interval_hours(dates: list[date]) -> float | None:
    """Mean hours between publications over the listed dates, or None with fewer than two dates."""
    if len(dates) < 2:
        return None
    span_days = max((max(dates) - min(dates)).days, 1)
    return span_days * 24 / (len(dates) - 1)


def cron_for(interval_hours: float | None, name: str) -> str:
    """Visit twice per publication interval, snapped to STEPS_HOURS; six-hourly when the list shows no dates."""
    every = STEPS_HOURS[-1] if interval_hours is None else interval_hours / 2
    step = next((s for s in reversed(STEPS_HOURS) if s <= every), STEPS_HOURS[0])
    if interval_hours is None:
        step = 6
    minute = zlib.crc32(name.encode()) % 30
    if step == 0.5:
        return f"{minute}/30 * * * *" if minute else "*/30 * * * *"
    if step == 1:
        return f"{minute} * * * *"
    if step == 24:
        return f"{minute} 7 * * *"
    return f"{minute} */{step} * * *"
