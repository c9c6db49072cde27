"""Real worker processes for the queue tests: start `flask --app app worker`, wait, kill."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).parent / "flask"


class Workers:
    """Worker processes sharing one database and data directory; all are killed at the end."""

    def __init__(self, db_url: str, data_dir: Path, log_dir: Path, **config):
        self.env = {**os.environ, "LIBRARY_DATABASE_URL": db_url, "LIBRARY_DATA_DIR": str(data_dir),
                    "LIBRARY_SECRET_KEY": "worker-test-secret-key-long-enough",
                    **{f"LIBRARY_{key}": str(value) for key, value in config.items()}}
        self.log_dir, self.processes = log_dir, []

    def start(self, **config) -> subprocess.Popen:
        """One more worker (config: LIBRARY_* settings of this one only)."""
        env = {**self.env, **{f"LIBRARY_{key}": str(value) for key, value in config.items()}}
        with open(self.log_dir / f"worker-{len(self.processes)}.log", "wb") as log:
            process = subprocess.Popen([str(FLASK), "--app", "app", "worker"], cwd=ROOT, env=env, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """kill -9 of the worker alone, as when a machine runs out of memory."""
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.log_dir.glob("worker-*.log")))


def wait_for(check: Callable[[], object], timeout: float, what: str, workers: Workers | None = None):
    """Poll until check() is truthy; fail naming `what` (with the workers' logs) after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n{workers.logs() if workers else ''}")
