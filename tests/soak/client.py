"""An HTTP client that behaves like a browser for the soak test (cookies, forms with their CSRF
token, multipart uploads) and notes every request it makes: status, time, and what went wrong."""
from __future__ import annotations

import dataclasses
import http.cookiejar
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from html.parser import HTMLParser

SLOW_SECONDS = 5.0
TIMEOUT = 60.0
URL_SAFE = "/?&=%:+,;@#!$'()*[]~"  # what stays as typed; spaces and Vietnamese letters are quoted


@dataclasses.dataclass
class Request:
    actor: str
    method: str
    path: str
    status: int
    seconds: float
    error: str = ""


class Journal:
    """Every request of every actor, and the things done (checkouts, imports, ...), thread-safe."""

    def __init__(self, slow_seconds: float = SLOW_SECONDS):
        self.slow_seconds = slow_seconds
        self.requests: list[Request] = []
        self.done: Counter[str] = Counter()
        self.problems: list[str] = []
        self._lock = threading.Lock()

    def note(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def count(self, what: str) -> None:
        with self._lock:
            self.done[what] += 1

    def problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)

    def failures(self) -> list[str]:
        """5xx answers, unanswered and slow requests, by route and outcome, and noted problems."""
        groups: dict[str, list[Request]] = {}
        for r in self.requests:
            if r.status >= 500 or r.status == 0:
                outcome = str(r.status or r.error)
            elif r.seconds > self.slow_seconds:
                outcome = f"slower than {self.slow_seconds:.0f} s"
            else:
                continue
            groups.setdefault(f"{r.method} {route(r.path)} -> {outcome}", []).append(r)
        out = [f"{key}: {len(rs)} times, slowest {max(r.seconds for r in rs):.1f} s, e.g. {rs[0].path} ({rs[0].actor})"
               for key, rs in sorted(groups.items(), key=lambda item: -len(item[1]))]
        return out + self.problems

    def summary(self) -> str:
        times = sorted(r.seconds for r in self.requests) or [0.0]
        statuses = Counter(r.status for r in self.requests)
        return (f"{len(self.requests)} requests, statuses {dict(sorted(statuses.items()))}, "
                f"median {times[len(times) // 2]:.2f} s, p95 {times[int(len(times) * 0.95)]:.2f} s, "
                f"max {times[-1]:.2f} s; done {dict(sorted(self.done.items()))}")


def route(path: str) -> str:
    """The path without its query, numbers as N: /records/12?q=x -> /records/N."""
    return re.sub(r"/\d+", "/N", urllib.parse.urlsplit(path).path)


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers.get("Location", "") if self.headers else ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # each hop is a request of its own, timed and checked
        return None


class Client:
    """One person's browser: its own cookies; every request is noted in the journal."""

    def __init__(self, base: str, actor: str, journal: Journal, headers: dict[str, str] | None = None):
        self.base, self.actor, self.journal = base, actor, journal
        self.headers = dict(headers or {})  # sent with every request (a forged X-Forwarded-For, say)
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def request(self, method: str, path: str, *, data: dict | None = None,
                files: dict[str, list[tuple[str, bytes]]] | None = None) -> Response:
        body, headers = None, {"Accept-Language": "vi", **self.headers}
        if files is not None:
            body, headers["Content-Type"] = multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        url = urllib.parse.quote(path if path.startswith("http") else self.base + path, safe=URL_SAFE)
        started = time.monotonic()
        try:
            with self.opener.open(urllib.request.Request(url, data=body, method=method, headers=headers),
                                  timeout=TIMEOUT) as answer:
                response = Response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as answer:
            response = Response(answer.code, answer.headers, answer.read())
        except OSError as error:  # refused, reset, timed out: the server did not answer
            self.journal.note(Request(self.actor, method, path, 0, time.monotonic() - started, repr(error)))
            return Response(0, None, b"")
        self.journal.note(Request(self.actor, method, path, response.status, time.monotonic() - started))
        return response

    def get(self, path: str, *, follow: bool = True) -> Response:
        response = self.request("GET", path)
        for _ in range(5):
            if not follow or response.status not in (301, 302, 303) or not response.location:
                break
            response = self.request("GET", urllib.parse.urljoin(self.base + path, response.location))
        return response

    def post(self, path: str, data: dict | None = None, **kwargs) -> Response:
        return self.request("POST", path, data=data, **kwargs)

    def form(self, path: str, action: str | None = None) -> dict[str, object]:
        """The fields of the page's form (the first one posting to `action`, or the first POST form)."""
        page = self.get(path)
        parser = FormParser()
        parser.feed(page.text)
        for form_action, fields in parser.forms:
            target = urllib.parse.urlsplit(form_action).path or urllib.parse.urlsplit(path).path
            if action is None or target == action:
                return fields
        raise AssertionError(f"{self.actor}: no form posting to {action or 'anything'} on {path} "
                             f"(status {page.status})")

    def sign_in(self, username: str, password: str = "hoclieu-demo") -> bool:
        fields = self.form("/login", "/login")
        answer = self.post("/login", {**fields, "username": username, "password": password})
        return answer.status == 302 and "/login" not in answer.location


def multipart(fields: dict, files: dict[str, list[tuple[str, bytes]]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{one}\r\n'.encode())
    for name, uploads in files.items():
        for filename, content in uploads:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class FormParser(HTMLParser):
    """POST forms of a page with the values a browser would send unchanged (inputs, checked boxes,
    selected options, textareas)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, object]]] = []
        self._fields: dict[str, object] | None = None
        self._select: str | None = None
        self._first_option: tuple[str, str] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._fields = {}
            self.forms.append((a.get("action", ""), self._fields))
        if self._fields is None or "name" not in a and tag != "option":
            return
        if tag == "input" and a.get("type", "text") not in ("submit", "button", "file", "image", "reset"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._fields[a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select, self._first_option = a["name"], None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = (self._select, value)
                self._fields.setdefault(self._select, value)
            if "selected" in a:
                self._fields[self._select] = value
        elif tag == "textarea":
            self._textarea = a["name"]
            self._fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._fields is not None and self._textarea:
            self._fields[self._textarea] = str(self._fields[self._textarea]) + data
