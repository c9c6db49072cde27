"""OAI-PMH 2.0 data provider (verbs, errors, paging) over the catalogue's records.

Identifiers are oai:DOMAIN:record:ID (DOMAIN: the repositoryIdentifier; the older
oai:hoclieu:record:ID is still understood); datestamps are Record.updated_at in UTC (seconds);
deleted and merged records stay as <header status="deleted"> (deletedRecord "persistent");
sets are the libraries that hold copies ("library:CODE"). Formats: oai_dc and marc21 (MARCXML).
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import re
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from catalog.db import MAX_INTEGER
from catalog.copies.items import Item
from catalog.libraries import Library
from catalog.records.models import Record
from ingest.marc.export import record_marc, to_marcxml
from ingest.marc.marcjson import marc_json_to_record

PAGE_SIZE = 100
LEGACY_PREFIX = "oai:hoclieu:record:"  # identifiers before the repositoryIdentifier was a domain
DEFAULT_REPOSITORY_IDENTIFIER = "hoclieu.localhost"
# oai-identifier.xsd's repositoryIdentifierType, and OAI-PMH.xsd's emailType.
REPOSITORY_IDENTIFIER = re.compile(r"^[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+$")
EMAIL = re.compile(r"^\S+@(\S+\.)+\S+$")
MARC_NS = "http://www.loc.gov/MARC21/slim"
FORMATS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
    "marc21": ("http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", MARC_NS),
}
VERBS = {
    "Identify": ({"verb"}, set()),
    "ListMetadataFormats": ({"verb"}, {"identifier"}),
    "ListSets": ({"verb"}, {"resumptionToken"}),
    "ListIdentifiers": ({"verb", "metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"verb", "metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "GetRecord": ({"verb", "identifier", "metadataPrefix"}, set()),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OAIError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclasses.dataclass
class Repository:
    base_url: str
    record_url: str  # "https://host/records/{id}"
    name: str
    admin_emails: list[str]
    identifier: str = DEFAULT_REPOSITORY_IDENTIFIER  # the repositoryIdentifier, a domain name
    page_size: int = PAGE_SIZE  # records per ListRecords/ListIdentifiers answer

    @property
    def prefix(self) -> str:
        """What comes before a record's id in its OAI identifier."""
        return f"oai:{self.identifier}:record:"


def repository_identifier(configured: str, host: str) -> str:
    """The configured repositoryIdentifier, else the site's domain name (the guidelines' choice),
    else DEFAULT_REPOSITORY_IDENTIFIER (reached by an address or a name without a dot)."""
    if configured:
        return configured
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name if REPOSITORY_IDENTIFIER.match(name) else DEFAULT_REPOSITORY_IDENTIFIER


def admin_emails(configured: str, identifier: str) -> list[str]:
    """The configured addresses (comma-separated), else librarian@ the repository's domain."""
    return [a.strip() for a in configured.split(",") if a.strip()] or [f"librarian@{identifier}"]


def check_settings(admin_email: str, identifier: str) -> list[str]:
    """What is wrong with configured Identify values (empty: nothing), for start-up."""
    wrong = [f"OAI_ADMIN_EMAIL: {a!r} is not an e-mail address" for a in admin_emails(admin_email, "x.y")
             if not EMAIL.match(a)]
    if identifier and not REPOSITORY_IDENTIFIER.match(identifier):
        wrong.append(f"OAI_REPOSITORY_IDENTIFIER: {identifier!r} is not a domain name such as thuvien.example.vn")
    return wrong


def stamp(value: dt.datetime | None) -> str:
    return (value or dt.datetime(1970, 1, 1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_date(value: str, *, is_until: bool) -> tuple[dt.datetime, str]:
    """The moment and granularity of from/until; until is exclusive (the next day or second)."""
    try:
        if _DAY.match(value):
            moment, granularity, step = dt.datetime.strptime(value, "%Y-%m-%d"), "day", dt.timedelta(days=1)
        elif _SECOND.match(value):
            moment, granularity, step = (dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ"), "second",
                                         dt.timedelta(seconds=1))
        else:
            raise ValueError(value)
    except ValueError:  # the shape, or an impossible date such as 2020-02-30 or T25:00:00Z
        raise OAIError("badArgument", f"Invalid date {value!r}: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.") from None
    if is_until:  # the step past 9999-12-31 is past Python's dates: no end then
        moment = moment + step if moment < dt.datetime.max - step else dt.datetime.max
    return moment, granularity


def _check_arguments(args: dict[str, list[str]]) -> str:
    verbs = args.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OAIError("badVerb", "Missing, repeated or unknown verb." if verbs else "No verb given.")
    verb = verbs[0]
    repeated = [k for k, v in args.items() if len(v) > 1]
    if repeated:
        raise OAIError("badArgument", f"Repeated argument: {', '.join(sorted(repeated))}.")
    required, optional = VERBS[verb]
    given = set(args)
    if "resumptionToken" in given:
        if given - {"verb", "resumptionToken"}:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument.")
        return verb
    illegal = given - required - optional
    if illegal:
        raise OAIError("badArgument", f"Illegal argument: {', '.join(sorted(illegal))}.")
    missing = required - given
    if missing:
        raise OAIError("badArgument", f"Missing argument: {', '.join(sorted(missing))}.")
    return verb


def _record_id(identifier: str, repo: Repository) -> int:
    for prefix in (repo.prefix, LEGACY_PREFIX):
        number = identifier[len(prefix):] if identifier.startswith(prefix) else ""
        if number.isascii() and number.isdigit() and len(number) <= 10 and int(number) <= MAX_INTEGER:
            return int(number)
    raise OAIError("idDoesNotExist", f"No item has the identifier {identifier!r}.")


def _sets(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Library.code, Library.name).where(exists().where(Item.home_library_id == Library.id)).order_by(Library.code)
    ).all()
    return [(f"library:{code}", name) for code, name in rows]


# ---------------------------------------------------------------- records


def _header(record: Record, repo: Repository) -> str:
    status = ' status="deleted"' if record.is_deleted else ""
    sets = "".join(f"<setSpec>library:{escape(code)}</setSpec>" for code in sorted(
        {item.home_library.code for item in record.items})) if not record.is_deleted else ""
    return (f"<header{status}><identifier>{repo.prefix}{record.id}</identifier>"
            f"<datestamp>{stamp(record.updated_at)}</datestamp>{sets}</header>")


def _dublin_core(record: Record, repo: Repository) -> str:
    parts: list[tuple[str, str]] = [("title", record.title + (f" : {record.subtitle}" if record.subtitle else ""))]
    parts += [("creator", a) for a in record.authors] + [("subject", s) for s in record.subjects]
    if record.summary:
        parts.append(("description", record.summary))
    parts += [("description", n) for n in record.notes[:5]]
    if record.publisher:
        parts.append(("publisher", record.publisher))
    if record.year:
        parts.append(("date", str(record.year)))
    parts.append(("type", record.record_type))
    if record.physical_description:
        parts.append(("format", record.physical_description))
    parts.append(("identifier", repo.record_url.format(id=record.id)))
    parts += [("identifier", f"ISBN {v}") for v in record.isbns] + [("identifier", f"ISSN {v}") for v in record.issns]
    parts += [("identifier", link.get("url", "")) for link in record.links if link.get("url")]
    parts += [("language", code) for code in record.languages] + [("relation", s) for s in record.series]
    body = "".join(f"<dc:{tag}>{escape(value)}</dc:{tag}>" for tag, value in parts if value)
    return ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
            'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">' + body + "</oai_dc:dc>")


def _metadata(record: Record, prefix: str, repo: Repository) -> str:
    if prefix == "oai_dc":
        return _dublin_core(record, repo)
    xml = to_marcxml(marc_json_to_record(record_marc(record))).decode("utf-8")
    return xml.replace("<record", f'<record xmlns="{MARC_NS}"', 1)


def _full(record: Record, prefix: str, repo: Repository) -> str:
    if record.is_deleted:
        return f"<record>{_header(record, repo)}</record>"
    return f"<record>{_header(record, repo)}<metadata>{_metadata(record, prefix, repo)}</metadata></record>"


# ---------------------------------------------------------------- paging


def _token(prefix: str, start: str, until: str, set_spec: str, last_id: int) -> str:
    raw = "\x1f".join([prefix, start, until, set_spec, str(last_id)]).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _untoken(token: str) -> tuple[str, str, str, str, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
        prefix, start, until, set_spec, last = raw.split("\x1f")
        if prefix not in FORMATS or not (last.isascii() and last.isdigit() and len(last) <= 10):
            raise ValueError(prefix)
        if int(last) > MAX_INTEGER:
            raise ValueError(last)
        return prefix, start, until, set_spec, int(last)
    except (ValueError, UnicodeDecodeError):
        raise OAIError("badResumptionToken", "The resumptionToken is invalid or expired.") from None


def _list(session: Session, args: dict[str, str], repo: Repository, *, with_metadata: bool, now: dt.datetime) -> str:
    if "resumptionToken" in args:
        prefix, start, until, set_spec, last_id = _untoken(args["resumptionToken"])
    else:
        prefix, start, until, set_spec, last_id = (args["metadataPrefix"], args.get("from", ""),
                                                     args.get("until", ""), args.get("set", ""), 0)
    if prefix not in FORMATS:
        raise OAIError("cannotDisseminateFormat", f"The format {prefix!r} is not supported (oai_dc, marc21).")
    query = select(Record)
    granularities = set()
    if start:
        moment, granularity = _parse_date(start, is_until=False)
        granularities.add(granularity)
        query = query.where(Record.updated_at >= moment)
    if until:
        moment, granularity = _parse_date(until, is_until=True)
        granularities.add(granularity)
        query = query.where(Record.updated_at < moment)
    if len(granularities) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if start and until and _parse_date(start, is_until=False)[0] >= _parse_date(until, is_until=True)[0]:
        raise OAIError("badArgument", "from is later than until.")
    if set_spec:
        if not set_spec.startswith("library:"):
            raise OAIError("badArgument", f"Unknown set {set_spec!r}.")
        query = query.where(exists().where(Item.record_id == Record.id, Item.home_library_id == Library.id,
                                           Library.code == set_spec[len("library:"):]))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    size = max(1, repo.page_size)
    records = session.scalars(query.where(Record.id > last_id).order_by(Record.id).limit(size + 1)).all()
    if not records:
        raise OAIError("noRecordsMatch", "No records match these arguments.")
    more = len(records) > size
    records = records[:size]
    body = "".join(_full(r, prefix, repo) if with_metadata else _header(r, repo) for r in records)
    if more or "resumptionToken" in args:
        token = _token(prefix, start, until, set_spec, records[-1].id) if more else ""
        body += f'<resumptionToken completeListSize="{total}">{token}</resumptionToken>'
    return body


# ---------------------------------------------------------------- verbs


def _identify(session: Session, repo: Repository) -> str:
    earliest = session.scalar(select(func.min(Record.updated_at)))
    return (f"<Identify><repositoryName>{escape(repo.name)}</repositoryName><baseURL>{escape(repo.base_url)}</baseURL>"
            "<protocolVersion>2.0</protocolVersion>"
            + "".join(f"<adminEmail>{escape(a)}</adminEmail>" for a in repo.admin_emails)
            + f"<earliestDatestamp>{stamp(earliest)}</earliestDatestamp>"
            "<deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
            "<description><oai-identifier xmlns=\"http://www.openarchives.org/OAI/2.0/oai-identifier\" "
            "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
            "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai-identifier "
            "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd\"><scheme>oai</scheme>"
            f"<repositoryIdentifier>{escape(repo.identifier)}</repositoryIdentifier><delimiter>:</delimiter>"
            f"<sampleIdentifier>{escape(repo.prefix)}1</sampleIdentifier></oai-identifier></description></Identify>")


def _formats(session: Session, args: dict[str, str], repo: Repository) -> str:
    if "identifier" in args:
        record = session.get(Record, _record_id(args["identifier"], repo))
        if record is None:
            raise OAIError("idDoesNotExist", f"No item has the identifier {args['identifier']!r}.")
    body = "".join(f"<metadataFormat><metadataPrefix>{p}</metadataPrefix><schema>{schema}</schema>"
                   f"<metadataNamespace>{ns}</metadataNamespace></metadataFormat>" for p, (schema, ns) in FORMATS.items())
    return f"<ListMetadataFormats>{body}</ListMetadataFormats>"


def _list_sets(session: Session, args: dict[str, str]) -> str:
    if "resumptionToken" in args:
        raise OAIError("badResumptionToken", "ListSets is never paged here.")
    sets = _sets(session)
    if not sets:
        raise OAIError("noSetHierarchy", "No library holds copies yet, so there are no sets.")
    body = "".join(f"<set><setSpec>{escape(spec)}</setSpec><setName>{escape(name)}</setName></set>" for spec, name in sets)
    return f"<ListSets>{body}</ListSets>"


def _get_record(session: Session, args: dict[str, str], repo: Repository) -> str:
    record = session.get(Record, _record_id(args["identifier"], repo))
    if record is None:
        raise OAIError("idDoesNotExist", f"No item has the identifier {args['identifier']!r}.")
    if args["metadataPrefix"] not in FORMATS:
        raise OAIError("cannotDisseminateFormat", f"The format {args['metadataPrefix']!r} is not supported.")
    return f"<GetRecord>{_full(record, args['metadataPrefix'], repo)}</GetRecord>"


def respond(session: Session, args: dict[str, list[str]], repo: Repository, *, now: dt.datetime) -> bytes:
    """The OAI-PMH response document for these request arguments (errors included, always 200)."""
    request_attrs = ""
    try:
        verb = _check_arguments(args)
        single = {k: v[0] for k, v in args.items()}
        request_attrs = "".join(f" {k}={quoteattr(v)}" for k, v in sorted(single.items()))
        if verb == "Identify":
            body = _identify(session, repo)
        elif verb == "ListMetadataFormats":
            body = _formats(session, single, repo)
        elif verb == "ListSets":
            body = _list_sets(session, single)
        elif verb == "GetRecord":
            body = _get_record(session, single, repo)
        else:
            body = f"<{verb}>{_list(session, single, repo, with_metadata=verb == 'ListRecords', now=now)}</{verb}>"
    except OAIError as error:
        if error.code in ("badVerb", "badArgument"):
            request_attrs = ""  # the protocol: no attributes echoed for a request that was not valid
        body = f"<error code={quoteattr(error.code)}>{escape(error.message)}</error>"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
            f"<responseDate>{stamp(now)}</responseDate><request{request_attrs}>{escape(repo.base_url)}</request>"
            f"{body}</OAI-PMH>\n").encode("utf-8")
