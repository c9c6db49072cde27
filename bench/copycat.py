"""Copy-cataloguing search across 3 targets when one is down: yaz-ztest over Z39.50, yaz-ztest over
SRU, and a third that is either black-holed (accepts the connection, never answers: the worst
case, cut at its 2 s limit) or unreachable (connection refused). Times search_all, which is what
the staff page waits for, and checks every answer came within 3 s with the good targets' candidates.

Usage: .venv/bin/python bench/copycat.py [--rounds 5]
"""
from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.copycat.queries import parse_query  # noqa: E402
from ingest.copycat.search import TargetSpec, search_all  # noqa: E402

LIMIT_SECONDS = 3.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    executable = shutil.which("yaz-ztest")
    if not executable:
        print("yaz-ztest is not installed (apt-get install yaz)")
        return 2
    port = free_port()
    log = Path(tempfile.mkdtemp()) / "ztest.log"
    server = subprocess.Popen([executable, "-l", str(log), f"tcp:127.0.0.1:{port}"])
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(64)
    try:
        time.sleep(0.5)
        good = [TargetSpec(1, "ztest-z3950", "z3950", "127.0.0.1", port, "Default", timeout=2),
                TargetSpec(2, "ztest-sru", "sru", "127.0.0.1", port, "Default", "marcxml", timeout=2)]
        downs = {"black-holed": TargetSpec(3, "down", "z3950", "127.0.0.1", hole.getsockname()[1], timeout=2),
                 "unreachable": TargetSpec(3, "down", "sru", "127.0.0.1", free_port(), "sru", timeout=2)}
        query = parse_query("9791234567896")
        worst = 0.0
        for label, down in downs.items():
            times = []
            for _ in range(args.rounds):
                started = time.monotonic()
                results = search_all([*good, down], query)
                times.append(time.monotonic() - started)
                assert all(r.candidates for r in results[:2]), [r.problems for r in results]
                assert not results[2].candidates and results[2].problems
            worst = max(worst, max(times))
            print(f"3 targets, one {label}: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
                  f"over {args.rounds} rounds; the down one said: {results[2].problems[0].message}")
        print(f"worst {worst:.2f} s (limit {LIMIT_SECONDS} s): {'ok' if worst < LIMIT_SECONDS else 'TOO SLOW'}")
        return 0 if worst < LIMIT_SECONDS else 1
    finally:
        hole.close()
        server.terminate()
        server.wait(timeout=5)


if __name__ == "__main__":
    sys.exit(main())
