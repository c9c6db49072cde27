"""Benchmark: the site under 16 connections (wrk), `flask run` and `make serve` side by side.

    .venv/bin/python bench/load.py [--records 100000] [--seconds 20] [--connections 16]
        [--server-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--workers N]
        [--keep DIR | --reuse DIR] [--only flask|serve] [--code TREE] [--search-cache N]

Builds one catalogue in a new PostgreSQL database (records generated and imported as
bench/marc_import.py does, one scanned page for the reader), then serves it with `flask run` (as
`make run` does) and with `make serve` (gunicorn), one after the other, and drives four kinds of
page in turn with wrk (bench/load.lua rotates the URLs): the search page and /api/search (the
queries of bench/search_latency.py), record pages and reader images. Prints requests a second and
p50/p99 for each, and a Markdown table for bench/RESULTS.md. The database is dropped at the end,
unless `--keep DIR` keeps it and the data directory in DIR (building takes minutes at 100,000
records); `--reuse DIR` then serves that catalogue again (its database is kept), and `--only`
drives one of the two servers; `--code TREE` serves with another checkout's code (say `git archive
COMMIT` unpacked, its .venv a link to this one's, translations built) against the same catalogue,
with gunicorn started as `make serve` does but without its `init-db`. Each row also gives the CPU milliseconds a request cost, in the
server's processes and in PostgreSQL's (from /proc before and after the wrk run), which a busy
machine disturbs far less than requests a second.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.marc_import import LIBRARIES, generate  # noqa: E402
from bench.search_latency import QUERIES  # noqa: E402

FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
KINDS = ("search page", "api search", "record page", "reader image")


def create_database(server_url: str) -> str:
    """A new empty database on the server; its URL."""
    from sqlalchemy import create_engine, make_url, text

    name = f"bench_load_{os.getpid()}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    from sqlalchemy import create_engine, make_url, text

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def build(env: dict, work: Path, records: int) -> int:
    """Generated records imported (search index included) and one scanned page; the object's id."""
    from app import create_app
    from app.background.marc_runs import run_import
    from app.schema import upgrade
    from catalog.libraries import LibraryKind, save_library

    path = work / "records.mrc"
    started = time.perf_counter()
    generate(path, records)
    app = create_app({"DATABASE_URL": env["LIBRARY_DATABASE_URL"], "DATA_DIR": env["LIBRARY_DATA_DIR"],
                      "SECRET_KEY": env["LIBRARY_SECRET_KEY"], "TESTING": True, "MARC_BULK_FROM_BYTES": 1})
    upgrade(app.extensions["engine"])
    with app.extensions["session_factory"].begin() as session:
        for code in LIBRARIES:
            save_library(session, code=code, name=code, kind=LibraryKind.SCHOOL)
    with app.app_context():
        summary = run_import(app, [path])
    app.extensions["job_pool"].shutdown(wait=True)
    app.extensions["engine"].dispose()
    print(f"built {summary.as_json()} in {time.perf_counter() - started:.0f} s", flush=True)
    from PIL import Image, ImageDraw

    page = work / "trang-1.png"
    image = Image.new("L", (1600, 2200), 255)
    ImageDraw.Draw(image).text((100, 100), "Dia chi xa Cat Hai", fill=0)
    image.save(page)
    done = subprocess.run([*FLASK, "ingest-scans", str(page), "--record", "1", "--no-ocr", "--licence", "cc-by",
                           "--json"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["object_id"]


def paths(kind: str, records: int, object_id: int, rng: random.Random) -> list[str]:
    """The URLs one kind of page rotates through."""
    quoted = [urllib.parse.quote_plus(query) for query, _filters in QUERIES]
    if kind == "search page":
        return [f"/search?q={q}" for q in quoted]
    if kind == "api search":
        return [f"/api/search?q={q}" for q in quoted]
    if kind == "record page":
        return [f"/records/{rng.randint(1, records)}" for _ in range(500)]
    return [f"/iiif/{object_id}/1/full/{width},/0/default.jpg" for width in (360, 720, 1080)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], env: dict, port: int, log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    """Start a server in its own process group and wait for /healthz."""
    with open(log, "ab") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{' '.join(command)} stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{' '.join(command)}: no /healthz within 120 s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def milliseconds(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(port: int, url_file: Path, seconds: int, connections: int) -> dict:
    """One wrk run; requests a second, p50, p99 (ms), and answers that were not 2xx/3xx."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
                          "-s", str(ROOT / "bench" / "load.lua"), f"http://127.0.0.1:{port}", "--", str(url_file)],
                         capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50": milliseconds(latency["50"]), "p99": milliseconds(latency["99"]),
            "bad": int(bad.group(1)) if bad else 0, "socket_errors": errors.group(1) if errors else ""}


TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # fields from the 3rd (state) on


def server_cpu(session: int) -> float:
    """CPU seconds of every process in the server's session, its exited children included."""
    total = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) and int(fields[3]) == session:
            total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / TICK


def database_cpu(url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to the benchmark's database."""
    import psycopg

    from sqlalchemy import make_url

    parts = make_url(url)
    with psycopg.connect(host=parts.host, port=parts.port, user=parts.username, password=parts.password,
                         dbname=parts.database, autocommit=True) as connection:
        pids = [row[0] for row in connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]
    times = {}
    for pid in pids:
        if fields := _stat(pid):
            times[pid] = sum(int(value) for value in fields[11:13]) / TICK
    return times


def database_counts(url: str) -> tuple[int, int]:
    """Transactions committed and rows fetched so far in the benchmark's database."""
    import psycopg

    from sqlalchemy import make_url

    parts = make_url(url)
    with psycopg.connect(host=parts.host, port=parts.port, user=parts.username, password=parts.password,
                         dbname=parts.database, autocommit=True) as connection:
        return connection.execute("SELECT xact_commit + xact_rollback, tup_returned FROM pg_stat_database "
                                  "WHERE datname = current_database()").fetchone()


def connections_per_process(port: int) -> list[int]:
    """How many of the clients' open connections each server process holds (ss), most first."""
    out = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True).stdout
    held: dict[str, int] = {}
    for pid in re.findall(r"pid=(\d+)", out):
        held[pid] = held.get(pid, 0) + 1
    return sorted(held.values(), reverse=True)


def measured(process: subprocess.Popen, url: str, run, port: int, seconds: int) -> dict:
    """run() (a wrk run) with the CPU time it cost the server and the database, per request, and
    how the connections were spread over the server's processes halfway through."""
    import threading

    server_before, database_before = server_cpu(process.pid), database_cpu(url)
    transactions_before, _rows = database_counts(url)
    spread: list[list[int]] = []
    probe = threading.Timer(seconds / 2, lambda: spread.append(connections_per_process(port)))
    probe.start()
    result = run()
    probe.join()
    result["connections"] = spread[0] if spread else []
    server_after, database_after = server_cpu(process.pid), database_cpu(url)
    transactions_after, _rows = database_counts(url)
    database = sum(value - database_before.get(pid, 0) for pid, value in database_after.items())
    requests = max(result["requests"], 1)
    result["server_cpu_ms"] = 1000 * (server_after - server_before) / requests
    result["database_cpu_ms"] = 1000 * database / requests
    result["transactions"] = (transactions_after - transactions_before - 2) / requests  # less our own two
    return result


WARM_SECONDS = 5


def drive(name: str, command: list[str], env: dict, port: int, urls: dict[str, Path], options, work: Path) -> dict:
    process = start(command, env, port, work / f"{name.split()[0]}.log", options.code or ROOT)
    try:
        results = {}
        for kind in options.kinds:
            for path in urls[kind].read_text().splitlines()[:60]:  # warm: caches and derivatives made once
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60).read()
            # ... and in every server process (the pass above may have reached some of them only):
            # a short unmeasured run with the same connections.
            wrk(port, urls[kind], WARM_SECONDS, options.connections)
            results[kind] = measured(process, env["LIBRARY_DATABASE_URL"],
                                     lambda: wrk(port, urls[kind], options.seconds, options.connections),
                                     port, options.seconds)
            print(f"{name:<28} {kind:<13} {results[kind]}", flush=True)
        return results
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--server-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument("--keep", type=Path, metavar="DIR", help="keep the catalogue built (database and files) in DIR")
    kept.add_argument("--reuse", type=Path, metavar="DIR", help="serve the catalogue kept by --keep DIR again")
    parser.add_argument("--only", choices=("flask", "serve"), help="drive one of the two servers only")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=KINDS, metavar="KIND",
                        help=f"the kinds of page to drive (of {', '.join(KINDS)})")
    parser.add_argument("--code", type=Path, metavar="TREE", help="serve another checkout's code (with --reuse)")
    parser.add_argument("--search-cache", type=int, metavar="N",
                        help="LIBRARY_SEARCH_CACHE_SIZE of both servers (0: every search computed; the rotation's 40 "
                             "queries are otherwise all answered from each process's kept answers after the warm pass)")
    options = parser.parse_args()
    if options.reuse:
        state = json.loads((options.reuse / "load.json").read_text())
        work, url, object_id, options.records = options.reuse, state["url"], state["object_id"], state["records"]
        secret = state["secret_key"]
    else:
        work = options.keep or Path(tempfile.mkdtemp(prefix="load-bench-"))
        work.mkdir(parents=True, exist_ok=True)
        url, secret = create_database(options.server_url), secrets.token_hex(32)
    env = {**os.environ, "LIBRARY_DATABASE_URL": url, "LIBRARY_DATA_DIR": str(work / "data"),
           "LIBRARY_INSTANCE_PATH": str(work / "instance"), "LIBRARY_SECRET_KEY": secret,
           "LIBRARY_IMAGE_RATE_LIMIT": ""}  # one client address makes every request here
    env.pop("FLASK_DEBUG", None)
    if options.search_cache is not None:
        env["LIBRARY_SEARCH_CACHE_SIZE"] = str(options.search_cache)
    try:
        if not options.reuse:
            object_id = build(env, work, options.records)
            if options.keep:
                (work / "load.json").write_text(json.dumps({"url": url, "object_id": object_id, "secret_key": secret,
                                                            "records": options.records}))
        rng = random.Random(5)
        urls = {}
        for kind in KINDS:
            urls[kind] = work / f"{kind.replace(' ', '-')}.txt"
            urls[kind].write_text("\n".join(paths(kind, options.records, object_id, rng)) + "\n")
        port = free_port()
        servers = [
            ("flask run (make run)", [*FLASK, "run", "--host", "127.0.0.1", "--port", str(port)]),
            (f"make serve (WORKERS={options.workers})",
             ["make", "-s", "serve", f"PORT={port}", f"WORKERS={options.workers}"]),
        ]
        if options.code:
            code = options.code.resolve()
            env.update(HOST="127.0.0.1", PORT=str(port), WORKERS=str(options.workers), PYTHONPATH=str(code))
            servers = [(f"flask run ({code.name})", [*FLASK, "run", "--host", "127.0.0.1", "--port", str(port)]),
                       (f"gunicorn ({code.name}, WORKERS={options.workers})",
                        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(code / "deploy" / "gunicorn.conf.py"),
                         "--chdir", str(code)])]
        if options.only:
            servers = servers[:1] if options.only == "flask" else servers[1:]
        print(f"load average before: {os.getloadavg()}", flush=True)
        table = {name: drive(name, command, env, port, urls, options, work) for name, command in servers}
        print(f"load average after: {os.getloadavg()}", flush=True)
        report(table, options)
    finally:
        if not (options.keep or options.reuse):
            drop_database(options.server_url, url)


def report(table: dict[str, dict], options) -> None:
    print(f"\n{options.records:,} records, PostgreSQL, {options.connections} connections, {options.seconds} s per row\n")
    names = list(table)
    head = " | ".join(f"{name}: req/s | p50 | p99 | CPU ms/req (server + database)" for name in names)
    print(f"| page | {head} |" + (" throughput |" if len(names) == 2 else ""))
    print("|---|" + "---:|---:|---:|---:|" * len(names) + ("---:|" if len(names) == 2 else ""))
    for kind in options.kinds:
        cells = []
        for name in names:
            row = table[name][kind]
            cells.append(f"{row['rps']:.0f} | {row['p50']:.0f} ms | {row['p99']:.0f} ms | "
                         f"{row['server_cpu_ms']:.1f} + {row['database_cpu_ms']:.1f}")
        ratio = f" {table[names[1]][kind]['rps'] / table[names[0]][kind]['rps']:.1f}x |" if len(names) == 2 else ""
        print(f"| {kind} | " + " | ".join(cells) + " |" + ratio)
    for name in names:
        print(f"  {name}: the {options.connections} connections per server process, halfway: " + "; ".join(
            f"{kind} {'/'.join(map(str, table[name][kind]['connections'])) or '?'}" for kind in options.kinds))
    bad = {f"{name} / {kind}": row for name, rows in table.items() for kind, row in rows.items()
           if row["bad"] or row["socket_errors"]}
    for where, row in bad.items():
        print(f"  {where}: {row['bad']} answers not 2xx/3xx, socket errors: {row['socket_errors'] or 'none'}")


if __name__ == "__main__":
    main()
