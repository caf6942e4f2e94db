"""The embedded scheduler: a long-lived process that starts one crawl process per due portal.

Scrapy's reactor cannot restart in one process, and one hung or crashed run must not take the scheduler
down, so every run is `python -m crawler crawl PORTAL` in a process group of its own (forked from a template that
has imported it already, see launcher.py), or a job of a scrapyd (`--scrapyd URL`, see scrapyd.py). State that must survive a restart (what ran, when, how it ended) lives in the
archive's runs table.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from crawler.locks import LockBusyError, portal_locks, scheduler_lock
from crawler.portals import Portal
from crawler.run_logs import log_dir, run_log_path
from crawler.scheduling import cron, planner
from crawler.scheduling.launcher import Job, LaunchError, Launcher
from crawler.scheduling.health import FAILING, Alert, HealthRules, transition
from crawler.scheduling.scrapyd import Scrapyd, ScrapydError, ScrapydJob, is_loopback
from storage import Archive
from storage.records import FAILED

log = logging.getLogger("crawler.schedule")
ROOT = Path(__file__).resolve().parents[2]
EXIT_BUSY = 3  # the crawl found the portal locked by another process
STOP_GRACE = 30.0  # seconds a run gets to write its last batch after SIGINT before it is killed


@dataclass
class Running:
    portal: str
    run_id: int
    process: Job
    deadline: float
    log_path: Path
    timed_out: bool = False
    stop_sent_at: float | None = None


@dataclass
class SchedulerOptions:
    db: Path
    portals_file: Path | None = None
    replica_url: str = ""
    max_concurrent: int = 2
    max_runs: int | None = None  # stop after starting this many runs (tests, one-off catch-ups)
    until: datetime | None = None  # stop scheduling at this time
    log_dir: Path | None = None
    extra_settings: dict[str, str] = field(default_factory=dict)
    scrapyd: Scrapyd | None = None  # run each crawl as a job of this scrapyd instead of a local process
    cold_start: bool = False  # start each local run as a new Python process, not as a fork of the warm template


class Scheduler:
    def __init__(self, portals: dict[str, Portal], rules: dict[str, HealthRules], options: SchedulerOptions):
        self.portals = portals
        self.rules = rules
        self.options = options
        self.log_dir = options.log_dir or log_dir(options.db)
        self.running: dict[str, Running] = {}
        self.started = 0
        self.stopping = False  # no new runs; the loop ends when the running ones have ended
        self.interrupted = False  # SIGTERM/SIGINT: running crawls are asked to stop too
        self.slots: dict[str, planner.Slot] = {}
        self.launcher = Launcher(cold=options.cold_start)

    # Lifecycle ---------------------------------------------------------------------------------------------

    def run(self) -> int:
        """Schedule until SIGTERM/SIGINT, --until or --max-runs; return the number of runs started."""
        with scheduler_lock(self.options.db):
            previous = {sig: signal.signal(sig, self._request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
            try:
                if not self.options.scrapyd:
                    self.launcher.warm_up()
                self._plan_start()
                while not (self.stopping and not self.running):
                    self._reap()
                    if self.interrupted:
                        self._stop_children()
                    elif not self.stopping:
                        self._launch_due()
                        self._check_limits()
                    time.sleep(0.2)
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
        log.info("scheduler stopped after starting %d runs", self.started)
        return self.started

    def _request_stop(self, signum: int, frame: object) -> None:
        log.info("received %s: no new runs; running crawls finish their current batch", signal.Signals(signum).name)
        self.stopping = self.interrupted = True

    def _check_limits(self) -> None:
        if self.options.max_runs is not None and self.started >= self.options.max_runs:
            self.stopping = True
        if self.options.until and _now() >= self.options.until:
            self.stopping = True

    # Planning ----------------------------------------------------------------------------------------------

    def _plan_start(self) -> None:
        archive = Archive.open(self.options.db)
        try:
            last = {name: _last_started(archive, name) for name in self.portals}
        finally:
            archive.close()
        schedules = {name: p.schedule for name, p in self.portals.items()}
        for slot in planner.first_slots(schedules, last, _now()):
            self.slots[slot.portal] = slot
            log.info("%s: next run %s (%s)", slot.portal, slot.at.isoformat(timespec="seconds"), slot.trigger)

    def _launch_due(self) -> None:
        now = _now()
        for name, slot in sorted(self.slots.items(), key=lambda item: item[1].at):
            if slot.at > now:
                continue
            if name in self.running:
                log.warning("%s: slot %s skipped, the previous run is still going", name, slot.at)
            elif len(self.running) >= self.options.max_concurrent:
                continue  # stays due; starts when a run ends
            elif self.options.max_runs is not None and self.started >= self.options.max_runs:
                return
            else:
                self._start(name, slot.trigger)
            self.slots[name] = planner.following_slot(name, self.portals[name].schedule, now)

    # Processes ---------------------------------------------------------------------------------------------

    def _start(self, name: str, trigger: str) -> None:
        portal = self.portals[name]
        archive = Archive.open(self.options.db)
        try:
            # Under the portal's lock, so that a run another process (a scrapyd job) is making is not taken for
            # one left by a dead process; the crawl takes the lock again for itself.
            with portal_locks(self.options.db, [name]):
                run_id = archive.start_run(name, trigger)
            log_path = run_log_path(self.log_dir, name, run_id)
            archive.set_log_path(run_id, str(log_path))
        except LockBusyError as exc:
            archive.skip_run(name, trigger, str(exc))
            log.warning("%s: not started: %s", name, exc)
            return
        finally:
            archive.close()
        settings = {"ARCHIVE_RUN_ID": str(run_id), "ARCHIVE_RUN_TRIGGER": trigger,
                    **({"REPLICA_URL": self.options.replica_url} if self.options.replica_url else {}),
                    **self.options.extra_settings}
        self.started += 1
        try:
            process = (self._scrapyd_job(name, settings) if self.options.scrapyd
                       else self._local_process(name, settings, log_path))
        except ScrapydError as exc:
            self._record_failure(run_id, name, f"scrapyd refused the job: {exc}")
            return
        except LaunchError as exc:  # out of processes or file descriptors, say: this run fails, the schedule goes on
            self._record_failure(run_id, name, str(exc))
            return
        self.running[name] = Running(name, run_id, process, time.monotonic() + portal.run_timeout, log_path)
        log.info("%s: run %d started (%s, %s), log %s", name, run_id, trigger, _describe(process), log_path)

    def _local_process(self, name: str, settings: dict[str, str], log_path: Path) -> Job:
        argv = ["crawl", name, "--db", str(self.options.db)]
        if self.options.portals_file:
            argv += ["--config", str(self.options.portals_file)]
        settings = {"LOG_FILE": str(log_path), "ARCHIVE_SCHEDULER_PID": str(os.getpid()), **settings}
        for key, value in settings.items():
            argv += ["--set", f"{key}={value}"]
        return self.launcher.start(argv, log_path)

    def _scrapyd_job(self, name: str, settings: dict[str, str]) -> ScrapydJob:
        """Queue the run on scrapyd; the job's own RunLogFile writes the run's log beside the archive."""
        scrapyd = self.options.scrapyd
        assert scrapyd is not None
        settings = {"ARCHIVE_DB": str(self.options.db),
                    **({"PORTALS_FILE": str(self.options.portals_file)} if self.options.portals_file else {}),
                    # a scrapyd on this machine: its job stops when the scheduler is gone, as a local run does
                    **({"ARCHIVE_SCHEDULER_PID": str(os.getpid())} if is_loopback(scrapyd.url) else {}),
                    **({"CONTACT_URL": os.environ["POLICE_NEWS_CONTACT_URL"]}
                       if os.environ.get("POLICE_NEWS_CONTACT_URL") else {}),
                    **settings}
        return ScrapydJob(scrapyd, scrapyd.schedule(name, settings))

    def _record_failure(self, run_id: int, name: str, reason: str) -> None:
        log.error("%s: run %d failed: %s", name, run_id, reason)
        archive = Archive.open(self.options.db)
        try:
            archive.update_run(run_id, FAILED, reason)
            self._check_health(archive, name)
        finally:
            archive.close()

    def _reap(self) -> None:
        for name, run in list(self.running.items()):
            code = run.process.poll()
            if code is None:
                if time.monotonic() > run.deadline and not run.timed_out:
                    log.error("%s: run %d exceeded %d s, stopping it", name, run.run_id,
                              self.portals[name].run_timeout)
                    run.timed_out = True
                    run.process.signal(signal.SIGINT)
                    run.deadline = time.monotonic() + STOP_GRACE
                elif time.monotonic() > run.deadline and run.timed_out:
                    run.process.signal(signal.SIGKILL)
                continue
            del self.running[name]
            self._finish(run, code)

    def _stop_children(self) -> None:
        for run in self.running.values():
            if run.stop_sent_at is None:
                run.process.signal(signal.SIGINT)  # Scrapy: stop, flush the last batch, record "shutdown"
                run.stop_sent_at = time.monotonic()
            elif time.monotonic() - run.stop_sent_at > STOP_GRACE:
                run.process.signal(signal.SIGKILL)
                run.stop_sent_at = time.monotonic()  # and again after another grace, should it not end

    def _finish(self, run: Running, code: int) -> None:
        """Record how a run ended when its process could not say so itself, then check the portal's health."""
        archive = Archive.open(self.options.db)
        try:
            outcome = archive.db["runs"].get(run.run_id)["outcome"]
            if run.timed_out:
                archive.finish_run(run.run_id, "timeout")
            elif code == EXIT_BUSY:
                archive.finish_run(run.run_id, "skipped")
            elif outcome == "shutdown" or (self.interrupted and outcome == "running"):
                archive.finish_run(run.run_id, "interrupted")
            elif outcome == "running":
                archive.update_run(run.run_id, FAILED, run.process.why_unrecorded(code))
            final = archive.db["runs"].get(run.run_id)["outcome"]
            log.info("%s: run %d ended: %s (exit %s)", run.portal, run.run_id, final, code)
            self._check_health(archive, run.portal)
        finally:
            archive.close()

    def _check_health(self, archive: Archive, name: str) -> None:
        """Log the portal's health after a run; alert (once) when it turned failing or recovered."""
        portal, now = self.portals[name], _now()
        rules = self.rules[name]
        health, alert = transition(name, recent_runs(archive.db, name), rules, now,
                                   cron.interval(portal.schedule, now), portal.extract_options().body_selectors,
                                   publication_days(archive.db, name, rules.rate_days))
        if alert is not None and alert.event == "failing":
            log.error("%s is failing: %s", name, "; ".join(health.reasons))
        elif alert is not None:
            log.info("%s recovered: %s", name, health.level)
        elif health.level == FAILING:
            log.warning("%s is still failing: %s", name, "; ".join(health.reasons))
        if alert is not None:
            send_alert(self.rules[name].webhook, alert)


def _describe(process: Job) -> str:
    return process.pid if isinstance(process.pid, str) else f"pid {process.pid}"


def recent_runs(db: Database, portal: str, limit: int = 20) -> list[dict]:
    return list(db["runs"].rows_where("portal = ?", [portal], order_by="id desc", limit=limit))


def publication_days(db: Database, portal: str, days: int) -> list[date]:
    """The publication day of each of the portal's articles over `days` days before its newest one (for the
    health rule on its usual rate); articles without a date are left out. `published` is Asia/Shanghai time."""
    newest = _day(db.execute("SELECT max(published) FROM articles WHERE portal = ?", [portal]).fetchone()[0])
    if newest is None:
        return []
    rows = db.execute("SELECT published FROM articles WHERE portal = ? AND published >= ?",
                      [portal, (newest - timedelta(days=days)).isoformat()])
    return [day for (published,) in rows if (day := _day(published))]


def _day(published: str | None) -> date | None:
    try:
        return date.fromisoformat((published or "")[:10])
    except ValueError:
        return None


def _last_started(archive: Archive, portal: str) -> datetime | None:
    row = archive.db.execute("SELECT max(started) FROM runs WHERE portal = ?", [portal]).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def send_alert(url: str, alert: Alert) -> None:
    """POST the alert as JSON; a broken webhook is logged, never fatal."""
    if not url:
        return
    request = urllib.request.Request(url, alert.payload(), {"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=5).close()
    except OSError as exc:
        log.error("alert webhook %s failed: %s", url, exc)


PASSED_ON = ("POLICE_NEWS_CONTACT_URL",)  # the environment the crawls read settings from


def _passed_on() -> dict[str, str]:
    return {name: os.environ[name] for name in PASSED_ON if os.environ.get(name)}


def _now() -> datetime:
    return datetime.now(cron.SHANGHAI)


def crontab(portals: dict[str, Portal], db: Path, portals_file: Path | None) -> str:
    """Crontab lines that run the same schedule through the OS scheduler (CRON_TZ for the portals' time).
    ScheduleError for a schedule with seconds, which cron cannot run."""
    lines = ["# police-news archiver: one line per portal (python -m crawler schedule --print-crontab)",
             f"CRON_TZ={cron.ZONE_NAME}", *(f"{name}={_shell(value)}" for name, value in _passed_on().items())]
    logs = log_dir(db.resolve())
    for name, portal in portals.items():
        if cron.has_seconds(portal.schedule):
            raise cron.ScheduleError(f"portal {name!r} runs at seconds ({portal.schedule!r}), which cron cannot; "
                                     "use --print-systemd or the scheduler")
        command = (f"mkdir -p {_shell(logs)} && cd {_shell(ROOT)} && {_crawl_command(name, db, portals_file)}"
                   f" >> {_shell(logs / f'{name}.log')} 2>&1")
        lines.append(f"{portal.schedule} {command.replace('%', chr(92) + '%')}")  # cron reads % as a newline
    return "\n".join(lines) + "\n"


def _crawl_command(name: str, db: Path, portals_file: Path | None) -> str:
    words = [sys.executable, "-m", "crawler", "crawl", name, "--db", str(db.resolve()),
             "--set", "ARCHIVE_RUN_TRIGGER=schedule"]
    words += ["--config", str(portals_file.resolve())] if portals_file else []
    return " ".join(map(_shell, words))


def _shell(word: str | Path) -> str:
    return shlex.quote(str(word))


def systemd_units(portals: dict[str, Portal], db: Path, portals_file: Path | None) -> str:
    """A service and a timer per portal, with the schedule as OnCalendar= (Asia/Shanghai); ScheduleError for a
    schedule systemd would read otherwise."""
    environment = "".join(f"Environment={name}={value}\n" for name, value in _passed_on().items())
    out = []
    for name, portal in portals.items():
        out.append(f"""# /etc/systemd/system/police-news-{name}.service
[Unit]
Description=Crawl {portal.title or name} into the police-news archive

[Service]
Type=oneshot
WorkingDirectory={ROOT}
{environment}ExecStart={_crawl_command(name, db, portals_file)}
TimeoutStartSec={portal.run_timeout}

# /etc/systemd/system/police-news-{name}.timer
[Unit]
Description=Schedule for {name}

[Timer]
OnCalendar={cron.to_systemd_calendar(portal.schedule)} {cron.ZONE_NAME}
Persistent=true

[Install]
WantedBy=timers.target
""")
    return "\n".join(out)
