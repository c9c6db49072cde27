"""SRU 1.2 and 2.0 (Search/Retrieve via URL) over the catalogue: explain and searchRetrieve.

- Version: 1.1 and 1.2 answer in the SRU 1.x namespace (http://www.loc.gov/zing/srw/), 2.0 (and a
  request without a version) in SRU 2.0's; anything else is diagnostic 5, naming 2.0.
- Operation: explain, searchRetrieve; none means explain (searchRetrieve in 2.0 when there is a
  query); scan and the rest are diagnostic 4.
- searchRetrieve: CQL (search_index/cql.py) written in our query language and searched by
  search_ids, the /api/search view's search; records in MARCXML or Dublin Core, packed as XML or
  as an escaped string; startRecord / maximumRecords paging (at most MAX_RECORDS a request).
- Every answer is 200 with diagnostics (info:srw/diagnostic/1/N) when something is wrong, as the
  protocol asks; only the rate limit answers 429.
"""
from __future__ import annotations

import dataclasses
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from catalog.records.models import Record
from search_index.cql import CQLError, parse_cql
from search_index.cql_query import EXPLAINED, Translated, translate

VERSIONS = ("1.1", "1.2", "2.0")
HIGHEST = "2.0"
DEFAULT_RECORDS = 10
MAX_RECORDS = 50
NS_1 = "http://www.loc.gov/zing/srw/"
DIAG_NS_1 = "http://www.loc.gov/zing/srw/diagnostic/"
NS_2 = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
DIAG_NS_2 = "http://docs.oasis-open.org/ns/search-ws/diagnostic"
ZEEREX_NS = "http://explain.z3950.org/dtd/2.0/"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_OPERATIONS = {"searchRetrieveRequest": "searchRetrieve", "explainRequest": "explain", "scanRequest": "scan"}
MAX_SOAP_BYTES = 64 * 1024
SCHEMAS = {  # short name -> (identifier, title)
    "marcxml": ("info:srw/schema/1/marcxml-v1.1", "MARCXML (MARC21slim)"),
    "dc": ("info:srw/schema/1/dc-v1.1", "Dublin Core"),
}
SCHEMA_NAMES = {"marcxml": "marcxml", "marc21": "marcxml", "marc": "marcxml", "marcxml-v1.1": "marcxml",
                "info:srw/schema/1/marcxml-v1.1": "marcxml", "http://www.loc.gov/marc21/slim": "marcxml",
                "dc": "dc", "info:srw/schema/1/dc-v1.1": "dc", "info:srw/schema/1/dc-schema": "dc",
                "oai_dc": "dc"}
COMMON = {"operation", "version", "recordPacking", "stylesheet", "extraRequestData"}
PARAMETERS = {
    "explain": COMMON | {"recordXMLEscaping", "httpAccept"},
    "searchRetrieve": COMMON | {"query", "queryType", "startRecord", "maximumRecords", "recordSchema", "recordXPath",
                                "resultSetTTL", "sortKeys", "recordXMLEscaping", "httpAccept", "renderedBy",
                                "responseType"},
}
MESSAGES = {  # the diagnostics list's words, for a Diagnostic raised without a message
    1: "General system error", 2: "System temporarily unavailable", 4: "Unsupported operation",
    5: "Unsupported version", 6: "Unsupported parameter value", 7: "Mandatory parameter not supplied",
    8: "Unsupported parameter", 61: "First record position out of range", 66: "Unknown schema for retrieval",
    71: "Unsupported record packing",
}


class Diagnostic(Exception):
    """A fatal SRU diagnostic: info:srw/diagnostic/1/`code`, with details and a message."""

    def __init__(self, code: int, details: str = "", message: str = ""):
        super().__init__(message or MESSAGES.get(code, ""))
        self.code, self.details, self.message = code, details, message or MESSAGES.get(code, "")


@dataclasses.dataclass
class Site:
    """What the answer needs from the web side: where things are, and how to search and fetch."""

    base_url: str  # http://host/sru
    host: str
    port: int
    record_url: str  # "http://host/records/{id}"
    title: str
    title_en: str
    search: Callable[[str, str, int, int], tuple[int, list[int]]]  # (text, sort, offset, count) -> total, ids
    records: Callable[[list[int]], list[Record]]  # live records by number, in order
    render: Callable[[Record, str], str]  # (record, schema short name) -> XML element
    expand: Callable[[str | None, str, int], list[str]] | None = None  # masked word -> index words


@dataclasses.dataclass
class Request:
    version: str
    operation: str
    args: dict[str, str]
    repeated: list[str] = dataclasses.field(default_factory=list)

    @property
    def is_2(self) -> bool:
        return self.version == "2.0"

    @property
    def escaping(self) -> str:
        """xml or string: recordPacking in 1.x, recordXMLEscaping in 2.0 (or a 1.x-style
        recordPacking=xml|string sent to 2.0, as some clients do)."""
        if not self.is_2:
            return self.args.get("recordPacking", "xml")
        packing = self.args.get("recordPacking", "")
        return self.args.get("recordXMLEscaping") or (packing if packing in ("xml", "string") else "xml")


def _read_request(raw: dict[str, list[str]]) -> Request:
    """Version and operation first (they decide how every other answer, diagnostics included, is written)."""
    version = (raw.get("version") or [""])[0].strip() or HIGHEST
    if version not in VERSIONS:
        raise Diagnostic(5, HIGHEST, f"Version {version} is not supported; this server speaks 1.1, 1.2 and 2.0.")
    args = {key: values[0] for key, values in raw.items() if values}
    operation = args.get("operation", "").strip()
    if not operation:
        operation = "searchRetrieve" if version == "2.0" and "query" in args else "explain"
    return Request(version=version, operation=operation, args=args,
                   repeated=sorted(key for key, values in raw.items() if len(values) > 1))


def _check_parameters(request: Request) -> None:
    if request.operation not in PARAMETERS:
        raise Diagnostic(4, request.operation, f"The operation {request.operation!r} is not supported "
                                               "(explain, searchRetrieve).")
    unknown = sorted(k for k in request.args if k not in PARAMETERS[request.operation] and not k.startswith("x-"))
    if unknown:
        raise Diagnostic(8, unknown[0], f"The parameter {unknown[0]} is not supported here.")
    if request.repeated:
        raise Diagnostic(6, request.repeated[0], f"The parameter {request.repeated[0]} is given more than once.")
    escaping = request.escaping
    if escaping not in ("xml", "string"):
        raise Diagnostic(71, escaping, f"Record packing {escaping!r} is not supported (xml, string).")
    if request.is_2 and request.args.get("recordPacking", "packed") not in ("packed", "xml", "string"):
        raise Diagnostic(6, "recordPacking", "Only packed records are given (recordPacking=packed).")
    if "stylesheet" in request.args:
        raise Diagnostic(6, "stylesheet", "Stylesheets are not supported.")
    if "recordXPath" in request.args:
        raise Diagnostic(6, "recordXPath", "XPath retrieval is not supported.")


def _number(args: dict[str, str], name: str, default: int, lowest: int) -> int:
    value = args.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or len(value) > 9 or int(value) < lowest:
        raise Diagnostic(6, name, f"{name} must be a whole number from {lowest}.")
    return int(value)


# ------------------------------------------------------------------ writing


class _Writer:
    """The element names of one version: prefix, namespace, diagnostics namespace."""

    def __init__(self, request: Request | None):
        self.is_2 = bool(request and request.is_2) or request is None
        self.version = request.version if request else HIGHEST
        self.prefix = "sruResponse" if self.is_2 else "srw"
        self.ns = NS_2 if self.is_2 else NS_1
        self.diag_ns = DIAG_NS_2 if self.is_2 else DIAG_NS_1

    def el(self, name: str, content: str) -> str:
        return f"<{self.prefix}:{name}>{content}</{self.prefix}:{name}>"

    def document(self, root: str, body: str) -> bytes:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<{self.prefix}:{root} xmlns:{self.prefix}="{self.ns}">'
                f"{self.el('version', self.version)}{body}</{self.prefix}:{root}>\n").encode("utf-8")

    def diagnostics(self, diagnostics: list[Diagnostic]) -> str:
        if not diagnostics:
            return ""
        items = "".join(
            f'<diag:diagnostic xmlns:diag="{self.diag_ns}"><diag:uri>info:srw/diagnostic/1/{d.code}</diag:uri>'
            + (f"<diag:details>{escape(d.details)}</diag:details>" if d.details else "")
            + f"<diag:message>{escape(d.message)}</diag:message></diag:diagnostic>" for d in diagnostics)
        return self.el("diagnostics", items)

    def record(self, schema_id: str, xml: str, escaping: str, position: int | None) -> str:
        data = escape(xml) if escaping == "string" else xml
        packing = "recordXMLEscaping" if self.is_2 else "recordPacking"
        return self.el("record", self.el("recordSchema", escape(schema_id)) + self.el(packing, escaping)
                       + self.el("recordData", data)
                       + (self.el("recordPosition", str(position)) if position is not None else ""))


def explain_record(site: Site, version: str) -> str:
    """The ZeeRex description of this server: where it is, the database, indexes, schemas, limits."""
    indexes = "".join(
        f'<index search="true" scan="false" sort="{"true" if name in ("title", "date") else "false"}">'
        f"<title>{escape(set_name)}.{escape(name)}</title><map><name set={quoteattr(set_name)}>{escape(name)}</name>"
        "</map></index>" for set_name, name in EXPLAINED)
    schemas = "".join(f'<schema identifier={quoteattr(identifier)} name={quoteattr(name)} sort="false" retrieve="true">'
                      f"<title>{escape(title)}</title></schema>" for name, (identifier, title) in SCHEMAS.items())
    return (f'<explain xmlns="{ZEEREX_NS}">'
            f'<serverInfo protocol="SRU" version="{version}" transport="http" method="GET">'
            f"<host>{escape(site.host)}</host><port>{site.port}</port><database>sru</database></serverInfo>"
            f'<databaseInfo><title lang="vi" primary="true">{escape(site.title)}</title>'
            f'<title lang="en">{escape(site.title_en)}</title>'
            '<description lang="vi" primary="true">Mục lục chung của các thư viện trong huyện: biểu ghi MARC21 '
            "dạng MARCXML hoặc Dublin Core, tìm bằng CQL.</description>"
            '<description lang="en">The shared catalogue of the district\'s libraries: MARC21 records in MARCXML '
            "or Dublin Core, searched with CQL.</description></databaseInfo>"
            '<indexInfo><set identifier="info:srw/cql-context-set/1/cql-v1.2" name="cql"/>'
            '<set identifier="info:srw/cql-context-set/1/dc-v1.1" name="dc"/>'
            '<set identifier="http://zing.z3950.org/cql/bath/2.0/" name="bath"/>'
            '<set identifier="info:srw/cql-context-set/2/rec-1.1" name="rec"/>'
            f"{indexes}</indexInfo><schemaInfo>{schemas}</schemaInfo>"
            f'<configInfo><default type="numberOfRecords">{DEFAULT_RECORDS}</default>'
            f'<setting type="maximumRecords">{MAX_RECORDS}</setting>'
            '<default type="contextSet">cql</default><default type="index">cql.serverChoice</default>'
            '<default type="relation">=</default>'
            '<supports type="relation">=</supports><supports type="relation">==</supports>'
            '<supports type="relation">all</supports><supports type="relation">any</supports>'
            '<supports type="relation">adj</supports><supports type="relation">&lt;</supports>'
            '<supports type="relation">&lt;=</supports><supports type="relation">&gt;</supports>'
            '<supports type="relation">&gt;=</supports><supports type="relation">within</supports>'
            '<supports type="booleanModifier">and</supports><supports type="sort">dc.title</supports>'
            '<supports type="sort">dc.date</supports></configInfo></explain>')


def _explain(site: Site, request: Request, writer: _Writer) -> bytes:
    escaping = request.escaping
    record = writer.record("http://explain.z3950.org/dtd/2.0/", explain_record(site, request.version), escaping, None)
    return writer.document("explainResponse", record)


def _search_retrieve(site: Site, request: Request, writer: _Writer) -> bytes:
    args = request.args
    if not args.get("query", "").strip():
        raise Diagnostic(7, "query", "searchRetrieve needs a query (CQL), such as dc.title = \"lịch sử\".")
    if args.get("queryType", "cql") != "cql":
        raise Diagnostic(6, "queryType", "Only CQL queries are supported (queryType=cql).")
    start = _number(args, "startRecord", 1, 1)
    count = min(_number(args, "maximumRecords", DEFAULT_RECORDS, 0), MAX_RECORDS)
    schema = SCHEMA_NAMES.get(args.get("recordSchema", "marcxml").strip().lower())
    if schema is None:
        raise Diagnostic(66, args["recordSchema"], f"Unknown record schema {args['recordSchema']!r} (marcxml, dc).")
    try:
        plan = translate(parse_cql(args["query"]), expand=site.expand)
    except CQLError as error:
        raise Diagnostic(error.code, error.details, error.message) from None
    if args.get("sortKeys", "").strip() and plan.sort == "relevance":  # SRU 1.x sorting (CQL's sortBy wins)
        plan = dataclasses.replace(plan, sort=_sort_keys(args["sortKeys"]))
    total, ids = _run(site, plan, start - 1, count)
    if start > max(total, 1):
        raise Diagnostic(61, str(start), f"startRecord {start} is past the {total} records found.")
    escaping = request.escaping
    schema_id = SCHEMAS[schema][0]
    records = "".join(writer.record(schema_id, site.render(record, schema), escaping, start + i)
                      for i, record in enumerate(site.records(ids)))
    body = writer.el("numberOfRecords", str(total))
    if records:
        body += writer.el("records", records)
    if start - 1 + count < total and count:
        body += writer.el("nextRecordPosition", str(start + count))
    return writer.document("searchRetrieveResponse", body + _echo(writer, request, schema))


def _sort_keys(value: str) -> str:
    """SRU 1.x sortKeys ("path,schema,ascending,..."; one key: dc.title ascending, dc.date either way)."""
    keys = value.split()
    if len(keys) > 1:
        raise Diagnostic(84, "1", "Only one sort key is supported.")
    parts = keys[0].split(",") + ["", ""]
    path, ascending = parts[0], parts[2] or "1"
    name = path.lower().rpartition(".")[2]
    if name not in ("title", "date", "year"):
        raise Diagnostic(88, path, f"Sorting by {path!r} is not supported (dc.title, dc.date).")
    if ascending not in ("0", "1") or (name == "title" and ascending == "0"):
        raise Diagnostic(90, ascending, "Titles sort A to Z only; dates either way (ascending 1 or 0).")
    return "title" if name == "title" else ("oldest" if ascending == "1" else "newest")


def _run(site: Site, plan: Translated, offset: int, count: int) -> tuple[int, list[int]]:
    if plan.matches_nothing:
        return 0, []
    if plan.record_ids is not None:  # rec.id: the records themselves, no search
        found = [record.id for record in site.records(plan.record_ids)]
        return len(found), found[offset:offset + count]
    return site.search(plan.text, plan.sort, offset, count)


def _echo(writer: _Writer, request: Request, schema: str) -> str:
    if writer.is_2:
        return ""
    parts = "".join(writer.el(name, escape(request.args[name])) for name in
                    ("query", "startRecord", "maximumRecords", "recordPacking", "recordSchema") if name in request.args)
    return writer.el("echoedSearchRetrieveRequest", writer.el("version", request.version) + parts)


def respond(site: Site, raw: dict[str, list[str]]) -> bytes:
    """The SRU answer document for these request parameters (diagnostics included)."""
    request = None
    try:
        request = _read_request(raw)
        writer = _Writer(request)
        _check_parameters(request)
        if request.operation == "explain":
            return _explain(site, request, writer)
        return _search_retrieve(site, request, writer)
    except Diagnostic as diagnostic:
        return diagnostic_document(request or _fallback(raw), [diagnostic])


def _fallback(raw: dict[str, list[str]]) -> Request:
    """For a version we do not speak: a 1.x client hears 1.2, any other 2.0."""
    asked = (raw.get("version") or [""])[0].strip()
    operation = (raw.get("operation") or [""])[0].strip() or "searchRetrieve"
    return Request(version="1.2" if asked.startswith("1") else HIGHEST, operation=operation, args={})


def diagnostic_document(request: Request | None, diagnostics: list[Diagnostic]) -> bytes:
    """A searchRetrieve (or explain) answer holding only diagnostics."""
    writer = _Writer(request)
    if request is not None and request.operation == "explain":
        return writer.document("explainResponse", writer.diagnostics(diagnostics))
    body = writer.el("numberOfRecords", "0") + writer.diagnostics(diagnostics)
    return writer.document("searchRetrieveResponse", body)


def rate_limited_document(raw: dict[str, list[str]], seconds: int) -> bytes:
    """Diagnostic 2 for a client past the rate limit, in its version when it named a good one."""
    try:
        request = _read_request(raw)
    except Diagnostic:
        request = _fallback(raw)
    return diagnostic_document(request, [Diagnostic(2, str(seconds), f"Too many requests; try again in {seconds} s.")])


# ------------------------------------------------------------------ SRW: SRU 1.x over SOAP (yaz-client's default)


class SoapFault(Exception):
    """A SOAP request we cannot read at all (not XML, no searchRetrieveRequest)."""


def soap_arguments(body: bytes) -> dict[str, list[str]]:
    """The parameters of an SRW (SOAP) request: its operation, and each child element's text."""
    if len(body) > MAX_SOAP_BYTES:
        raise SoapFault(f"The request is larger than {MAX_SOAP_BYTES} bytes.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        envelope = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        raise SoapFault("The request is not XML.") from None
    found = envelope.find(f"{{{SOAP_NS}}}Body/*")
    if envelope.tag != f"{{{SOAP_NS}}}Envelope" or found is None or not isinstance(found.tag, str):
        raise SoapFault("The request is not a SOAP envelope with a request in its body.")
    name = etree.QName(found).localname
    args: dict[str, list[str]] = {"operation": [SOAP_OPERATIONS.get(name, name.removesuffix("Request"))]}
    for child in found:
        if isinstance(child.tag, str):
            args.setdefault(etree.QName(child).localname, []).append(child.text or "")
    args.setdefault("version", ["1.2"])  # SRW is SRU 1.x
    return args


def soap_envelope(document: bytes) -> bytes:
    """An SRU answer inside a SOAP envelope (its XML declaration moved to the front)."""
    inner = document.split(b"?>", 1)[1].strip() if document.startswith(b"<?xml") else document
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="' + SOAP_NS.encode()
            + b'"><SOAP-ENV:Body>' + inner + b"</SOAP-ENV:Body></SOAP-ENV:Envelope>\n")


def soap_fault(message: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_NS}"><SOAP-ENV:Body>'
            f"<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>{escape(message)}</faultstring>"
            "</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>\n").encode("utf-8")
