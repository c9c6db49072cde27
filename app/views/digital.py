"""The digital library: the list of digital objects, the online reader (page images, plain text,
search inside with highlight boxes), downloads where the licence allows, and search-inside JSON."""
from __future__ import annotations

import ipaddress
import math
from pathlib import Path

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.display.dates import library_today
from app.db import get_session
from app.web.params import page_arg
from app.web.ratelimit import count_derivation
from app.search import search_backend, snippet_html
from catalog.digital.models import (DigitalObject, LICENCE_URLS, Viewer, get_object, get_page, has_page_text, list_objects,
                             objects_of_record, raise_read_at_library, require_download, viewer_access)
from catalog.records.models import get_record
from catalog.reports.usage import count_use
from ingest.scans.iiif import preferred_sizes
from ingest.scans.images import images_to_pdf, safe_join
from ingest.scans.ocr import INSTALL_HINT, tesseract_status

bp = Blueprint("digital", __name__)
READER_WIDTHS = (360, 720, 1080, 1600)
# The light first image: the IIIF size nearest the screen's width in CSS pixels (device pixels
# come later, when reader.js sharpens it). Each slot is (widest screen it serves, its width).
MAX_INSIDE_QUERY_CHARS = 300  # search inside reads 20 words; the links of every page carry q
LIGHT_SLOTS = ((420, 360), (600, 480), (840, 720), (None, 960))
PHONE_SCREENS = 600  # the slots up to this width are a phone's: their images are made at ingest


def is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.is_staff)


def is_on_site() -> bool:
    """The request comes from one of the libraries' own networks (LIBRARY_ON_SITE_NETWORKS)."""
    networks = [n.strip() for n in str(current_app.config.get("ON_SITE_NETWORKS") or "").split(",") if n.strip()]
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
        return any(address in ipaddress.ip_network(n, strict=False) for n in networks)
    except ValueError:
        return False


def viewer() -> Viewer:
    """Who is asking, for catalog.digital.models.viewer_access (the licence rule)."""
    return Viewer(is_staff=is_staff(), on_site=is_on_site())


def access(obj: DigitalObject) -> dict:
    """What this visitor may do with the object (for templates; the rule is catalog.digital.models.viewer_access)."""
    allowed = viewer_access(obj, viewer())
    return {"read": allowed.read, "download": allowed.download}


def check_read(obj: DigitalObject) -> None:
    if not viewer_access(obj, viewer()).read:
        raise_read_at_library(obj)


def ocr_available() -> bool:
    return tesseract_status(current_app.config["TESSERACT_COMMAND"], current_app.config["OCR_LANGUAGES"]).available


def count_once(obj: DigitalObject, kind: str) -> None:
    """Count a read once per visitor session, object and day; downloads every time."""
    day = library_today()  # the same local day as every other counter (app/web/usage.py)
    if kind == "read":
        key = f"{day.isoformat()}:{obj.id}"
        seen = [k for k in session.get("reads", []) if k.startswith(day.isoformat())]
        if key in seen:
            return
        session["reads"] = (seen + [key])[-50:]
    count_use(get_session(), kind, day, f"object:{obj.id}")


def image_url(obj: DigitalObject, number: int, width: int, format_: str = "jpg") -> str:
    return url_for("iiif.image", object_id=obj.id, page=number, region="full", size=f"{width},", rotation="0",
                   quality_format=f"default.{format_}")


def srcset(obj: DigitalObject, page) -> str:
    widths = [w for w in READER_WIDTHS if w < page.width] + [min(page.width, READER_WIDTHS[-1])]
    return ", ".join(f"{image_url(obj, page.number, w)} {w}w" for w in sorted(set(widths)))


def page_sizes(page) -> list[int]:
    """The widths info.json offers for this page (the page's own width if it is tiny; 1 for a page
    whose size is not known yet)."""
    return [w for w, _h in preferred_sizes(page.width, page.height, int(current_app.config["IIIF_MAX_AREA"]))] \
        or [max(page.width or 0, 1)]


def _nearest(widths: list[int], target: int) -> int:
    return min(widths, key=lambda w: abs(math.log(w / target)))


def first_sizes(page) -> list[tuple[int, str]]:
    """What a phone's reader asks for first (the light image of each phone slot, as WebP and as
    the JPEG beside it for browsers without WebP): rendered at ingest, so that the first reader of
    a page waits for the link only (app.background.tasks.render_first_images)."""
    widths = page_sizes(page)
    chosen = sorted({_nearest(widths, target) for limit, target in LIGHT_SLOTS if limit and limit <= PHONE_SCREENS})
    return [(width, fmt) for width in chosen for fmt in ("webp", "jpg")]


def light_images(obj: DigitalObject, page) -> dict:
    """The light first image of a page: a WebP <source> per screen class (a quarter lighter than
    JPEG for a scan), a JPEG one each for browsers without WebP, and the fallback <img>."""
    widths = page_sizes(page)
    chosen = [(f"(max-width: {limit}px)" if limit else None, _nearest(widths, target)) for limit, target in LIGHT_SLOTS]
    webp = [(media, image_url(obj, page.number, width, "webp")) for media, width in chosen]
    sources = [(media, "image/webp", url) for media, url in webp]
    sources += [(media, "image/jpeg", image_url(obj, page.number, width)) for media, width in chosen if media]
    return {"sources": sources, "fallback": image_url(obj, page.number, chosen[-1][1]), "widths": widths,
            "choices": webp}


@bp.app_context_processor
def _helpers():
    return {"digital_image_url": image_url, "digital_srcset": srcset, "licence_urls": LICENCE_URLS,
            "digital_access": access, "light_images": light_images}


@bp.get("/digital")
def browse():
    listing = list_objects(get_session(), page=page_arg(24), per_page=24)
    return render_template("digital/browse.html", listing=listing)


@bp.get("/read/<int:object_id>")
def read_first(object_id: int):
    """The first page, or the page asked for by the reader's "go to page" form (kept in range)."""
    args = request.args.to_dict()
    wanted = args.pop("page", "")
    number = 1
    if wanted.strip().isdigit():
        obj = get_object(get_session(), object_id)
        number = max(1, min(int(wanted), obj.page_count or 1))
    return redirect(url_for("digital.read", object_id=object_id, number=number, **args))


@bp.get("/read/<int:object_id>/<int:number>")
def read(object_id: int, number: int):
    q = request.args.get("q", "").strip()[:MAX_INSIDE_QUERY_CHARS]
    # The page list without text (a search inside reads every page's text and boxes anyway).
    obj = get_object(get_session(), object_id, light_pages=not q)
    check_read(obj)
    page = get_page(obj, number)
    hits = search_backend().search_inside([obj], q, viewer=viewer()) if q else []
    boxes = next((h.boxes for h in hits if h.page == number), [])
    count_once(obj, "read")
    get_session().commit()
    has_text = has_page_text(get_session(), obj)
    return render_template("digital/reader.html", obj=obj, page=page, q=q, hits=hits, boxes=boxes,
                           has_text=has_text, ocr_available=ocr_available(), install_hint=INSTALL_HINT,
                           can_download=viewer_access(obj, viewer()).download)


@bp.get("/read/<int:object_id>/<int:number>/text")
def page_text(object_id: int, number: int):
    obj = get_object(get_session(), object_id)
    check_read(obj)
    return render_template("digital/text.html", obj=obj, page=get_page(obj, number),
                           ocr_available=ocr_available(), install_hint=INSTALL_HINT)


@bp.get("/read/<int:object_id>/download")
def download(object_id: int):
    """The original PDF, or a PDF made of the page images; only for open licences."""
    obj = get_object(get_session(), object_id)
    require_download(obj)
    data_dir = Path(current_app.config["DATA_DIR"])
    if obj.source_path:
        path = safe_join(data_dir, obj.source_path).open("rb")
    else:
        path = _image_set_pdf(obj, data_dir)
    count_once(obj, "download")
    get_session().commit()
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=f"hoclieu-{obj.id}.pdf")


def _image_set_pdf(obj: DigitalObject, data_dir: Path):
    """The cached PDF of an image set, made (rate-limited, one at a time per slot) when missing."""
    cache = current_app.extensions["derivative_cache"]
    stamp = int(max(p.updated_at for p in obj.pages).timestamp())
    relative = f"{obj.id}/download-{stamp}.pdf"
    handle = cache.open(relative)
    if handle is None:
        who = viewer()
        count_derivation(who.is_staff or who.on_site)
        masters = [safe_join(data_dir, p.image_path) for p in obj.pages]
        with current_app.extensions["image_render_slots"]:
            handle = cache.get(relative, lambda: images_to_pdf(masters))
    return handle


@bp.get("/read/<int:object_id>/<int:number>/download")
def download_page(object_id: int, number: int):
    obj = get_object(get_session(), object_id)
    require_download(obj)
    page = get_page(obj, number)
    count_once(obj, "download")
    get_session().commit()
    suffix = Path(page.image_path).suffix
    return send_file(safe_join(Path(current_app.config["DATA_DIR"]), page.image_path), as_attachment=True,
                     download_name=f"hoclieu-{obj.id}-{number:04d}{suffix}")


@bp.get("/api/records/<int:record_id>/search-inside")
def search_inside_json(record_id: int):
    """Pages of the record's digital objects holding every word of q, with word boxes in page pixels."""
    get_record(get_session(), record_id)
    wanted = request.args.get("object", type=int)
    objects = [o for o in objects_of_record(get_session(), record_id) if wanted is None or o.id == wanted]
    q = request.args.get("q", "")
    hits = search_backend().search_inside(objects, q, viewer=viewer())
    has_text = any(p.text for o in objects for p in o.pages)
    return jsonify(q=q, total=len(hits), available=has_text or ocr_available(), hits=[_hit_json(h, q) for h in hits])


def _hit_json(hit, q: str) -> dict:
    """One search-inside hit; for material read only at the library, the page number and a note."""
    body = {"page": hit.page, "object": hit.object_id, "snippet": snippet_html(hit.snippet), "boxes": hit.boxes,
            "restricted": hit.restricted}
    if hit.restricted:
        body["message"] = _("This page holds the words; it can be read at the library.")
    else:
        body["url"] = url_for("digital.read", object_id=hit.object_id, number=hit.page, q=q)
    return body


def record_objects(record_id: int) -> list[DigitalObject]:
    """For templates/record/_digital.html (the record page)."""
    return [o for o in objects_of_record(get_session(), record_id) if o.page_count]


@bp.app_context_processor
def _record_helpers():
    return {"digital_objects_of": record_objects}
