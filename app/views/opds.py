"""OPDS 1.2 catalogue of open digital resources: a navigation feed, an acquisition feed of the
newest open-licensed objects (with download links), and search through an OpenSearch description."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from app.db import get_session
from app.web.params import page_arg
from catalog.db import utcnow
from catalog.digital.models import ANONYMOUS, ObjectList, list_objects, viewer_access
from catalog.text import fold

bp = Blueprint("opds", __name__, url_prefix="/opds")
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"


def _downloadable(listing: ObjectList) -> ObjectList:
    """Only what anyone may download (the licence rule, catalog.digital.models.viewer_access): OPDS
    clients are anonymous and every entry carries an acquisition link."""
    listing.objects = [o for o in listing.objects if viewer_access(o, ANONYMOUS).download]
    return listing


def _feed(template: str, mimetype: str, **context) -> Response:
    body = render_template(template, updated=utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), **context)
    response = Response(body)
    response.headers["Content-Type"] = f"{mimetype};charset=utf-8"
    return response


@bp.get("")
def root():
    return _feed("opds/navigation.xml", NAVIGATION)


@bp.get("/new")
def new():
    listing = _downloadable(list_objects(get_session(), page=page_arg(50), per_page=50, open_only=True))
    return _feed("opds/acquisition.xml", ACQUISITION, listing=listing, feed_id="new", q="",
                 self_url=url_for("opds.new", page=listing.page, _external=True))


@bp.get("/search")
def search():
    q = request.args.get("q", "")
    terms = fold(q).split()
    listing = _downloadable(list_objects(get_session(), page=1, per_page=10_000, open_only=True))
    listing.objects = [o for o in listing.objects
                       if all(t in fold(" ".join([o.label, o.record.title, *o.record.authors])) for t in terms)][:100]
    listing.total = len(listing.objects)
    return _feed("opds/acquisition.xml", ACQUISITION, listing=listing, feed_id="search", q=q,
                 self_url=url_for("opds.search", q=q, _external=True))


@bp.get("/opensearch.xml")
def opensearch():
    body = render_template("opds/opensearch.xml")
    return Response(body, mimetype="application/opensearchdescription+xml")
