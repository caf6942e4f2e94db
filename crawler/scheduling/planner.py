"""What is due, and when the next runs are: pure functions of the schedules, the runs and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crawler.scheduling.cron import next_fire, previous_fire


@dataclass(frozen=True)
class Slot:
    portal: str
    at: datetime
    trigger: str  # "schedule" or "catch-up"


def first_slots(schedules: dict[str, str], last_started: dict[str, datetime | None], now: datetime) -> list[Slot]:
    """At start: one catch-up run now for a portal that missed a slot while nothing ran it (not one per
    missed slot), otherwise its next scheduled time."""
    slots = []
    for portal, expression in schedules.items():
        last = last_started.get(portal)
        missed = last is None or previous_fire(expression, now) > last
        slots.append(Slot(portal, now, "catch-up") if missed else Slot(portal, next_fire(expression, now), "schedule"))
    return slots


def following_slot(portal: str, expression: str, now: datetime) -> Slot:
    """The next slot after a run was started (or skipped) at `now`: slots already past are not replayed."""
    return Slot(portal, next_fire(expression, now), "schedule")
