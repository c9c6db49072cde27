"""SRU 1.2 / 2.0 searchRetrieve as a client: the request URL, and the answer read into record
XML (MARCXML or Dublin Core) or a plain reason (HTML page, garbage, diagnostics)."""
from __future__ import annotations

import dataclasses
import urllib.parse
from xml.etree import ElementTree

from catalog.errors import N_
from ingest.harvest.errors import UnsafeXml
from ingest.harvest.safexml import parse_bytes
from ingest.marc.results import Problem

SCHEMAS = {"marcxml": "marcxml", "dc": "dc"}
_DIAGNOSTIC = "diagnostic"


class SruAnswerError(Exception):
    """The answer is not a usable SRU response; `problem` says why in a librarian's words."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclasses.dataclass
class SruAnswer:
    hits: int
    records: list[tuple[str, ElementTree.Element]]  # (schema "marcxml" | "dc", the record element)
    problems: list[Problem]  # record-level diagnostics


def request_url(host: str, port: int, database: str, cql: str, *, version: str = "1.2", schema: str = "marcxml",
                limit: int = 10) -> str:
    """http(s)://host:port/database?operation=searchRetrieve&..."""
    scheme = "https" if port == 443 else "http"
    netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    params = {"operation": "searchRetrieve", "version": version, "query": cql,
              "maximumRecords": str(limit), "recordSchema": SCHEMAS.get(schema, "marcxml")}
    params["recordPacking" if version == "1.2" else "recordXMLEscaping"] = "xml"
    return f"{scheme}://{netloc}/{database.strip('/')}?{urllib.parse.urlencode(params)}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _diagnostic(element: ElementTree.Element) -> Problem:
    uri = (_child(element, "uri").text or "").strip() if _child(element, "uri") is not None else ""
    found = _child(element, "message")
    details = _child(element, "details")
    message = " ".join(p for p in ((found.text or "").strip() if found is not None else "",
                                   (details.text or "").strip() if details is not None else "") if p)
    return Problem(N_("The target refused: {message} ({uri})."), {"message": message[:300] or "—", "uri": uri[:100]})


def _schema(record: ElementTree.Element, data: ElementTree.Element) -> str:
    named = _child(record, "recordSchema")
    text = (named.text or "").lower() if named is not None else ""
    if "diagnostic" in text or _local(data.tag) == _DIAGNOSTIC:
        return _DIAGNOSTIC
    if "dc" in text.split("/")[-1] or _local(data.tag) == "dc":
        return "dc"
    return "marcxml"


def _record_data(record: ElementTree.Element) -> ElementTree.Element | None:
    data = _child(record, "recordData")
    if data is None:
        return None
    inner = next(iter(data), None)
    if inner is None and (data.text or "").strip().startswith("<"):  # recordPacking "string"
        try:
            inner = parse_bytes(data.text.strip().encode("utf-8"))
        except (ElementTree.ParseError, UnsafeXml):
            return None
    return inner


def parse_answer(status: int, content_type: str, body: bytes) -> SruAnswer:
    """Read a searchRetrieve answer; SruAnswerError when it is not one."""
    head = body.lstrip()[:512].lower()
    if status != 200 and not head.startswith(b"<?xml") and b"searchretrieveresponse" not in body[:2048].lower():
        raise SruAnswerError(Problem(N_("The target answered with HTTP error {status}."), {"status": status}))
    if b"<html" in head or head.startswith(b"<!doctype html") or "html" in content_type.lower():
        raise SruAnswerError(Problem(N_("The target answered with a web page (HTML), not SRU: check the host, port "
                                        "and database (the SRU path).")))
    if not body.strip():
        raise SruAnswerError(Problem(N_("The target sent an empty answer.")))
    try:
        root = parse_bytes(body)
    except UnsafeXml:
        raise SruAnswerError(Problem(N_("The target's answer declares a document type or entities, which SRU never "
                                        "needs; it was refused unread."))) from None
    except ElementTree.ParseError as exc:
        raise SruAnswerError(Problem(N_("The target's answer is not XML, so not SRU ({reason})."),
                                     {"reason": str(exc)[:120]})) from None
    if _local(root.tag) != "searchRetrieveResponse":
        raise SruAnswerError(Problem(N_("The target's answer is XML but not an SRU search answer (<{root}>)."),
                                     {"root": _local(root.tag)[:60]}))
    diagnostics = _child(root, "diagnostics")
    problems = [_diagnostic(d) for d in diagnostics] if diagnostics is not None else []
    count = _child(root, "numberOfRecords")
    try:
        hits = int((count.text or "0").strip()) if count is not None else 0
    except ValueError:
        hits = 0
    if problems and not hits:
        raise SruAnswerError(problems[0])
    records: list[tuple[str, ElementTree.Element]] = []
    holder = _child(root, "records")
    for record in holder if holder is not None else []:
        data = _record_data(record)
        if data is None:
            continue
        schema = _schema(record, data)
        if schema == _DIAGNOSTIC:
            problems.append(_diagnostic(data))
        else:
            records.append((schema, data))
    return SruAnswer(hits, records, problems)
