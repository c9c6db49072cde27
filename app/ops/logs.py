"""Structured logs, configured here and nowhere else: one line per request and per job.

Every line is key=value (LIBRARY_LOG_FORMAT=keyvalue, the default) or one JSON object
(LIBRARY_LOG_FORMAT=json), on standard error: the app's loggers at LIBRARY_LOG_LEVEL (INFO), other
libraries' warnings and errors. A request's lines carry
its request id (also sent back as X-Request-Id); a job's lines carry the job id.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from typing import Iterator

from flask import Flask, Response, current_app, g, request

request_log = logging.getLogger("app.request")
job_log = logging.getLogger("app.job")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_job_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("job_id", default=None)
# An id a trusted proxy passes on is kept when it looks like one (nothing that could break a line).
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_BARE = re.compile(r"^[^\s\"=]+$")


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _fields(record: logging.LogRecord) -> dict:
    fields = {"time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
              "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
    fields.update(getattr(record, "fields", None) or {})
    if getattr(record, "request_id", ""):
        fields.setdefault("request_id", record.request_id)
    if getattr(record, "job_id", None) is not None:
        fields.setdefault("job_id", record.job_id)
    return fields


def _stamping(factory):
    """A log record factory that notes the request and job a line comes from, when it is made
    (whichever handler formats it later, in whichever thread)."""

    def make(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id, record.job_id = _request_id.get(), _job_id.get()
        return record

    make.stamps_context = True
    return make


def _value(value) -> str:
    text = str(value)
    return text if _BARE.match(text) else json.dumps(text, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    """key=value pairs on one line; a traceback, when there is one, on the lines after it."""

    def format(self, record: logging.LogRecord) -> str:
        line = " ".join(f"{key}={_value(value)}" for key, value in _fields(record).items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a traceback goes in its "exception" field."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return json.dumps(fields, ensure_ascii=False, default=str)


def configure(level: str = "INFO", form: str = "keyvalue") -> None:
    """Send every logger's lines through one handler on the root logger (replacing ours from an
    earlier call, so building several apps in one process does not double the lines)."""
    if not getattr(logging.getLogRecordFactory(), "stamps_context", False):
        logging.setLogRecordFactory(_stamping(logging.getLogRecordFactory()))
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Stderr)]:
        root.removeHandler(handler)
    handler = _Stderr()
    handler.setFormatter(JsonFormatter() if str(form).lower() == "json" else KeyValueFormatter())
    root.addHandler(handler)
    # Other libraries say only what is wrong (alembic's progress would fill every CLI command's
    # output); the app's own loggers (requests, jobs) at the configured level.
    root.setLevel(logging.WARNING)
    logging.getLogger("app").setLevel(str(level).upper())


def _start_request() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if current_app.config["TRUSTED_PROXIES"] and _GOOD_ID.match(given) else uuid.uuid4().hex[:16]
    g.request_token = _request_id.set(g.request_id)
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    started = g.get("request_started")
    if started is not None:
        response.headers["X-Request-Id"] = g.request_id
        request_log.info("request", extra={"fields": {
            "method": request.method, "path": request.path, "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1)}})
    return response


def _end_request(_exc: BaseException | None) -> None:
    token = g.pop("request_token", None)
    if token is not None:
        _request_id.reset(token)


@contextlib.contextmanager
def job_context(job_id: int, kind: str, **fields) -> Iterator[dict]:
    """Lines logged inside carry job_id; a start line (with `fields`, the attempt say), and an end
    line with the status the caller sets in the yielded dict ("failed" unless it says "done") and
    the duration."""
    token = _job_id.set(job_id)
    started = time.perf_counter()
    outcome = {"status": "failed"}
    job_log.info("job started", extra={"fields": {"kind": kind, **fields}})
    try:
        yield outcome
    finally:
        job_log.info("job finished", extra={"fields": {
            "kind": kind, "status": outcome["status"], "ms": round((time.perf_counter() - started) * 1000, 1)}})
        _job_id.reset(token)


def init_app(app: Flask) -> None:
    """Configure logging and time every request (registered first, so its line is written last,
    after every other after-request step)."""
    configure(app.config.get("LOG_LEVEL") or "INFO", app.config.get("LOG_FORMAT") or "keyvalue")
    app.before_request(_start_request)
    app.after_request(_log_request)
    app.teardown_request(_end_request)
