"""Books saved for offline reading (issue 18.4): the list of what to save for one book (its reader
pages, page texts and one page image per page at the screen's size), the public reader's service
worker (scope /read/) and the "saved books" page. Only books whose licence allows download may be
saved: the list is refused (403) for the others, and every page, text and image it names is
fetched through the reader's and IIIF's own routes, which apply the licence rule again."""
from __future__ import annotations

import json
import math
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.views.digital import LIGHT_SLOTS, image_url, page_sizes
from app.web.assets import static_url
from catalog.digital.models import get_object, require_download

bp = Blueprint("offread", __name__)
BOOK_FORMAT = "hoclieu-offline-book"
READER_ASSETS = ("style.css", "reader.css", "reader.js", "offline/books.js", "favicon.ico")


def screen_width(page, css_width: int) -> int:
    """The page image width for a screen this wide (CSS pixels): the reader's light image for it
    (the IIIF size nearest the screen's slot), so a phone saves what it reads online, never the master."""
    target = next(width for limit, width in LIGHT_SLOTS if limit is None or css_width <= limit)
    return min(page_sizes(page), key=lambda w: abs(math.log(w / target)))


@bp.get("/read/<int:object_id>/offline.json")
def book_manifest(object_id: int):
    """What the phone saves of this book; 403 unless its licence allows download."""
    obj = get_object(get_session(), object_id)
    require_download(obj)
    css_width = max(200, min(request.args.get("width", 360, type=int) or 360, 4000))
    fmt = "jpg" if request.args.get("format") == "jpg" else "webp"
    pages = [{"number": p.number, "reader": url_for("digital.read", object_id=obj.id, number=p.number),
              "text": url_for("digital.page_text", object_id=obj.id, number=p.number),
              "image": image_url(obj, p.number, screen_width(p, css_width), fmt)} for p in obj.pages]
    response = jsonify({"format": BOOK_FORMAT, "version": 1, "object": obj.id,
                        "title": obj.label or obj.record.title, "licence": obj.licence,
                        "first": url_for("digital.read", object_id=obj.id, number=1),
                        "assets": [static_url(name) for name in READER_ASSETS], "pages": pages})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/read/sw.js")
def service_worker():
    """The reader's service worker (scope /read/): it answers from the books saved on this phone
    when the link is down; the desk's worker (/staff/sw.js) is a different one."""
    body = current_app.extensions.get("reader_service_worker")
    if body is None:  # built once per app: the file and the hashed asset names do not change while it runs
        source = (Path(current_app.static_folder or "") / "offline" / "reader-sw.js").read_text(encoding="utf-8")
        body = current_app.extensions["reader_service_worker"] = (
            source.replace("/*ASSETS*/[]", json.dumps([static_url(n) for n in READER_ASSETS]))
            .replace("/*SAVED*/\"\"", json.dumps(url_for("offread.saved"))))
    response = Response(body, mimetype="application/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/read/saved")
def saved():
    """The books saved on this phone (the page lists them from the browser's storage; it works offline)."""
    return render_template("digital/saved.html")


def reader_offline_text() -> dict:
    """What books.js says, in the interface language."""
    return {
        "save": _("Save for offline reading"), "saving": _("Saving for offline reading: {done} of {total} pages…"),
        "saved": _("Saved on this phone for offline reading: {pages} pages, {size}."),
        "remove": _("Remove from this phone"), "removed": _("Removed from this phone."),
        "failed": _("The book could not be saved: {reason}. Try again when the connection is better."),
        "quota": _("There is not enough room on this phone to save this book (saved books use {used} now). Remove "
                   "books you no longer need from the saved books, or free some space, then try again."),
        "refused": _("This book cannot be saved: {reason}"),
        "unsupported": _("This browser cannot keep books for offline reading."),
        "waiting": _("The server is busy; saving goes on in a moment…"),
        "incomplete": _("not completely saved: remove it and save it again"),
        "item": _("{pages} pages · {size} · saved {when}"),
        "total": _("{count} books saved on this phone, {size} in all."),
        "empty": _("No book is saved on this phone yet. Open a book in the digital library and choose “Save for "
                   "offline reading”."),
        "persisted": _("This phone keeps saved books until you remove them."),
    }


@bp.app_context_processor
def _helpers() -> dict:
    return {"reader_offline_text": reader_offline_text}
