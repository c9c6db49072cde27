"""Search every target at once: each in a child process (worker.py) killed at its time limit, so
one slow, unreachable or broken target gives its own plain message while the others' candidates
still show. The answers are read into candidates (MARC-in-JSON + draft) here, in the parent."""
from __future__ import annotations

import base64
import concurrent.futures
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

from catalog.errors import N_
from catalog.records.models import RecordDraft
from ingest.copycat import sru
from ingest.copycat.queries import Query, to_cql, to_pqf
from ingest.copycat.records import read_dublin_core, read_iso2709, read_marcxml_element, with_source
from ingest.marc.mapping import draft_from_marc
from ingest.marc.marcjson import marc_json_to_record, record_to_marc_json
from ingest.marc.reader import MarcRecordError
from ingest.marc.results import Problem

ROOT = Path(__file__).resolve().parent.parent.parent
LIMIT = 10
SLACK = 1.0  # seconds a child may take beyond its target's time limit to start and answer

# ZOOM error codes (ingest/copycat/zoom.py) in a librarian's words.
ZOOM_PROBLEMS = {
    10000: N_("Cannot connect to the target (the address or port is wrong, or the server is down)."),
    10003: N_("The target's answer could not be read as Z39.50: is this port really a Z39.50 server?"),
    10004: N_("The target closed the connection before answering."),
    10005: N_("The target refused the connection (Z39.50 initialisation rejected)."),
    10007: N_("The target did not answer within {seconds} seconds."),
}
HTTP_PROBLEMS = {
    "connect": N_("Cannot connect to the target (the address or port is wrong, or the server is down): {detail}"),
    "timeout": N_("The target did not answer within {seconds} seconds."),
    "too_large": N_("The target's answer is too large (more than 5 MB); it was not read."),
}


@dataclasses.dataclass(frozen=True)
class TargetSpec:
    """What a search needs of a target (plain values: read from the database before the threads)."""

    id: int
    name: str
    protocol: str
    host: str
    port: int
    database: str = ""
    record_syntax: str = "marc21"
    charset: str = "auto"
    sru_version: str = "1.2"
    source_code: str = ""
    timeout: int = 5

    @classmethod
    def of(cls, target) -> TargetSpec:
        """From a catalog.copycat CopycatTarget."""
        return cls(target.id, target.name, target.protocol, target.host, target.port, target.database,
                   target.record_syntax, target.charset, target.sru_version, target.source_code, target.timeout)


@dataclasses.dataclass
class Candidate:
    """One record a target offers: its MARC (with 003/035 naming the source), its draft, notes."""

    target_id: int
    target_name: str
    position: int
    marc: dict
    draft: RecordDraft
    warnings: list[Problem] = dataclasses.field(default_factory=list)
    match_id: int | None = None
    match_title: str = ""
    match_rule: str = ""


@dataclasses.dataclass
class TargetResult:
    """One target's answer: candidates, or the reason there are none, and how long it took."""

    target: TargetSpec
    hits: int = 0
    candidates: list[Candidate] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    is_ok: bool = False
    seconds: float = 0.0


def worker_request(target: TargetSpec, query: Query, limit: int = LIMIT) -> dict:
    """The JSON a worker gets for this target and query."""
    common = {"protocol": target.protocol, "timeout": target.timeout, "limit": limit}
    if target.protocol == "z3950":
        return {**common, "host": target.host, "port": target.port, "database": target.database,
                "pqf": to_pqf(query), "syntax": "usmarc"}
    url = sru.request_url(target.host, target.port, target.database, to_cql(query), version=target.sru_version,
                          schema=target.record_syntax, limit=limit)
    return {**common, "url": url}


def run_worker(request: dict, *, timeout: float) -> dict:
    """Run worker.py on one request, killed after `timeout` seconds (a timeout error then)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBRARY_")} | {"PYTHONPATH": str(ROOT)}
    try:
        process = subprocess.Popen([sys.executable, "-m", "ingest.copycat.worker"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=str(ROOT), env=env,
                                   close_fds=True)
    except OSError as exc:
        return {"ok": False, "error": {"kind": "internal", "message": str(exc)}}
    try:
        out, _err = process.communicate(json.dumps(request).encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return {"ok": False, "error": {"kind": "timeout", "message": "killed"}}
    try:
        return json.loads(out or b"{}") or {"ok": False, "error": {"kind": "internal", "message": "no answer"}}
    except ValueError:
        return {"ok": False, "error": {"kind": "internal", "message": out[:200].decode("utf-8", "replace")}}


def _error_problem(target: TargetSpec, error: dict) -> Problem:
    kind, code = error.get("kind"), int(error.get("code") or 0)
    seconds = {"seconds": target.timeout}
    if kind == "unavailable":
        return Problem(N_("Z39.50 is not available on this server: YAZ (libyaz5) is not installed."))
    if kind == "zoom" and code in ZOOM_PROBLEMS:
        return Problem(ZOOM_PROBLEMS[code], seconds if code == 10007 else {})
    if kind == "zoom":
        detail = " ".join(p for p in (error.get("message", ""), error.get("addinfo", "")) if p)
        return Problem(N_("The target refused the search: {message} (diagnostic {code})."),
                       {"message": detail[:300], "code": code})
    if kind in HTTP_PROBLEMS:
        return Problem(HTTP_PROBLEMS[kind], {**seconds, "detail": error.get("message", "")[:200]})
    return Problem(N_("The search of this target failed: {detail}"), {"detail": error.get("message", "")[:200]})


def _candidate(target: TargetSpec, position: int, record, warnings: list[Problem]) -> Candidate:
    marc = with_source(record_to_marc_json(record), target.source_code or target.name)
    draft = draft_from_marc(marc_json_to_record(marc))
    return Candidate(target.id, target.name, position, marc, draft, warnings)


def _z3950_candidates(target: TargetSpec, answer: dict, result: TargetResult) -> None:
    result.hits = int(answer.get("hits") or 0)
    for position, item in enumerate(answer.get("records", []), start=1):
        if isinstance(item, dict):
            result.problems.append(Problem(N_("Record {position}: the target could not send it ({message})."),
                                           {"position": position, "message": item.get("message", "")[:200]}))
            continue
        try:
            record, warnings = read_iso2709(base64.b64decode(item), target.charset)
        except (MarcRecordError, ValueError) as exc:
            problem = getattr(exc, "problem", Problem(N_("The record could not be read.")))
            result.problems.append(Problem(N_("Record {position} is not readable MARC: {reason}"),
                                           {"position": position, "reason": problem.message}))
            continue
        result.candidates.append(_candidate(target, position, record, warnings))


def _sru_candidates(target: TargetSpec, answer: dict, result: TargetResult) -> None:
    try:
        parsed = sru.parse_answer(int(answer.get("status", 0)), answer.get("content_type", ""),
                                  base64.b64decode(answer.get("body", "")))
    except sru.SruAnswerError as exc:
        result.problems.append(exc.problem)
        return
    result.hits = parsed.hits
    result.problems += parsed.problems
    for position, (schema, element) in enumerate(parsed.records, start=1):
        try:
            reader = read_dublin_core if schema == "dc" else read_marcxml_element
            record, warnings = reader(element)
        except (MarcRecordError, ElementTree.ParseError) as exc:
            problem = getattr(exc, "problem", Problem(N_("The record could not be read.")))
            result.problems.append(Problem(N_("Record {position} is not readable MARC: {reason}"),
                                           {"position": position, "reason": problem.message}))
            continue
        result.candidates.append(_candidate(target, position, record, warnings))


def search_target(target: TargetSpec, query: Query, *, limit: int = LIMIT) -> TargetResult:
    """One target searched (in a child process) and its answer read."""
    started = time.monotonic()
    result = TargetResult(target)
    answer = run_worker(worker_request(target, query, limit), timeout=target.timeout + SLACK)
    if not answer.get("ok"):
        result.problems.append(_error_problem(target, answer.get("error") or {}))
    elif target.protocol == "z3950":
        _z3950_candidates(target, answer, result)
    else:
        _sru_candidates(target, answer, result)
    result.problems = list({(p.template, repr(sorted(p.params.items()))): p for p in result.problems}.values())
    result.is_ok = bool(answer.get("ok")) and (bool(result.candidates) or not result.problems)
    result.seconds = round(time.monotonic() - started, 2)
    return result


def search_all(targets: list[TargetSpec], query: Query, *, limit: int = LIMIT) -> list[TargetResult]:
    """Every target searched in parallel; results in the targets' order."""
    if not targets or query.is_empty:
        return []
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(16, len(targets))) as pool:
        return list(pool.map(lambda t: search_target(t, query, limit=limit), targets))
