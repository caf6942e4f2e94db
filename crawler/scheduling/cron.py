"""Cron expressions (croniter): validation with a message that says what is wrong, next and previous fires,
the equivalent systemd calendar for users who prefer the OS scheduler, and the times users type.

A schedule has cron's five fields (minute hour day month weekday). Seconds, when wanted (tests), go in a sixth
field after the weekday, as croniter reads them; a sixth field of `*` or `?` is refused, since that is how
expressions that put seconds first (Quartz, Spring) end, and read our way they would run every second.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

from croniter import croniter

# Schedules, and the times `status` shows, are in the portals' time zone (UTC+8 all year: no DST in China).
SHANGHAI = timezone(timedelta(hours=8))
ZONE_NAME = "Asia/Shanghai"  # its name, for crontab, systemd and the labels people read
_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


FIVE_FIELDS = "five fields: minute hour day month weekday, e.g. '*/30 * * * *'"


class ScheduleError(ValueError):
    """A schedule that cannot be used (or converted) as written."""


def problem(expression: object) -> str | None:
    """What is wrong with a schedule, in words that follow "field 'schedule' ", or None when it is fine."""
    if not isinstance(expression, str) or not croniter.is_valid(expression) or expression.startswith("@"):
        return f"is not a valid cron expression: {expression!r} ({FIVE_FIELDS})"
    fields = expression.split()
    if len(fields) == 6 and fields[5] in ("*", "?"):
        return (f"is not a valid cron expression: {expression!r} is ambiguous: a sixth field is seconds, after the "
                "weekday, and '*' there runs every second (seconds first, as in Quartz, is not read here); "
                f"use {FIVE_FIELDS}, or seconds last, e.g. '*/30 * * * * 0'")
    if len(fields) not in (5, 6):
        return f"is not a valid cron expression: {expression!r} has {len(fields)} fields ({FIVE_FIELDS})"
    return None


def is_valid(expression: object) -> bool:
    return problem(expression) is None


def has_seconds(expression: str) -> bool:
    return len(expression.split()) == 6


def user_time(text: str, local: tzinfo | None = None) -> datetime:
    """A time a user typed (ISO 8601): an explicit offset wins; a time without one is this machine's local
    time (`local`, when given, stands for it: tests). ValueError when it is not a time."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        return value
    return value.replace(tzinfo=local) if local is not None else value.astimezone()


def next_fire(expression: str, after: datetime) -> datetime:
    return croniter(expression, after.astimezone(SHANGHAI)).get_next(datetime)


def previous_fire(expression: str, at: datetime) -> datetime:
    """The latest fire time at or before `at`."""
    return croniter(expression, at.astimezone(SHANGHAI) + timedelta(microseconds=1)).get_prev(datetime)


def interval(expression: str, at: datetime) -> timedelta:
    first = next_fire(expression, at)
    return next_fire(expression, first) - first


def _systemd_field(field: str, names: list[str] | None = None, pad: int = 2) -> str:
    def one(part: str) -> str:
        value, _, step = part.partition("/")
        if value == "*":
            value = "0".zfill(pad) if step and not names else "*"
        elif "-" in value:
            low, high = value.split("-")
            value = f"{_name(low, names, pad)}..{_name(high, names, pad)}"
        else:
            value = _name(value, names, pad)
        return f"{value}/{step}" if step else value

    return ",".join(one(part) for part in field.split(","))


def _name(value: str, names: list[str] | None, pad: int) -> str:
    return names[int(value)] if names and value.isdigit() else value.zfill(pad) if value.isdigit() else value


def to_systemd_calendar(expression: str) -> str:
    """`*/30 * * * *` → `*-*-* *:00/30:00` (systemd.time OnCalendar=); a sixth field (seconds) fills the
    seconds. ScheduleError for what systemd reads otherwise than cron: both a day and a weekday (cron runs
    on either, systemd only when both match)."""
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise ScheduleError(f"{expression!r} has {len(fields)} fields; only {FIVE_FIELDS} convert to systemd")
    minute, hour, day, month, weekday = fields[:5]
    if day != "*" and weekday != "*":
        raise ScheduleError(f"{expression!r} names both a day of the month and a weekday: cron runs on either, "
                            "systemd only on days that are both, so it has no equivalent OnCalendar=")
    second = _systemd_field(fields[5]) if len(fields) == 6 else "00"
    calendar = (f"*-{_systemd_field(month)}-{_systemd_field(day)} "
                f"{_systemd_field(hour)}:{_systemd_field(minute)}:{second}")
    if weekday != "*":
        calendar = f"{_systemd_field(weekday, _DAYS)} {calendar}"
    return calendar
