"""Health from evidence: a portal that changes between real crawls (replica.living), judged after each run.

Each test is a row of issue 14's table: what changes on the portal, and how many runs (or new articles) until
the verdict a user needs. Times come from an injected clock; no test waits for a schedule.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from crawler.portals import load_config
from crawler.scheduling.cron import SHANGHAI
from crawler.scheduling.health import FAILING, OK, WARN, HealthRules, assess
from crawler.scheduling.runner import publication_days, recent_runs
from crawler.scheduling.status import portal_status
from replica.living import LivingPortal
from replica.server import ReplicaServer, Site
from storage import Archive, Article, Page
from tests.conftest import FAST, ROOT, Crawl, _env

EMPTY_SITE = Path(__file__).parent / "no-such-site-folder"  # the living portal alone: no bundled hosts


class Living:
    """The living portal on a replica server, its configuration, and an archive crawled by real `crawl` runs."""

    def __init__(self, tmp_path: Path, server: ReplicaServer, portal: LivingPortal, extra: str = ""):
        self.server, self.portal = server, portal
        self.config = tmp_path / "portals.toml"
        self.config.write_text(portal.portal_toml(extra), "utf-8")
        self.db = tmp_path / "a.db"

    def crawl(self) -> None:
        result = Crawl(self.server.url, self.db, ("living",), {"PORTALS_FILE": self.config}).run()
        assert result.returncode == 0, result.stderr[-2000:]

    def status(self):
        portals, rules = load_config(self.config)
        archive = Archive.open(self.db)
        try:
            return portal_status(archive.db, portals["living"], rules["living"], datetime.now(SHANGHAI))
        finally:
            archive.close()

    def run_and_judge(self) -> tuple[str, list[str]]:
        self.crawl()
        status = self.status()
        return status.health, status.reasons


@pytest.fixture
def living(tmp_path):
    portal = LivingPortal(published=5)
    with ReplicaServer(Site(EMPTY_SITE, dynamic=[portal])) as server:
        yield Living(tmp_path, server, portal)


def runs_until(living: Living, level: str, most: int, each_run=lambda: None) -> int:
    """Crawl (calling `each_run` before each) until the portal's health is `level`; how many runs it took."""
    for n in range(1, most + 1):
        each_run()
        health, _ = living.run_and_judge()
        if health == level:
            return n
    return most + 1


def test_article_urls_that_change_while_the_lists_keep_changing_make_the_portal_failing_within_2_runs(living):
    living.crawl()
    assert living.status().health == OK
    living.portal.urls = "cms"  # the lists go on showing new articles, at URLs article_patterns do not match
    living.portal.publish()
    health, reasons = living.run_and_judge()
    assert health == WARN and "article_patterns matched none of the" in reasons[0]
    living.portal.publish()
    health, reasons = living.run_and_judge()
    assert health == FAILING and "2 run(s) in a row (article URLs changed?)" in "; ".join(reasons)
    status = living.status()
    assert status.evidence["article_links"] == 0 and status.evidence["list_links"] > 0
    assert status.evidence_line.startswith(f"0/{status.evidence['list_links']} list links match article_patterns")


def test_a_broken_template_on_a_portal_that_publishes_less_often_than_it_is_crawled_fails_by_the_second_article(
        living):
    living.crawl()
    living.portal.template = "broken"
    verdicts = []
    for published in (0, 1, 0, 0, 1):  # two new articles, with runs that found nothing between them
        living.portal.publish(published)
        verdicts.append(living.run_and_judge()[0])
    assert FAILING not in verdicts[:4]  # one rejected article alone could be an odd page
    assert verdicts[4] == FAILING
    status = living.status()
    assert status.evidence["rejected_in_a_row"] == 2
    assert "the last 2 newly found article pages were all rejected" in "; ".join(status.reasons)
    living.portal.template = "ok"  # repaired: the next article archived ends the count
    living.portal.publish()
    assert living.run_and_judge()[0] == OK


def test_a_body_that_moves_to_a_new_container_is_a_warning_naming_the_selector_while_articles_still_come(living):
    living.crawl()
    living.portal.template = "moved"
    living.portal.publish(2)
    health, reasons = living.run_and_judge()
    assert health == WARN
    assert "extract.body .artCon matched none of the last 2 new articles" in "; ".join(reasons)
    with sqlite3.connect(living.db) as conn:  # generic extraction archived them all the same
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 7
        assert conn.execute("SELECT body_own, body_generic FROM runs ORDER BY id DESC").fetchone() == (0, 2)
        assert conn.execute("SELECT body_own, body_generic FROM runs ORDER BY id").fetchone() == (5, 0)


def test_a_body_that_becomes_script_rendered_makes_the_portal_failing_within_2_runs(living):
    living.crawl()
    living.portal.template = "script"
    assert runs_until(living, FAILING, 3, lambda: living.portal.publish(1)) == 2


def test_a_quiet_portal_that_revisits_its_articles_stays_ok(tmp_path):
    portal = LivingPortal(published=5)
    with ReplicaServer(Site(EMPTY_SITE, dynamic=[portal])) as server:
        living = Living(tmp_path, server, portal, extra="revisit_days = 100000\n")
        living.crawl()
        verdicts = [living.run_and_judge() for _ in range(3)]  # nothing published for three runs
    assert [health for health, _ in verdicts] == [OK, OK, OK], verdicts
    with sqlite3.connect(living.db) as conn:
        assert conn.execute("SELECT new_links, revisits FROM runs ORDER BY id DESC").fetchone() == (0, 5)


def test_the_webhook_fires_once_when_a_portal_turns_failing_and_once_when_it_recovers(tmp_path, webhook):
    portal = LivingPortal(published=5)
    extra = f'schedule = "* * * * * */2"\n[portals.living.health]\nwebhook = "{webhook.url}"\n'
    with ReplicaServer(Site(EMPTY_SITE, dynamic=[portal])) as server:
        living = Living(tmp_path, server, portal, extra=extra)
        alerts = []  # alerts received so far, after each run
        for template, published in [("ok", 0), ("script", 2), ("script", 1), ("script", 1), ("ok", 1), ("ok", 1)]:
            portal.template = template
            portal.publish(published)
            schedule(server, living)  # one scheduled run, checked as the scheduler checks every run
            alerts.append(len(webhook.received))
    # failing at the second run (two new articles, both without their story), recovered at the fifth
    assert alerts == [0, 1, 1, 1, 2, 2]
    failing, recovered = webhook.received
    assert (failing["event"], recovered["event"]) == ("failing", "recovered")
    assert failing["portal"] == "living" and failing["health"] == FAILING and failing["previous"] == OK
    assert failing["evidence"]["rejected_in_a_row"] == 2
    assert any("newly found article pages were all rejected" in reason for reason in failing["reasons"])
    assert recovered["health"] == OK and recovered["previous"] == FAILING
    assert recovered["evidence"]["new_articles"] == 1


def schedule(server: ReplicaServer, living: Living) -> None:
    command = [sys.executable, "-m", "crawler", "schedule", "--config", str(living.config), "--db", str(living.db),
               "--max-runs", "1"]
    for name, value in {**FAST, "REPLICA_URL": server.url}.items():
        command += ["--set", f"{name}={value}"]
    result = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_status_shows_the_evidence_in_one_line_per_portal(living):
    living.crawl()
    living.portal.urls = "cms"
    living.portal.publish()
    living.crawl()
    result = subprocess.run([sys.executable, "-m", "crawler", "status", "--config", str(living.config), "--db",
                             str(living.db)], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60)
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("living: ")]
    assert line == ("living: 0/10 list links match article_patterns; last run: 0 new links, 0 new articles, "
                    "0 revisits; rejected in a row: 0; generic body in a row: 0")


# The portal's usual publication rate, learned from its archived articles: silence judged against it. ------------

RATE_DAY = date(2026, 11, 1)  # the newest article's publication day; the runs' clock is set from it


def _judge_publishing(tmp_path: Path, days: list[date], quiet: int, rules: HealthRules = HealthRules()):
    """A real archive holding one article for each of `days`, and a finished run `quiet` days after the newest;
    the portal's health as the scheduler and `status` judge it then (an injected clock, no waiting)."""
    tmp_path.mkdir(exist_ok=True)
    archive = Archive.open(tmp_path / "rate.db")
    run = archive.start_run("p")
    archive.write_batch([
        Page(url=f"http://www.example.gov.cn/a/{i}.html", portal="p", fetched_at=f"{day}T02:00:00+00:00",
             http_status=200, outcome="article",
             article=Article(f"标题{i}", f"{day}T09:30:00+08:00", None, None,
                             f"第{i}条警情通报，{day}，民警到场处置。"))
        for i, day in enumerate(days)], run)
    archive.update_run(run, outcome="finished")
    now = datetime.combine(max(days) + timedelta(days=quiet), time(10), SHANGHAI)
    archive.db["runs"].update(run, {"started": now.astimezone(timezone.utc).isoformat(timespec="seconds")})
    health = assess(recent_runs(archive.db, "p"), rules, now, None, (),
                    publication_days(archive.db, "p", rules.rate_days))
    archive.close()
    return health


def _every(step: int, count: int) -> list[date]:
    return [RATE_DAY - timedelta(days=step * k) for k in range(count)]


def test_a_daily_publisher_silent_for_six_days_is_a_warning_with_the_evidence(tmp_path):
    health = _judge_publishing(tmp_path, _every(1, 20), quiet=6)
    assert health.level == WARN
    assert health.reasons == ["no new article for 6 d; usually every 1 d"]
    assert (health.evidence.usual_gap_days, health.evidence.quiet_days) == (1, 6)


def test_a_daily_publisher_quiet_for_three_days_is_ok(tmp_path):
    assert _judge_publishing(tmp_path, _every(1, 20), quiet=3).level == OK


def test_a_weekly_publisher_silent_for_six_days_is_ok(tmp_path):
    health = _judge_publishing(tmp_path, _every(7, 8), quiet=6)
    assert (health.level, health.reasons, health.evidence.usual_gap_days) == (OK, [], 7)


def test_too_little_history_gives_no_verdict_on_silence(tmp_path):
    health = _judge_publishing(tmp_path / "4", _every(1, 4), quiet=30)  # 4 articles: fewer than rate_articles
    assert (health.level, health.reasons, health.evidence.usual_gap_days) == (OK, [], None)
    assert _judge_publishing(tmp_path / "5", _every(1, 5), quiet=30).level == WARN  # 5: enough to judge


def test_the_quiet_threshold_is_a_health_key_a_portal_can_override(tmp_path):
    assert _judge_publishing(tmp_path, _every(1, 20), quiet=6, rules=HealthRules(quiet_gaps=10)).level == OK
    config = tmp_path / "portals.toml"
    config.write_text('[health]\nquiet_gaps = 4\n[portals.p]\nallowed_domains = ["example.gov.cn"]\n'
                      'start_urls = ["http://www.example.gov.cn/"]\narticle_patterns = ["/a/"]\n'
                      '[portals.p.health]\nquiet_gaps = 10\nrate_days = 14\n', "utf-8")
    _, rules = load_config(config)
    assert (rules["p"].quiet_gaps, rules["p"].rate_days, rules["p"].rate_articles) == (10, 14, 5)
