"""The scheduler's runs as scrapyd jobs: schedule.json starts one, listjobs.json follows it, cancel.json stops it.

The job is a `scrapy crawl PORTAL` on scrapyd's machine, which must be the archive's (SQLite is never shared over
the network): the scheduler records the run before scheduling it and passes its id (ARCHIVE_RUN_ID), so the job's
PortalRun reports into that row instead of making a second one.
"""

from __future__ import annotations

import configparser
import ipaddress
import json
import logging
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger("crawler.schedule")
ROOT = Path(__file__).resolve().parents[2]
POLL_SECONDS = 1.0  # listjobs.json is asked at most this often per job
LOST_AFTER = 60.0  # a scrapyd that stops answering for this long has lost the job, as far as the run can tell
TIMEOUT = 10.0  # seconds one API call may take


class ScrapydError(Exception):
    """scrapyd could not be reached, or answered with an error."""


def default_project() -> str:
    """The project name of scrapy.cfg's [deploy] target, the one `scrapyd-deploy` uploads."""
    config = configparser.ConfigParser()
    config.read(ROOT / "scrapy.cfg")
    return config.get("deploy", "project", fallback="police_news")


def is_loopback(url: str) -> bool:
    """Whether scrapyd runs on this machine (its jobs can then watch the scheduler's pid)."""
    host = urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class Scrapyd:
    """scrapyd's JSON API for one deployed project."""

    def __init__(self, url: str, project: str):
        self.url = url if url.endswith("/") else url + "/"
        self.project = project
        # a scrapyd on this machine is asked directly, whatever proxy the environment names
        self._opener = urllib.request.build_opener(*([urllib.request.ProxyHandler({})] if is_loopback(url) else []))

    def _call(self, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
        """The answer of one API call; ScrapydError when scrapyd is unreachable or says `status: error`."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self._opener.open(self.url + endpoint, body, timeout=TIMEOUT) as answer:
                result = json.loads(answer.read())
        except urllib.error.HTTPError as exc:  # scrapyd answers an error with a JSON body and a 4xx/5xx status
            try:
                result = json.loads(exc.read())
            except ValueError:
                raise ScrapydError(f"scrapyd at {self.url} answered {endpoint} with http {exc.code}") from None
        except (OSError, ValueError) as exc:
            raise ScrapydError(f"scrapyd at {self.url} does not answer ({_why(exc)})") from None
        if result.get("status") != "ok":
            raise ScrapydError(result.get("message") or f"{endpoint} answered {result}")
        return result

    def check(self) -> None:
        """ScrapydError unless scrapyd answers daemonstatus.json."""
        self._call("daemonstatus.json")

    def schedule(self, spider: str, settings: dict[str, str]) -> str:
        """Queue a crawl of `spider`; its job id. ScrapydError with scrapyd's reason when it refuses."""
        data = [("project", self.project), ("spider", spider), *(("setting", f"{k}={v}") for k, v in settings.items())]
        return self._call("schedule.json", data)["jobid"]

    def states(self) -> dict[str, str]:
        """Job id → pending, running or finished, for the jobs scrapyd still knows of this project."""
        answer = self._call("listjobs.json?" + urllib.parse.urlencode({"project": self.project}))
        return {job["id"]: state for state in ("pending", "running", "finished") for job in answer.get(state, [])}

    def cancel(self, job: str, sig: signal.Signals) -> None:
        """Send the job's process `sig` (INT: Scrapy stops and writes its last batch), or drop it from the queue."""
        self._call("cancel.json", [("project", self.project), ("job", job), ("signal", sig.name.removeprefix("SIG"))])


class ScrapydJob:
    """One run as a scrapyd job, with the face of a local process to the scheduler: poll() and signal()."""

    def __init__(self, scrapyd: Scrapyd, job: str):
        self.scrapyd = scrapyd
        self.job = job
        self.lost: str | None = None  # why the job's end was not seen, when it was not
        self._last_poll = 0.0
        self._last_answer = time.monotonic()
        self._ended = False

    @property
    def pid(self) -> str:
        return f"scrapyd job {self.job}"

    def poll(self) -> int | None:
        """0 once the job is finished or lost (the archive's runs row tells how the run went), else None."""
        if self._ended:
            return 0
        now = time.monotonic()
        if now - self._last_poll < POLL_SECONDS:
            return None
        self._last_poll = now
        try:
            state = self.scrapyd.states().get(self.job)
        except ScrapydError as exc:
            if now - self._last_answer < LOST_AFTER:
                return None
            self.lost = f"{exc}: job {self.job} lost"
        else:
            self._last_answer = now
            if state in ("pending", "running"):
                return None
            if state is None:
                self.lost = f"scrapyd at {self.scrapyd.url} no longer lists job {self.job} (restarted, or cancelled)"
        self._ended = True
        return 0

    def why_unrecorded(self, code: int) -> str:
        return self.lost or (f"scrapyd job {self.job} ended without recording how the run ended; see its log in "
                             f"scrapyd's logs_dir")

    def signal(self, sig: signal.Signals) -> None:
        try:
            self.scrapyd.cancel(self.job, sig)
        except ScrapydError as exc:
            log.warning("could not stop scrapyd job %s: %s", self.job, exc)


def _why(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason if reason is not None else exc)
