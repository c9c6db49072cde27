"""The production server as `make serve` runs it (gunicorn, deploy/gunicorn.conf.py, several worker
processes): which address a request is from when a client forges X-Forwarded-For, with no trusted
proxy and with one, and the one log line each request leaves."""
from __future__ import annotations

import json
import re
import socket
import subprocess
import time

import pytest

from tests.ingest.scan_samples import plain_image
from tests.soak.client import Client, Journal
from tests.soak.server import ServedInstance

LIMITS = {"LIBRARY_LOGIN_MAX_FAILURES_PER_ADDRESS": "3", "LIBRARY_LOGIN_MAX_FAILURES": "100",
          "LIBRARY_ON_SITE_NETWORKS": "10.1.0.0/16"}


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    """A served demo library (SQLite) holding one in-library scan; each test starts the server."""
    folder = tmp_path_factory.mktemp("served")
    served = ServedInstance(folder / "instance", extra_env=LIMITS, workers=2)
    try:
        served.prepare(records=20)
        image = folder / "noi-bo.png"
        plain_image(1).save(image)
        done = served.flask("ingest-scans", str(image), "--record", "1", "--no-ocr", "--licence", "in-library", "--json")
        assert done.returncode == 0, done.stdout + done.stderr
        served.object_id = json.loads(done.stdout.strip().splitlines()[-1])["object_id"]
        yield served
    finally:
        served.close()


def serve(instance: ServedInstance, proxies: int) -> ServedInstance:
    instance.stop()
    instance.env["LIBRARY_TRUSTED_PROXIES"] = str(proxies)
    instance.start()
    return instance


def manifest_status(instance: ServedInstance, forwarded_for: str) -> int:
    client = Client(instance.base, "reader", Journal(), {"X-Forwarded-For": forwarded_for})
    return client.get(f"/iiif/{instance.object_id}/manifest").status


def failed_sign_in(instance: ServedInstance, username: str, forwarded_for: str) -> int:
    """The status of a wrong password for this account name, sent with this X-Forwarded-For."""
    client = Client(instance.base, username, Journal(), {"X-Forwarded-For": forwarded_for})
    fields = client.form("/login", "/login")
    return client.post("/login", {**fields, "username": username, "password": "wrong"}).status


def test_with_no_trusted_proxy_a_forged_forwarded_for_changes_nothing(instance):
    serve(instance, 0)
    # The real client is 127.0.0.1, not on the library's network, whatever it claims.
    assert manifest_status(instance, "10.1.2.3") == 403
    # Each attempt claims another address; all count against the real one (limit 3).
    statuses = [failed_sign_in(instance, f"nguoi{n}", f"203.0.113.{n}") for n in range(1, 4)]
    assert statuses == [400, 400, 429]  # 400: wrong password; 429: locked
    assert failed_sign_in(instance, "nguoi9", "203.0.113.9") == 429


def test_behind_one_proxy_the_address_it_saw_is_the_one_that_counts(instance):
    serve(instance, 1)
    assert manifest_status(instance, "10.1.2.3") == 200  # the proxy saw an on-site computer
    # A client that forges the first entry: the proxy appends the address it saw, the last one counts.
    assert manifest_status(instance, "10.1.2.3, 198.51.100.7") == 403
    assert [failed_sign_in(instance, f"khach{n}", f"198.51.100.{n}") for n in range(10, 14)] == [400] * 4
    statuses = [failed_sign_in(instance, f"ban{n}", f"10.9.9.{n}, 198.51.100.99") for n in range(1, 4)]
    assert statuses == [400, 400, 429]  # 400: wrong password; 429: locked
    assert failed_sign_in(instance, "ban9", "198.51.100.98") == 400  # the next address is not locked


def request_lines(instance: ServedInstance) -> list[dict]:
    lines = []
    for line in instance.log().splitlines():
        if "logger=app.request" in line:
            lines.append(dict(re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', line)))
    return lines


def test_each_request_leaves_one_line_with_its_id_and_time(instance):
    serve(instance, 0)
    client = Client(instance.base, "reader", Journal(), {"X-Request-Id": "forged-by-client-0001"})
    answer = client.request("GET", "/search?q=l%E1%BB%8Bch+s%E1%BB%AD")
    assert answer.status == 200
    given = answer.headers["X-Request-Id"]
    assert given and given != "forged-by-client-0001"  # no proxy: a client's id is not taken
    mine = [line for line in request_lines(instance) if line.get("request_id") == given]
    assert len(mine) == 1
    assert (mine[0]["method"], mine[0]["path"], mine[0]["status"]) == ("GET", "/search", "200")
    assert float(mine[0]["ms"]) > 0
    serve(instance, 1)
    answer = Client(instance.base, "reader", Journal(), {"X-Request-Id": "from-the-proxy-0002"}).get("/healthz")
    assert answer.headers["X-Request-Id"] == "from-the-proxy-0002"  # a trusted proxy's id is kept
    assert any(line.get("request_id") == "from-the-proxy-0002" for line in request_lines(instance))


def searches_counted(instance: ServedInstance) -> int:
    import datetime as dt

    from catalog.db import make_engine, make_session_factory
    from catalog.reports.usage import usage_total

    engine = make_engine(instance.database_url)
    try:
        with make_session_factory(engine)() as session:
            return usage_total(session, "search", dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    finally:
        engine.dispose()


def test_searches_are_counted_in_memory_and_written_when_a_worker_stops(instance):
    """Each worker adds its counts up and writes them every USAGE_FLUSH_SECONDS; a worker that
    stops (shutdown, reload, recycling) writes what it still holds."""
    instance.stop()
    instance.env["LIBRARY_USAGE_FLUSH_SECONDS"] = "3600"
    try:
        before = searches_counted(instance)
        serve(instance, 0)
        client = Client(instance.base, "reader", Journal())
        for query in ("lich su", "dia ly", "van hoc", "toan", "hai phong", "cat hai"):
            assert client.get(f"/api/search?q={query.replace(' ', '+')}").status == 200
        assert searches_counted(instance) == before  # held by the workers for now
        instance.stop()
        assert searches_counted(instance) == before + 6
    finally:
        instance.env.pop("LIBRARY_USAGE_FLUSH_SECONDS")


def connections_per_worker(port: int) -> list[int]:
    """How many of the clients' open connections each server process holds (ss), most first."""
    out = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    held: dict[str, int] = {}
    for pid in re.findall(r"pid=(\d+)", out):
        held[pid] = held.get(pid, 0) + 1
    return sorted(held.values(), reverse=True)


def test_connections_that_arrive_together_are_spread_over_the_workers(instance):
    """Eight clients connect at the same moment (a proxy filling its pool, a computer room) to two
    workers of four threads: each worker takes four, none takes more than its threads can serve
    (gunicorn's own gthread worker gave one worker most of them, and the site ran on one core)."""
    serve(instance, 0)
    deadline = time.monotonic() + 60
    while instance.log().count("ready for requests") < instance.workers:  # every worker warm
        assert time.monotonic() < deadline, instance.log()
        time.sleep(0.2)
    clients = [socket.create_connection(("127.0.0.1", instance.port), timeout=30) for _ in range(8)]
    try:
        # A thread waits up to 5 s for a new connection's request: meanwhile each is a busy thread.
        deadline = time.monotonic() + 3
        while sum(connections_per_worker(instance.port)) < 8 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert connections_per_worker(instance.port) == [4, 4]
        for client in clients:
            client.sendall(b"GET /search?q=lich+su HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for client in clients:
            assert client.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for client in clients:
            client.close()
