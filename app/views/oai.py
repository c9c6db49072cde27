"""OAI-PMH 2.0 at /oai (the protocol lives in ingest/marc/oai.py)."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for

from app.db import get_session
from catalog.db import utcnow
from ingest.marc.oai import Repository, respond

bp = Blueprint("oai", __name__)


def _record_url() -> str:
    """The public page of a record (or its MARCXML when there is no record page), with {id}."""
    if "opac.record_detail" in current_app.view_functions:
        return url_for("opac.record_detail", record_id=999999999, _external=True).replace("999999999", "{id}")
    return url_for("marc.record_xml", record_id=999999999, _external=True).replace("999999999", "{id}")


@bp.route("/oai", methods=["GET", "POST"])
def endpoint():
    args = {key: request.values.getlist(key) for key in request.values.keys()}
    repo = Repository(
        base_url=url_for("oai.endpoint", _external=True),
        record_url=_record_url(),
        name=current_app.config.get("SITE_NAME_EN") or "hoclieu",
        admin_email=current_app.config.get("OAI_ADMIN_EMAIL", "librarian@localhost"),
    )
    return Response(respond(get_session(), args, repo, now=utcnow()), mimetype="text/xml")
