"""An OAI-PMH 2.0 harvester's side of the protocol over HTTP (stdlib urllib): Identify and
ListRecords pages, with plain messages for everything a partner's server can do wrong (down,
slow, 503 with Retry-After, an HTML page, a cut-off answer, a charset it did not declare)."""
from __future__ import annotations

import dataclasses
import http.client
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable
from xml.etree import ElementTree

from catalog.errors import N_
from ingest.harvest.errors import HarvestError, OaiProtocolError, UnsafeXml
from ingest.harvest.records import OAI_NS, OaiItem, oai_item
from ingest.harvest.safexml import parse_bytes

MAX_BYTES = 64 * 1024 * 1024
USER_AGENT = "hoclieu-harvester/1.0 (OAI-PMH 2.0)"
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)


@dataclasses.dataclass
class Settings:
    timeout: float = 30.0
    retries: int = 3  # tries of one request after the first (503, network errors, cut-off answers)
    max_wait: float = 60.0  # the longest Retry-After obeyed, in seconds
    sleep: Callable[[float], None] = time.sleep


@dataclasses.dataclass
class Identity:
    repository_name: str
    granularity: str
    earliest: str
    deleted_record: str


@dataclasses.dataclass
class Page:
    response_date: str
    items: list[OaiItem]
    token: str  # '' at the end of the list
    list_size: int | None


class Retryable(HarvestError):
    """A failure worth trying again a little later."""

    def __init__(self, template: str, *, wait: float = 0.0, **params):
        super().__init__(template, **params)
        self.wait = wait


def _fetch(url: str, settings: Settings) -> tuple[bytes, str]:
    """The body and Content-Type of one GET; Retryable or HarvestError with the reason."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/xml, application/xml"})
    host = urllib.parse.urlsplit(url).netloc
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout) as response:
            body = response.read(MAX_BYTES + 1)
            kind = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        if exc.code == 503:
            retry_after = (exc.headers.get("Retry-After") or "").strip()
            wait = float(retry_after) if retry_after.isdigit() else 10.0
            raise Retryable(N_("The server {host} is busy (503) and asked to come back in {seconds} s."),
                            wait=wait, host=host, seconds=int(wait)) from None
        if exc.code >= 500:
            raise Retryable(N_("The server {host} answered with an error ({status})."), wait=5.0, host=host,
                            status=exc.code) from None
        raise HarvestError(N_("The server {host} refused the request ({status}); check the base URL."),
                           host=host, status=exc.code) from None
    except (http.client.IncompleteRead, ConnectionError) as exc:
        raise Retryable(N_("The answer from {host} was cut off before its end ({reason})."), wait=2.0, host=host,
                        reason=type(exc).__name__) from None
    except (socket.timeout, TimeoutError):
        raise Retryable(N_("The server {host} did not answer within {seconds} s."), wait=2.0, host=host,
                        seconds=int(settings.timeout)) from None
    except urllib.error.URLError as exc:
        reason = getattr(exc.reason, "strerror", None) or str(exc.reason)
        raise Retryable(N_("The server {host} cannot be reached ({reason})."), wait=5.0, host=host,
                        reason=reason) from None
    except (http.client.HTTPException, OSError) as exc:
        raise Retryable(N_("The server {host} cannot be reached ({reason})."), wait=5.0, host=host,
                        reason=type(exc).__name__) from None
    if len(body) > MAX_BYTES:
        raise HarvestError(N_("The answer from {host} is larger than {size} MB; it was not read."), host=host,
                           size=MAX_BYTES // (1024 * 1024))
    return body, kind


def _root(body: bytes, content_type: str, host: str) -> ElementTree.Element:
    if _HTML.match(body[:4096]):
        raise HarvestError(N_("The server {host} answered with a web page, not OAI-PMH: check the base URL (it is "
                              "often …/oai)."), host=host)
    try:
        root = parse_bytes(body)
    except UnsafeXml:
        raise
    except ElementTree.ParseError as exc:
        declared = _CHARSET.search(content_type or "")
        if declared and not body.lstrip().startswith(b"<?xml") and declared.group(1).lower() not in ("utf-8", "utf8"):
            try:  # no XML declaration: the charset the HTTP header gives (RFC 7303)
                text = body.decode(declared.group(1))
                return parse_bytes(b'<?xml version="1.0" encoding="utf-8"?>' + text.encode("utf-8"))
            except (LookupError, UnicodeDecodeError, ElementTree.ParseError):
                pass
        if "no element found" in str(exc) or "unclosed token" in str(exc):
            raise Retryable(N_("The answer from {host} was cut off before its end ({reason})."), wait=2.0, host=host,
                            reason=str(exc)) from None
        raise HarvestError(N_("The answer from {host} is not well-formed XML ({reason}): its characters may not be "
                              "in the character set it declares."), host=host, reason=str(exc)) from None
    if root.tag != f"{{{OAI_NS}}}OAI-PMH":
        raise HarvestError(N_("The server {host} answered with XML that is not OAI-PMH ({element})."), host=host,
                           element=root.tag.rsplit("}", 1)[-1][:60])
    return root


def request(base_url: str, params: dict[str, str], settings: Settings) -> ElementTree.Element:
    """One OAI-PMH request, tried again after 503 (waiting as asked) and network failures;
    the <OAI-PMH> element, or OaiProtocolError for an OAI error answer."""
    url = f"{base_url}{'&' if '?' in base_url else '?'}{urllib.parse.urlencode(params)}"
    host = urllib.parse.urlsplit(base_url).netloc
    for attempt in range(settings.retries + 1):
        try:
            body, kind = _fetch(url, settings)
            root = _root(body, kind, host)
            break
        except Retryable as exc:
            if attempt >= settings.retries:
                raise HarvestError(exc.template, **exc.params) from None
            settings.sleep(min(max(exc.wait, 0.0), settings.max_wait))
    error = root.find(f"{{{OAI_NS}}}error")
    if error is not None:
        code = error.get("code") or ""
        problem = OaiProtocolError(N_("The server {host} answered with an OAI-PMH error: {code} ({text})."),
                                   code=code, host=host, text=(error.text or "").strip()[:300])
        problem.response_date = (root.findtext(f"{{{OAI_NS}}}responseDate") or "").strip()
        raise problem
    return root


def identify(base_url: str, settings: Settings | None = None) -> Identity:
    """The partner's Identify: name, granularity, earliest datestamp, deleted-record support."""
    root = request(base_url, {"verb": "Identify"}, settings or Settings())
    node = root.find(f"{{{OAI_NS}}}Identify")
    if node is None:
        raise HarvestError(N_("The server {host} answered Identify without an <Identify> element."),
                           host=urllib.parse.urlsplit(base_url).netloc)
    text = lambda name: (node.findtext(f"{{{OAI_NS}}}{name}") or "").strip()  # noqa: E731
    return Identity(text("repositoryName"), text("granularity"), text("earliestDatestamp"), text("deletedRecord"))


def list_records(base_url: str, *, metadata_prefix: str = "", from_value: str = "", set_spec: str = "",
                 token: str = "", settings: Settings | None = None, file_name: str = "oai") -> Page:
    """One page of ListRecords: the first (prefix, from, set) or the one a resumptionToken names.
    noRecordsMatch is an empty last page."""
    if token:
        params = {"verb": "ListRecords", "resumptionToken": token}
    else:
        params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
        if from_value:
            params["from"] = from_value
        if set_spec:
            params["set"] = set_spec
    try:
        root = request(base_url, params, settings or Settings())
    except OaiProtocolError as exc:
        if exc.code == "noRecordsMatch":
            return Page(exc.response_date, [], "", 0)
        raise
    response_date = (root.findtext(f"{{{OAI_NS}}}responseDate") or "").strip()
    body = root.find(f"{{{OAI_NS}}}ListRecords")
    if body is None:
        raise HarvestError(N_("The server {host} answered ListRecords without a <ListRecords> element."),
                           host=urllib.parse.urlsplit(base_url).netloc)
    items = [oai_item(element, file_name, ordinal, 0)
             for ordinal, element in enumerate(body.findall(f"{{{OAI_NS}}}record"), start=1)]
    node = body.find(f"{{{OAI_NS}}}resumptionToken")
    next_token = (node.text or "").strip() if node is not None else ""
    size = node.get("completeListSize") if node is not None else None
    return Page(response_date, items, next_token, int(size) if size and size.isdigit() else None)
