"""Schedules and health rules as pure functions, on an injected clock."""

from datetime import datetime, timedelta, timezone

import pytest

from crawler.portals import PortalConfigError, load_portals
from crawler.scheduling.cron import (
    SHANGHAI,
    ScheduleError,
    next_fire,
    previous_fire,
    problem,
    to_systemd_calendar,
    user_time,
)
from crawler.scheduling.health import FAILING, OK, WARN, HealthRules, assess
from crawler.scheduling.planner import first_slots, following_slot

NOW = datetime(2026, 11, 22, 10, 7, tzinfo=SHANGHAI)


def test_next_and_previous_fire_times():
    assert next_fire("*/30 * * * *", NOW) == datetime(2026, 11, 22, 10, 30, tzinfo=SHANGHAI)
    assert previous_fire("*/30 * * * *", NOW) == datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)
    assert previous_fire("*/30 * * * *", NOW.replace(minute=30)) == NOW.replace(minute=30)


def test_after_downtime_a_portal_catches_up_once_not_once_per_missed_slot():
    last = {"zjol": NOW - timedelta(hours=5), "cnnb": NOW - timedelta(minutes=3), "new": None}
    slots = {s.portal: s for s in first_slots({"zjol": "*/30 * * * *", "cnnb": "*/30 * * * *",
                                               "new": "0 7 * * *"}, last, NOW)}
    assert (slots["zjol"].at, slots["zjol"].trigger) == (NOW, "catch-up")
    assert (slots["cnnb"].at, slots["cnnb"].trigger) == (NOW.replace(minute=30), "schedule")
    assert slots["new"].trigger == "catch-up"  # never run: run now rather than wait for tomorrow 07:00
    after_long_run = following_slot("zjol", "*/30 * * * *", NOW + timedelta(hours=2))
    assert after_long_run.at == datetime(2026, 11, 22, 12, 30, tzinfo=SHANGHAI)  # missed slots are not replayed


@pytest.mark.parametrize(
    ("cron", "calendar"),
    [("*/30 * * * *", "*-*-* *:00/30:00"), ("0 7 * * *", "*-*-* 07:00:00"),
     ("15 */2 * * *", "*-*-* 00/2:15:00"), ("0 9 * * 1-5", "Mon..Fri *-*-* 09:00:00")],
)
def test_cron_expressions_convert_to_systemd_calendars(cron, calendar):
    assert to_systemd_calendar(cron) == calendar


def test_a_bad_cron_expression_names_the_portal_and_the_field(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[portals.zjol]\nallowed_domains=["zjol.com.cn"]\nstart_urls=["http://zjol.com.cn/"]\n'
                    'article_patterns=["x"]\nschedule="every half hour"\n', "utf-8")
    with pytest.raises(PortalConfigError, match="portal 'zjol': field 'schedule' is not a valid cron"):
        load_portals(path)


def run(outcome="finished", new=0, links=0, pages=10, errors=0, rejections="{}", duplicates=0, minutes_ago=10):
    started = (NOW - timedelta(minutes=minutes_ago)).isoformat()
    return {"outcome": outcome, "new_articles": new, "new_links": links, "pages": pages, "errors": errors,
            "rejections": rejections, "duplicates": duplicates, "started": started}


RULES = HealthRules(empty_runs=3, error_rate=0.5, rejection_rate=0.9, stale_after=3)
HALF_HOUR = timedelta(minutes=30)


def test_healthy_portal():
    assert assess([run(new=5, links=5)], RULES, NOW, HALF_HOUR).level == OK


def test_runs_that_see_new_links_but_archive_nothing_mean_a_broken_template():
    runs = [run(new=0, links=8) for _ in range(3)] + [run(new=4, links=4)]
    health = assess(runs, RULES, NOW, HALF_HOUR)
    assert health.level == FAILING and "template" in health.reasons[0]
    quiet = [run(new=0, links=0) for _ in range(5)]  # nothing new published: not a failure
    assert assess(quiet, RULES, NOW, HALF_HOUR).level == OK


@pytest.mark.parametrize(
    ("runs", "level", "reason"),
    [
        ([run(outcome="failed")], FAILING, "last run failed"),
        ([run(outcome="timeout")], FAILING, "last run timeout"),
        ([run(outcome="interrupted", new=1)], WARN, "last run interrupted"),
        ([run(pages=10, errors=6)], FAILING, "6 of 10 pages were errors"),
        ([run(new=0, rejections='{"http 404": 19}', duplicates=1)], WARN, "19 of 20 article pages rejected"),
        ([run(new=2, minutes_ago=200)], WARN, "no run for 3 h"),
        ([], WARN, "never run"),
    ],
)
def test_health_rules(runs, level, reason):
    health = assess(runs, RULES, NOW, HALF_HOUR)
    assert health.level == level
    assert reason in "; ".join(health.reasons)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 */30 * * * *", "is ambiguous: a sixth field is seconds, after the weekday"),  # seconds first
        ("0 0 7 * * ?", "is not a valid cron expression"),
        ("@hourly", "five fields: minute hour day month weekday"),
        ("0 7 * * * 0 2026", "has 7 fields"),
    ],
)
def test_schedules_have_cron_five_fields_and_seconds_only_last_and_unambiguous(expression, message):
    assert message in problem(expression)


def test_seconds_go_in_a_sixth_field_after_the_weekday():
    assert problem("* * * * * */2") is None
    assert next_fire("* * * * * */2", NOW) == NOW + timedelta(seconds=2)
    assert to_systemd_calendar("*/5 * * * * 30") == "*-*-* *:00/5:30"


def test_a_typed_time_keeps_its_offset_and_a_naive_one_is_local_time():
    local = timezone(timedelta(hours=-5))  # this machine's zone, injected
    assert user_time("2026-12-01T08:00+08:00", local) == datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)
    assert user_time("2026-12-01T08:00Z", local) == datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    assert user_time("2026-12-01T08:00", local) == datetime(2026, 12, 1, 13, 0, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        user_time("tomorrow-ish", local)


def test_a_day_and_a_weekday_together_have_no_systemd_equivalent():
    with pytest.raises(ScheduleError, match="cron runs on either"):
        to_systemd_calendar("0 7 1 * 1")


def test_a_run_of_a_schedule_of_seconds_is_not_called_missing_while_it_runs():
    just_now = dict(run(new=2), started=(NOW - timedelta(seconds=8)).isoformat())
    assert assess([just_now], RULES, NOW, timedelta(seconds=2)).level == OK
    assert "no run for 10 min" in assess([dict(just_now, started=(NOW - timedelta(minutes=10, seconds=1)).isoformat())],
                                         RULES, NOW, timedelta(seconds=2)).reasons[0]
