"""Per-stage CPU (CPU_STAGES_FILE): each process of a real crawl, the extraction workers included, writes its share
by stage; a nested stage counts for itself only."""

from __future__ import annotations

import time

from storage import cpu_stages
from tests.conftest import Crawl


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_a_nested_stage_counts_for_itself_only(tmp_path, monkeypatch):
    monkeypatch.setenv(cpu_stages.ENV, str(tmp_path / "stages"))
    monkeypatch.setattr(cpu_stages, "_totals", type(cpu_stages._totals)(float))
    with cpu_stages.stage(cpu_stages.EXTRACTION):
        _spin(0.05)
        with cpu_stages.stage(cpu_stages.TRAFILATURA):
            _spin(0.1)
    cpu_stages.save("crawl")
    role = cpu_stages.load(tmp_path / "stages")["crawl"]
    assert 0.05 <= role[cpu_stages.EXTRACTION] < 0.09
    assert 0.1 <= role[cpu_stages.TRAFILATURA] < 0.14
    assert role["total"] >= role[cpu_stages.EXTRACTION] + role[cpu_stages.TRAFILATURA]


def test_a_crawl_with_the_setting_writes_each_processs_stages(replica, generated_portals, tmp_path):
    stages = tmp_path / "cpu"
    done = Crawl(replica.url, tmp_path / "a.db", ("bench",),
                 {"PORTALS_FILE": generated_portals, "EXTRACT_PROCESSES": "2", "CPU_STAGES_FILE": stages}).run()
    assert done.returncode == 0, done.stderr[-2000:]
    by_role = cpu_stages.load(stages)
    assert set(by_role) == {"crawl", "worker"}
    assert by_role["worker"][cpu_stages.PARSE] > 0 and by_role["worker"][cpu_stages.EXTRACTION] > 0
    assert by_role["crawl"][cpu_stages.ARCHIVE] > 0 and by_role["crawl"][cpu_stages.NEARDUP] > 0
    assert by_role["crawl"]["total"] > sum(by_role["crawl"][s] for s in cpu_stages.STAGES)

