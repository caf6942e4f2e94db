"""Cron expressions (croniter): validation with a message that names the portal, next and previous fires,
and the equivalent systemd calendar for users who prefer the OS scheduler."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from croniter import croniter

# Schedules, and the times `status` shows, are in the portals' time zone (UTC+8 all year: no DST in China).
SHANGHAI = timezone(timedelta(hours=8))
ZONE_NAME = "Asia/Shanghai"  # its name, for crontab, systemd and the labels people read
_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def is_valid(expression: str) -> bool:
    return isinstance(expression, str) and croniter.is_valid(expression)


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
    """`*/30 * * * *` → `*-*-* *:00/30:00` (systemd.time OnCalendar=), for five-field expressions."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"only five-field cron expressions convert to systemd calendars, got {expression!r}")
    minute, hour, day, month, weekday = fields
    calendar = f"*-{_systemd_field(month)}-{_systemd_field(day)} {_systemd_field(hour)}:{_systemd_field(minute)}:00"
    if weekday != "*":
        calendar = f"{_systemd_field(weekday, _DAYS)} {calendar}"
    return calendar
