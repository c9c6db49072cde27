"""One target's search in a child process: `python -m ingest.copycat.worker` reads a JSON request
on stdin and prints one JSON answer. The parent kills it at the time limit, so a hung target (a
black-holed address, a DNS lookup that never returns, a server that trickles bytes) cannot hold a
web worker; it also stops itself (SIGALRM) should the parent die first. Stdlib only, so it starts
quickly.

Request: {"protocol": "z3950"|"sru", "host", "port", "database", "timeout", "limit", and for
Z39.50 "pqf", "syntax", "charset"; for SRU "url"}.
Answer: {"ok": true, "hits": N, "records": [base64 | {"code", "message", "addinfo"}]} for Z39.50,
{"ok": true, "status", "content_type", "body": base64} for SRU, or {"ok": false, "error": {...}}.
"""
from __future__ import annotations

import base64
import json
import signal
import socket
import sys
import time
import urllib.error
import urllib.request

MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "hoclieu-copycat/1.0"


def _error(kind: str, message: str = "", code: int = 0, addinfo: str = "") -> dict:
    return {"ok": False, "error": {"kind": kind, "code": code, "message": message[:500], "addinfo": addinfo[:500]}}


def search_z3950(request: dict) -> dict:
    """ZOOM search: hits and the raw ISO 2709 of the first records."""
    from ingest.copycat.zoom import Connection, ZoomError, ZoomUnavailable

    try:
        with Connection(request["host"], int(request["port"]), database=request.get("database", ""),
                        syntax=request.get("syntax", "usmarc"), timeout=int(request["timeout"]),
                        charset=request.get("charset", "")) as connection:
            fetched = connection.search(request["pqf"], limit=int(request.get("limit", 10)))
    except ZoomUnavailable as exc:
        return _error("unavailable", exc.message, exc.code, exc.addinfo)
    except ZoomError as exc:
        return _error("zoom", exc.message, exc.code, exc.addinfo)
    records = [base64.b64encode(r).decode("ascii") if isinstance(r, bytes)
               else {"code": r.code, "message": r.message, "addinfo": r.addinfo} for r in fetched.records]
    return {"ok": True, "hits": fetched.hits, "records": records}


def fetch_http(url: str, *, timeout: float, max_bytes: int = MAX_BYTES) -> dict:
    """GET with a time limit on the whole answer and a size cap."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/xml, text/xml"})
    # Catalogues are reached directly: a proxy from the environment would answer for a target
    # that is down (or not reach one on the local network).
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        body = exc.read(64 * 1024) if exc.fp else b""
        return {"ok": True, "status": exc.code, "content_type": exc.headers.get("Content-Type", ""),
                "body": base64.b64encode(body).decode("ascii")}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        kind = "timeout" if isinstance(reason, (socket.timeout, TimeoutError)) else "connect"
        return _error(kind, str(reason))
    chunks, size = [], 0
    with response:
        while True:
            if time.monotonic() > deadline:
                return _error("timeout", "the answer did not arrive in time")
            try:
                chunk = response.read(64 * 1024)
            except (OSError, ValueError) as exc:
                return _error("timeout" if isinstance(exc, (socket.timeout, TimeoutError)) else "connect", str(exc))
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                return _error("too_large", str(max_bytes))
            chunks.append(chunk)
        return {"ok": True, "status": response.status, "content_type": response.headers.get("Content-Type", ""),
                "body": base64.b64encode(b"".join(chunks)).decode("ascii")}


def run(request: dict) -> dict:
    """Answer one request (see the module docstring)."""
    if request.get("protocol") == "z3950":
        return search_z3950(request)
    return fetch_http(request["url"], timeout=float(request["timeout"]))


def main() -> None:
    request = json.loads(sys.stdin.read() or "{}")
    signal.alarm(int(request.get("timeout", 10)) + 2)  # never outlive the parent's limit for long
    try:
        answer = run(request)
    except Exception as exc:  # a process edge: report, never a traceback on the web page
        answer = _error("internal", f"{type(exc).__name__}: {exc}")
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
