"""Offering the catalogue to other systems: SRU at /sru (protocol in app/views/sru.py), unAPI at /unapi,
sitemaps for search engines (/sitemap.xml, /robots.txt), and the template helpers that put
JSON-LD, COinS and unAPI ids into record and results pages (app/display/linked_data.py)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from app.display import linked_data
from app.views import sru
from app.web.auth import csrf
from app.db import get_session
from app.web.ratelimit import RateLimited, RateLimiter, parse_limit
from app.search import search_backend
from catalog.copies.items import ItemStatus
from catalog.records.models import Record
from catalog.records.sharing import highest_record_id, latest_change, live_records, open_objects, record_stamps
from ingest.marc.export import record_bytes
from ingest.marc.sharing import marcxml_record, oai_dc_record, srw_dc_record
from search_index.errors import SearchIndexError

bp = Blueprint("sharing", __name__)
XML = "text/xml; charset=utf-8"
SITEMAP_URLS = 50_000  # the sitemaps protocol's limit per file
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
UNAPI_FORMATS = {  # name -> (media type, documentation)
    "marcxml": ("application/marcxml+xml", "http://www.loc.gov/standards/marcxml/"),
    "marc": ("application/marc", "http://www.loc.gov/marc/"),
    "oai_dc": ("application/xml", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"),
}
AVAILABILITY = {ItemStatus.AVAILABLE: "https://schema.org/InStock", ItemStatus.ON_LOAN: "https://schema.org/OutOfStock"}


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    app = state.app
    limit, seconds = parse_limit(app.config.get("SRU_RATE_LIMIT", "60/60"))
    storage = str(app.config.get("RATE_LIMIT_STORAGE") or "memory")
    app.extensions["sru_rate_limiter"] = RateLimiter(limit, seconds, storage)
    app.jinja_env.globals.update(record_json_ld=_record_json_ld, record_coins=_record_coins, hit_coins=_hit_coins)


def search_ids(text: str, sort: str, offset: int, count: int) -> tuple[int, list[int]]:
    """THE search SRU runs (the one /api/search runs): how many records match our query text,
    and the ids of hits offset .. offset+count in order. A range across two pages takes two calls."""
    size = max(count, 1)
    first = offset // size + 1
    try:
        result = search_backend().search(text, page=first, per_page=size, sort=sort)
        ids = [hit.id for hit in result.hits]
        if count and offset + count > first * size and first * size < result.total:
            ids += [hit.id for hit in search_backend().search(text, page=first + 1, per_page=size, sort=sort).hits]
    except SearchIndexError:
        raise sru.Diagnostic(2, "", "The search index cannot be read just now; try again later.") from None
    skip = offset - (first - 1) * size
    return result.total, ids[skip:skip + count]


def expand_mask(field: str | None, pattern: str, limit: int) -> list[str]:
    """The index words a CQL masked word (hist*, h?a) stands for: the other call into search."""
    try:
        return search_backend().masked_words(field, pattern, limit)
    except SearchIndexError:
        raise sru.Diagnostic(2, "", "The search index cannot be read just now; try again later.") from None


def _record_url() -> str:
    return url_for("opac.record_detail", record_id=999999999, _external=True).replace("999999999", "{id}")


def _render(record: Record, schema: str) -> str:
    return marcxml_record(record) if schema == "marcxml" else srw_dc_record(record, _record_url())


def _site() -> sru.Site:
    host, _colon, port_text = request.host.rpartition(":") if request.host.count(":") == 1 else (request.host, "", "")
    port = int(port_text) if port_text.isascii() and port_text.isdigit() and len(port_text) <= 5 else \
        (443 if request.is_secure else 80)
    return sru.Site(base_url=url_for("sharing.sru_endpoint", _external=True), host=host, port=port,
                    record_url=_record_url(), title=str(current_app.config.get("SITE_NAME") or "hoclieu"),
                    title_en=str(current_app.config.get("SITE_NAME_EN") or "hoclieu"), search=search_ids,
                    records=lambda ids: live_records(get_session(), ids), render=_render, expand=expand_mask)


@bp.route("/sru", methods=["GET", "POST"])
@csrf.exempt  # a search changes nothing; SRU clients POST forms or SOAP without a token
def sru_endpoint():
    """SRU by GET or form POST; SRW (SOAP, yaz-client's default) by a POST of XML."""
    is_soap = request.method == "POST" and request.mimetype in ("text/xml", "application/xml", "application/soap+xml")
    try:
        raw = sru.soap_arguments(request.get_data(cache=False)) if is_soap else \
            {key: request.values.getlist(key) for key in request.values.keys()}
    except sru.SoapFault as fault:
        return Response(sru.soap_fault(str(fault)), status=500, mimetype=XML)
    wrap = sru.soap_envelope if is_soap else (lambda document: document)
    if not (current_user.is_authenticated and current_user.is_staff):  # anonymous work is bounded
        try:
            current_app.extensions["sru_rate_limiter"].hit("sru:" + (request.remote_addr or "unknown"))
        except RateLimited as limited:
            seconds = int(limited.params.get("seconds", 60))
            return Response(wrap(sru.rate_limited_document(raw, seconds)), status=429, mimetype=XML,
                            headers={"Retry-After": str(seconds)})
    return Response(wrap(sru.respond(_site(), raw)), mimetype=XML)


@bp.get("/unapi")
def unapi():
    """unAPI 1: no id, the formats; an id, its formats (300); id and format, the record."""
    record_id, fmt = request.args.get("id", "").strip(), request.args.get("format", "").strip()
    formats = "".join(f'<format name="{name}" type="{kind}" docs="{docs}"/>'
                      for name, (kind, docs) in UNAPI_FORMATS.items())
    if not record_id:
        return Response(f'<?xml version="1.0" encoding="UTF-8"?>\n<formats>{formats}</formats>\n', mimetype=XML)
    number = record_id.rsplit(":", 1)[-1]
    is_number = number.isascii() and number.isdigit() and len(number) < 10
    found = live_records(get_session(), [int(number)]) if is_number else []
    if not found:
        abort(404)
    if not fmt:
        return Response(f'<?xml version="1.0" encoding="UTF-8"?>\n<formats id="{found[0].id}">{formats}</formats>\n',
                        status=300, mimetype=XML)
    if fmt not in UNAPI_FORMATS:
        abort(406)
    if fmt == "marc":  # ISO 2709, UTF-8 (Zotero's MARC import reads it)
        return Response(record_bytes(found[0], "marc"), mimetype="application/marc")
    xml = marcxml_record(found[0]) if fmt == "marcxml" else oai_dc_record(found[0], _record_url())
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n",
                    mimetype=UNAPI_FORMATS[fmt][0] + "; charset=utf-8")


def _stamp(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _sitemap(body: str, root: str = "urlset") -> Response:
    response = Response(f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{SITEMAP_NS}">{body}</{root}>\n',
                        mimetype=XML)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/sitemap.xml")
def sitemap_index():
    """The index: one sitemap per SITEMAP_URLS record numbers, and one of the digital library."""
    session, entries = get_session(), []
    for number in range(1, -(-highest_record_id(session) // SITEMAP_URLS) + 1):
        changed = latest_change(session, (number - 1) * SITEMAP_URLS + 1, number * SITEMAP_URLS)
        lastmod = f"<lastmod>{_stamp(changed)}</lastmod>" if changed else ""
        entries.append(f"<sitemap><loc>{url_for('sharing.sitemap_records', number=number, _external=True)}</loc>"
                       f"{lastmod}</sitemap>")
    entries.append(f"<sitemap><loc>{url_for('sharing.sitemap_digital', _external=True)}</loc></sitemap>")
    return _sitemap("".join(entries), "sitemapindex")


@bp.get("/sitemaps/records-<int:number>.xml")
def sitemap_records(number: int):
    if number < 1 or (number - 1) * SITEMAP_URLS >= max(highest_record_id(get_session()), 1):
        abort(404)
    rows = record_stamps(get_session(), (number - 1) * SITEMAP_URLS + 1, number * SITEMAP_URLS)
    template = _record_url()
    return _sitemap("".join(f"<url><loc>{template.format(id=record_id)}</loc>"
                            + (f"<lastmod>{_stamp(changed)}</lastmod>" if changed else "") + "</url>"
                            for record_id, changed in rows))


@bp.get("/sitemaps/digital.xml")
def sitemap_digital():
    entries = [f"<url><loc>{url_for('digital.browse', _external=True)}</loc></url>"]
    entries += [f"<url><loc>{url_for('digital.read', object_id=object_id, number=1, _external=True)}</loc>"
                + (f"<lastmod>{_stamp(changed)}</lastmod>" if changed else "") + "</url>"
                for object_id, changed in open_objects(get_session(), SITEMAP_URLS - 1)]
    return _sitemap("".join(entries))


@bp.get("/robots.txt")
def robots():
    body = ("User-agent: *\nDisallow: /staff/\nDisallow: /api/\nDisallow: /account\nDisallow: /login\n"
            "Disallow: /sru\nDisallow: /oai\nDisallow: /unapi\n"
            f"Sitemap: {url_for('sharing.sitemap_index', _external=True)}\n")
    return Response(body, mimetype="text/plain")


# ------------------------------------------------------------------ template helpers


def _record_json_ld(detail) -> str:
    holdings = [(library.name, item.call_number or detail.record.call_number,
                 AVAILABILITY.get(item.status, "https://schema.org/LimitedAvailability"))
                for library, items in detail.copies_by_library for item in items
                if item.status not in (ItemStatus.WITHDRAWN, ItemStatus.LOST)]
    url = url_for("opac.record_detail", record_id=detail.record.id, _external=True)
    return linked_data.record_json_ld(detail.record, url, holdings[:50])


def _record_coins(record: Record) -> str:
    return linked_data.coins(title=record.title, authors=record.authors, year=record.year, publisher=record.publisher,
                             isbns=record.isbns, record_type=record.record_type, language=record.languages,
                             url=url_for("opac.record_detail", record_id=record.id, _external=True))


def _hit_coins(hit) -> str:
    return linked_data.coins(title=hit.title, authors=hit.authors, year=hit.year, publisher=hit.publisher,
                             record_type=hit.type, language=hit.language,
                             url=url_for("opac.record_detail", record_id=hit.id, _external=True))
