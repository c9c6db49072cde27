"""OAI-PMH 2.0 at /oai (the protocol lives in ingest/marc/oai.py). GET and POST alike (the
protocol allows both); POST needs no CSRF token, since a harvest changes nothing."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for
from flask.blueprints import BlueprintSetupState

from app.web.auth import csrf
from app.db import get_session
from catalog.db import utcnow
from ingest.marc.oai import Repository, admin_emails, check_settings, repository_identifier, respond

bp = Blueprint("oai", __name__)


@bp.record_once
def _check_config(state: BlueprintSetupState) -> None:
    """Refuse to start with an Identify value the OAI-PMH schemas reject (harvesters would too)."""
    wrong = check_settings(str(state.app.config.get("OAI_ADMIN_EMAIL") or ""),
                           str(state.app.config.get("OAI_REPOSITORY_IDENTIFIER") or ""))
    if wrong:
        from app import ConfigurationError

        raise ConfigurationError("OAI-PMH settings are invalid:\n  " + "\n  ".join(wrong))


def _record_url() -> str:
    """The public page of a record (or its MARCXML when there is no record page), with {id}."""
    if "opac.record_detail" in current_app.view_functions:
        return url_for("opac.record_detail", record_id=999999999, _external=True).replace("999999999", "{id}")
    return url_for("marc.record_xml", record_id=999999999, _external=True).replace("999999999", "{id}")


def _repository() -> Repository:
    identifier = repository_identifier(str(current_app.config.get("OAI_REPOSITORY_IDENTIFIER") or ""), request.host)
    return Repository(
        base_url=url_for("oai.endpoint", _external=True),
        record_url=_record_url(),
        name=current_app.config.get("SITE_NAME_EN") or "hoclieu",
        admin_emails=admin_emails(str(current_app.config.get("OAI_ADMIN_EMAIL") or ""), identifier),
        identifier=identifier,
        page_size=int(current_app.config.get("OAI_PAGE_SIZE") or 100),
    )


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt
def endpoint():
    args = {key: request.values.getlist(key) for key in request.values.keys()}
    return Response(respond(get_session(), args, _repository(), now=utcnow()), mimetype="text/xml")
