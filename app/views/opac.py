"""The public catalogue (OPAC): search page, record page, search and record JSON, autocomplete."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.display import labels
from app.db import get_session
from app.web.params import page_arg
from app.search import search_backend, snippet_html
from app.web.search_cache import SearchCache
from app.views.digital import viewer
from catalog.records.detail import record_detail_data
from catalog.digital.models import first_objects, records_with_hidden_text, viewer_access
from catalog.records.indexing import pages_with_words
from catalog.libraries import list_libraries
from catalog.text import normalise
from search_index.backend import MAX_PER_PAGE, MAX_QUERY_CHARS, SearchResult, has_match, parse_filters

bp = Blueprint("opac", __name__)

STATUS_WORDS = labels.ITEM_STATUS
FACET_LABELS = {
    "type": _l("Type"), "language": _l("Language"), "decade": _l("Decade"), "subject": _l("Subject"),
    "library": _l("Library"), "availability": _l("Availability"), "digital": _l("Readable online"),
}
TYPE_LABELS = labels.RECORD_TYPE
LANGUAGE_LABELS = labels.LANGUAGE
SORT_LABELS = {"relevance": _l("Relevance"), "newest": _l("Newest first"), "oldest": _l("Oldest first"),
               "title": _l("Title A–Z")}


def facet_value_label(facet: str, value: str) -> str:
    """How a facet value reads on the page (worked out once per request and value: a results page
    shows about 70 of them)."""
    known = g.setdefault("facet_value_labels", {})
    label = known.get((facet, value))
    if label is None:
        label = known[(facet, value)] = _facet_value_label(facet, value)
    return label


def _facet_value_label(facet: str, value: str) -> str:
    if facet == "decade":
        return _("{decade}s").format(decade=value)
    if facet == "digital":
        return _("Readable online") if value == "yes" else _("Not digitised")
    if facet == "availability":
        return {"available": _("Available now"), "unavailable": _("All copies out"),
                "none": _("No copies")}.get(value, value)
    if facet == "type":
        return str(TYPE_LABELS.get(value, value))
    if facet == "language":
        return str(LANGUAGE_LABELS.get(value, value))
    if facet == "library":
        return library_names().get(value, value)
    return value


def library_names() -> dict[str, str]:
    """Library code -> name, once per request (a facet value is a code; a reader reads the name)."""
    if "library_names" not in g:
        g.library_names = {library.code: library.name for library in list_libraries(get_session())}
    return g.library_names


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


def search_cache() -> SearchCache:
    """This process's answers of recent searches (app.web.search_cache)."""
    cache = current_app.extensions.get("search_cache")
    if cache is None:
        cache = current_app.extensions["search_cache"] = SearchCache(current_app.config["SEARCH_CACHE_SIZE"])
    return cache


def run_search() -> SearchResult:
    """Search with the request's parameters, then find the digital pages holding the words."""
    per_page = max(1, min(_int_arg("per_page", 20), MAX_PER_PAGE))
    backend = search_backend()
    result = search_cache().search(
        backend, request.args.get("q", ""), page=page_arg(per_page), per_page=per_page,
        sort=request.args.get("sort", "relevance"), filters=parse_filters(request.args.getlist("f")),
    )
    words = result.query.plain_words()
    digital = [hit.id for hit in result.hits if hit.has_digital]
    first = first_objects(get_session(), digital) if digital else {}
    for hit in result.hits:
        hit.reader_object = first.get(hit.id)
    if words and digital:
        found = pages_with_words(get_session(), digital, words)
        # The licence rule (catalog.digital.models.viewer_access): page text of material read only at the
        # library never reaches a snippet off site; the page numbers do.
        hidden = records_with_hidden_text(get_session(), digital, viewer())
        for hit in result.hits:
            pages = found.get(hit.id, [])
            hit.pages = [p.number for p in pages]
            hit.inside = [(p.object_id, p.number) for p in pages]
            if pages and not has_match(hit.snippet):
                if hit.id in hidden:
                    hit.snippet = ((_("p. {page}: the words are there; read it at the library.").format(
                        page=pages[0][0]), False),)
                else:
                    hit.snippet = ((_("p. {page}: ").format(page=pages[0][0]), False),
                                   *(backend.highlight(pages[0][1], words) or ()))
    return result


def search_link(result: SearchResult, q: str, *, toggle: tuple[str, str] | None = None, page: int = 1,
                sort: str | None = None, new_q: str | None = None) -> str:
    """URL of the search page with one facet value toggled, another page or sort."""
    filters = list(result.filters)
    if toggle:
        filters = [f for f in filters if f != toggle] if toggle in filters else [*filters, toggle]
    args = {"q": q if new_q is None else new_q, "f": [f"{k}:{v}" for k, v in filters]}
    if (sort or result.sort) != "relevance":
        args["sort"] = sort or result.sort
    if page > 1:
        args["page"] = page
    if result.per_page != 20:
        args["per_page"] = result.per_page
    # The search page's own address is built once per request, and each link's query string as
    # url_for would build it (werkzeug's encoding): a results page has about 50 of these links.
    if "search_base" not in g:
        g.search_base = url_for("opac.search")
    items = [(key, item) for key, value in args.items() for item in (value if isinstance(value, list) else [value])]
    return g.search_base + "?" + urlencode(items, safe="!$'()*,/:;?@") if items else g.search_base


@bp.get("/search", endpoint="search")
def search_page():
    result = run_search()
    # Links and the search box carry what was searched (the first MAX_QUERY_CHARS), not a pasted page.
    return render_template("search.html", result=result, q=normalise(request.args.get("q", ""))[:MAX_QUERY_CHARS],
                           facet_labels=FACET_LABELS,
                           sort_labels=SORT_LABELS, notes=[_(t).format(**p) for t, p in result.notes],
                           search_link=search_link, value_label=facet_value_label)


@bp.get("/api/search")
def api_search():
    result = run_search()
    return jsonify(
        total=result.total, total_approximate=result.total_approximate, page=result.page, per_page=result.per_page,
        pages=result.pages, hits=[{"id": h.id, "title": h.title, "authors": h.authors, "year": h.year, "type": h.type,
               "language": h.language, "has_digital": h.has_digital, "holdings": h.holdings,
               "snippet": snippet_html(h.snippet), "pages": h.pages} for h in result.hits],
        facets={name: [{"value": v.value, "count": v.count} for v in values] for name, values in result.facets.items()},
        facets_approximate=result.facets_approximate, suggestion=result.suggestion,
        messages=[_(t).format(**p) for t, p in result.notes],
    )


@bp.get("/api/autocomplete")
def api_autocomplete():
    found = search_backend().autocomplete(request.args.get("q", ""), limit=_int_arg("limit", 10))
    return jsonify(suggestions=[{"value": c.value, "kind": c.kind, "count": c.count} for c in found])


@bp.get("/records/<int:record_id>")
def record_detail(record_id: int):
    detail = record_detail_data(get_session(), record_id)
    if detail.merged_into_id:
        return redirect(url_for("opac.record_detail", record_id=detail.merged_into_id), 301)
    if detail.record.is_deleted:
        return render_template("record_gone.html", record=detail.record), 410
    return render_template("record.html", record=detail.record, detail=detail, status_words=STATUS_WORDS,
                           type_labels=TYPE_LABELS, language_labels=LANGUAGE_LABELS)


@bp.get("/api/records/<int:record_id>")
def api_record(record_id: int):
    detail = record_detail_data(get_session(), record_id)
    if detail.merged_into_id:
        return redirect(url_for("opac.api_record", record_id=detail.merged_into_id), 301)
    if detail.record.is_deleted:
        return jsonify(error=_("This record was deleted."), id=record_id, deleted=True), 410
    body = detail.as_json()
    for entry, obj in zip(body["digital_objects"], detail.digital_objects):
        entry["iiif_manifest"] = url_for("iiif.manifest", object_id=obj.id, _external=True)
        entry["readable"] = viewer_access(obj, viewer()).read
    return jsonify(body)
