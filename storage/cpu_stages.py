"""Where a crawl's CPU goes, by stage (decoding, parsing, extraction, trafilatura, archive write, search and
near-duplicate indexes), measured inside the real components with time.process_time().

Off unless a crawl sets CPU_STAGES_FILE (bench crawl does): then `stage(name)` adds the CPU time spent in its block
to that stage, exclusive of the stages nested in it (trafilatura inside extraction counts as trafilatura only), and
each process (the crawl, every extraction worker) writes its totals beside that path, as PATH.<pid>.json, with its
own total CPU, so the rest (Scrapy, the reactor, passing pages to the workers) is what no stage claimed. The
switch travels to the workers in the environment (ENV), since they are started by the pool, not by Scrapy.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

ENV = "POLICE_NEWS_CPU_STAGES"  # the CPU_STAGES_FILE of the crawl that started this process
DECODE, PARSE, EXTRACTION, TRAFILATURA = "decode", "parse", "extraction", "trafilatura"
ARCHIVE, FTS, NEARDUP = "archive write", "search index", "near-duplicate index"
STAGES = (DECODE, PARSE, EXTRACTION, TRAFILATURA, ARCHIVE, FTS, NEARDUP)

_totals: dict[str, float] = defaultdict(float)
_open: list[list] = []  # [stage, CPU time it started counting at], innermost last
_OFF = nullcontext()


def enable(path: str) -> None:
    """Measure from now on in this process and in the extraction workers it starts."""
    os.environ[ENV] = path


def enabled() -> bool:
    return bool(os.environ.get(ENV))


class _Stage:
    def __init__(self, name: str):
        self.name = name

    def __enter__(self) -> None:
        now = time.process_time()
        if _open:
            outer = _open[-1]
            _totals[outer[0]] += now - outer[1]
        _open.append([self.name, now])

    def __exit__(self, *exc: object) -> None:
        now = time.process_time()
        name, started = _open.pop()
        _totals[name] += now - started
        if _open:
            _open[-1][1] = now


def stage(name: str) -> AbstractContextManager:
    """Count the block's CPU time to `name` (a no-op unless measuring)."""
    return _Stage(name) if enabled() else _OFF


def save(role: str) -> None:
    """Write this process's totals (overwriting its earlier ones): `role` is crawl or worker."""
    path = os.environ.get(ENV)
    if not path:
        return
    target = Path(f"{path}.{os.getpid()}.json")
    target.write_text(json.dumps({"role": role, "total": time.process_time(), "stages": dict(_totals)}))


def load(path: str | Path) -> dict[str, dict[str, float]]:
    """Every process's totals under `path`, summed by role: {role: {stage or 'total': CPU seconds}}."""
    path = Path(path)
    summed: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for file in path.parent.glob(f"{path.name}.*.json"):
        data = json.loads(file.read_text())
        role = summed[data["role"]]
        role["total"] += data["total"]
        for name, seconds in data["stages"].items():
            role[name] += seconds
    return summed
