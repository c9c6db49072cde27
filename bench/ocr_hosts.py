"""OCR across two hosts: the split of bench/ocr_workers.py with each worker on its own "host", a
network namespace of this machine (`ip netns`) that reaches PostgreSQL and Redis only over its
own virtual Ethernet link, as a second machine on the library's network would.

Layout (needs root and iproute2; everything is removed at the end):

    root namespace: PostgreSQL 127.0.0.1:5432, Redis 127.0.0.1:6379, the librarian's app
      ├─ veth 10.201.1.1 ── 10.201.1.2  namespace hoclieu-host-a: one `flask --app app worker`
      └─ veth 10.201.2.1 ── 10.201.2.2  namespace hoclieu-host-b: one `flask --app app worker`

A small TCP relay in the root namespace listens on 10.201.N.1:5432 and :6379 and forwards to the
local servers (they listen on loopback only, and are left as they are); each link gets `--delay`
ms of latency each way (tc netem), a LAN's. The data directory is shared through the file system,
as NFS would share it between machines. Pages are drawn as bench/ocr_workers.py draws them; each
run queues one OCR job (one task per page) on Redis and times it from queuing to done.

Runs, in one process and on the same pages: 1 worker on host A; 2 workers on host A; 1 worker
on host A and 1 on host B.

Usage (as root): .venv/bin/python bench/ocr_hosts.py [--pages 24] [--delay 0.5]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ocr_workers import time_ocr_job  # noqa: E402
from bench.scans_ingest import make_pages  # noqa: E402

FLASK = Path(sys.executable).parent / "flask"
HOSTS = {"a": ("hoclieu-host-a", "10.201.1"), "b": ("hoclieu-host-b", "10.201.2")}
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def sh(*args: str) -> None:
    subprocess.run(args, check=True)


def make_hosts(delay_ms: float) -> None:
    for key, (netns, net) in HOSTS.items():
        outside, inside = f"hl-{key}0", f"hl-{key}1"
        sh("ip", "netns", "add", netns)
        sh("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
        sh("ip", "link", "set", inside, "netns", netns)
        sh("ip", "addr", "add", f"{net}.1/24", "dev", outside)
        sh("ip", "link", "set", outside, "up")
        sh("ip", "netns", "exec", netns, "ip", "addr", "add", f"{net}.2/24", "dev", inside)
        sh("ip", "netns", "exec", netns, "ip", "link", "set", inside, "up")
        sh("ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up")
        if delay_ms > 0:
            sh("tc", "qdisc", "add", "dev", outside, "root", "netem", "delay", f"{delay_ms}ms")
            sh("ip", "netns", "exec", netns, "tc", "qdisc", "add", "dev", inside, "root", "netem", "delay",
               f"{delay_ms}ms")


def netem_available() -> bool:
    """Whether this kernel has tc's netem (to add a link's latency)."""
    probe = subprocess.run(["ip", "netns", "add", "hoclieu-netem-probe"], capture_output=True)
    if probe.returncode:
        return False
    try:
        found = subprocess.run(["ip", "netns", "exec", "hoclieu-netem-probe", "tc", "qdisc", "add", "dev", "lo", "root",
                                "netem", "delay", "1ms"], capture_output=True)
        return found.returncode == 0
    finally:
        subprocess.run(["ip", "netns", "del", "hoclieu-netem-probe"], capture_output=True)


def remove_hosts() -> None:
    for key, (netns, _net) in HOSTS.items():
        subprocess.run(["ip", "link", "del", f"hl-{key}0"], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "del", netns], stderr=subprocess.DEVNULL)


class Relay(threading.Thread):
    """TCP relays from each host link's address to the local PostgreSQL and Redis."""

    def __init__(self, ports: dict[int, int]) -> None:
        super().__init__(daemon=True)
        self.ports = ports
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.bytes = 0

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                self.bytes += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    def _handler(self, port: int):
        async def handle(reader, writer):
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                writer.close()
                return
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        return handle

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def start():
            for _key, (_netns, net) in HOSTS.items():
                for listen, target in self.ports.items():
                    await asyncio.start_server(self._handler(target), f"{net}.1", listen)
        self.loop.run_until_complete(start())
        self.ready.set()
        self.loop.run_forever()


def ocr_run(app, folder: Path, placement: list[str], env: dict, log_dir: Path, label: str) -> dict:
    """Ingest the pages without OCR, start one worker per entry of `placement` (a host key) in
    its namespace, queue the OCR job and time it to done."""
    from catalog.db import utcnow

    result = app.test_cli_runner().invoke(args=["ingest-scans", str(folder), "--json", "--no-ocr"])
    object_id = json.loads(result.output.strip().splitlines()[-1])["object_id"]
    processes, logs = [], []
    for number, key in enumerate(placement):
        netns, net = HOSTS[key]
        host_env = {**env, "LIBRARY_DATABASE_URL": env["LIBRARY_DATABASE_URL"].replace("127.0.0.1", f"{net}.1"),
                    "LIBRARY_QUEUE_URL": env["LIBRARY_QUEUE_URL"].replace("127.0.0.1", f"{net}.1")}
        log = log_dir / f"{label.replace(' ', '_').replace(',', '')}-{number}.log"
        logs.append(log)
        with open(log, "wb") as out:
            processes.append(subprocess.Popen(
                ["ip", "netns", "exec", netns, str(FLASK), "--app", "app", "worker", "--no-schedules"], cwd=ROOT,
                env=host_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
    try:
        job, elapsed = time_ocr_job(app, object_id, logs)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
    # Each worker logs "job N: ocr_part, pages [...]" for the pages it read.
    read_by = {f"{key}{number}": sum(len(json.loads(line[line.index("pages [") + 6:].split("]")[0] + "]"))
                                     for line in log.read_text().splitlines() if "ocr_part, pages [" in line)
               for number, (key, log) in enumerate(zip(placement, logs))}
    pages = job.result["pages_read"]
    return {"run": label, "workers": len(placement), "hosts": len(set(placement)), "pages": pages,
            "seconds": round(elapsed, 1), "pages_per_minute": round(60 * pages / elapsed, 1),
            "pages_by_worker": read_by, "at": utcnow().isoformat(timespec="seconds")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--delay", type=float, default=0.5, help="ms of latency each way on each host's link")
    parser.add_argument("--server", default=SERVER, help="a PostgreSQL server URL (a database is made on it)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench/ocr_hosts.py makes network namespaces: run it as root")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app import create_app
    from app.schema import upgrade

    remove_hosts()
    delay = args.delay
    if delay and not netem_available():
        print("this kernel has no netem: the links get no added latency", flush=True)
        delay = 0
    make_hosts(delay)
    relay = Relay({5432: 5432, 6379: int(make_url(args.redis.replace("redis", "postgresql", 1)).port or 6379)})
    relay.start()
    relay.ready.wait(10)
    name = f"hoclieu_bench_ocr_{os.getpid()}"
    admin = create_engine(args.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    runs = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            os.chmod(tmp_path, 0o755)
            config = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path / "data"),
                      "SECRET_KEY": "bench-secret-key-long-enough", "QUEUE_URL": args.redis,
                      "QUEUE_NAME": f"hoclieu-bench-hosts-{os.getpid()}"}
            app = create_app({"TESTING": True, **config})
            upgrade(app.extensions["engine"])
            env = {**os.environ, **{f"LIBRARY_{key}": value for key, value in config.items()}}
            make_pages(tmp_path / "pages", args.pages)
            for label, placement in (("one host, 1 worker", ["a"]), ("one host, 2 workers", ["a", "a"]),
                                     ("two hosts, 1 worker each", ["a", "b"])):
                runs.append(ocr_run(app, tmp_path / "pages", placement, env, tmp_path, label))
                print(json.dumps(runs[-1]), flush=True)
            app.extensions["job_pool"].shutdown()
            app.extensions["engine"].dispose()
    finally:
        remove_hosts()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(f"added latency on each link: {delay} ms each way")
    print(f"relayed {relay.bytes / 1e6:.1f} MB between the hosts and the servers")
    for run in runs:
        print(f"{run['run']}: {run['pages']} pages in {run['seconds']} s = {run['pages_per_minute']} pages/min")
    print(f"two hosts / one worker: {runs[2]['pages_per_minute'] / runs[0]['pages_per_minute']:.2f}x; "
          f"two hosts / two workers on one host: {runs[2]['pages_per_minute'] / runs[1]['pages_per_minute']:.2f}x")


if __name__ == "__main__":
    main()
