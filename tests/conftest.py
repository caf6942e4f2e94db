"""Shared fixtures: the portal replica on 127.0.0.1 and a way to run real crawls against it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from replica.generated import GeneratedPortal
from replica.server import ReplicaServer, Site

ROOT = Path(__file__).resolve().parent.parent
GENERATED_ARTICLES = 300
# Loopback needs no politeness; a short timeout keeps the slow-page case quick.
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "DOWNLOAD_TIMEOUT": "3",
    "RETRY_TIMES": "1",
    "LOG_LEVEL": "INFO",
}


@pytest.fixture(scope="session")
def replica():
    """The bundled replica plus a generated portal, on a free loopback port, recording every request."""
    with ReplicaServer(Site(dynamic=[GeneratedPortal(GENERATED_ARTICLES)])) as server:
        yield server


@pytest.fixture(scope="session")
def generated_portals(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "portals.toml"
    path.write_text(GeneratedPortal(GENERATED_ARTICLES).portal_toml(), "utf-8")
    return path


@dataclass
class Webhook:
    """An alert receiver on 127.0.0.1: every JSON body POSTed to `url` lands in `received`."""

    url: str
    received: list


@pytest.fixture
def webhook():
    received: list = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Webhook(f"http://127.0.0.1:{server.server_port}/alert", received)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Crawl:
    """A crawl command line against the replica; `run()` waits for it, `start()` does not."""

    replica_url: str
    db: Path
    portals: tuple[str, ...] = ()
    settings: dict | None = None

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "crawler", "crawl", *self.portals, "--db", str(self.db)]
        for name, value in {**FAST, "REPLICA_URL": self.replica_url, **(self.settings or {})}.items():
            command += ["--set", f"{name}={value}"]
        return command

    def run(self, timeout: float = 240) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(), cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              env=_env())

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(self.command(), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=_env())


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago (for a server a test starts, or for nothing to listen on)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = str(ROOT)
    return env
