"""A served instance for the soak test: its own instance folder and database, the demo library,
and the production server (gunicorn, deploy/gunicorn.conf.py, as `make serve` runs it) in a
subprocess whose log is kept for the test to read.

server_command() is the one place that says how the site is served."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import ROOT, create_database, drop_database

FLASK = [sys.executable, "-m", "flask", "--app", "app"]


GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


def server_command(port: int, workers: int = 4) -> list[str]:
    """The command serving the site on 127.0.0.1:port: `make serve`'s gunicorn with this many
    worker processes (each with its threads)."""
    return [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers)]


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServedInstance:
    """init-db + demo-data into a fresh instance, then serve it; stop() ends the server."""

    def __init__(self, folder: Path, server_url: str | None = None, extra_env: dict[str, str] | None = None,
                 workers: int = 4):
        self.folder = folder
        self.workers = workers
        self.server_url = server_url
        self.database_url = create_database(server_url) if server_url else f"sqlite:///{folder / 'library.db'}"
        self.env = {**os.environ, "LIBRARY_INSTANCE_PATH": str(folder), "LIBRARY_DATABASE_URL": self.database_url,
                    "LIBRARY_DATA_DIR": str(folder / "data"), "LIBRARY_SECRET_KEY": secrets.token_hex(32),
                    "PYTHONUNBUFFERED": "1", **(extra_env or {})}
        self.env.pop("FLASK_DEBUG", None)
        self.log_path = folder / "server.log"
        self.process: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None  # the background worker beside the server
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def flask(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run a CLI command against the instance; its output is returned (never raises)."""
        return subprocess.run([*FLASK, *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=timeout)

    def prepare(self, records: int = 300) -> None:
        for command in (["init-db"], ["demo-data", "--demo", "--records", str(records)]):
            done = self.flask(*command)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self, wait: float = 60) -> None:
        self.port = free_port()
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(server_command(self.port, self.workers), cwd=ROOT, env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        # Uploads are jobs on the task queue: one worker does them, as `make run` starts one.
        self.worker = subprocess.Popen([*FLASK, "worker"], cwd=ROOT, env=self.env, stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped at start-up:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the server did not answer /healthz within {wait} s:\n{self.log()}")

    def stop(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            self.worker.wait(timeout=30)
        self.worker = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def close(self) -> None:
        self.stop()
        if self.server_url:
            drop_database(self.database_url)
