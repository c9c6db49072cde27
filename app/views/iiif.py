"""IIIF: Image API 3.0 (level 1 with gray, png, webp) and a Presentation 3.0 manifest per object,
so Mirador or Universal Viewer can open our books. Images obey the licence like the reader does;
whole-page thumbnails (up to 300 px) are shown to everyone, regions and tiles only to readers."""
from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, request, send_file, url_for

from app.web import ratelimit
from app.db import get_session
from app.views.digital import check_read, viewer
from app.views.manifest import manifest_of
from catalog.digital.models import LICENCE_URLS, DigitalObject, find_page, get_object, require_image
from ingest.scans.cache import DerivativeCache
from ingest.scans.iiif import cache_path, page_cache_key, parse_request, preferred_sizes, render_page
from ingest.scans.images import FORMATS

bp = Blueprint("iiif", __name__, url_prefix="/iiif")
IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
TILE_SIDE = 512  # the tiles info.json offers viewers (read from the pyramid's 1024 px stored tiles)


@bp.record_once
def _set_up(state) -> None:
    """The derivative cache, the render slots and the rate limiter, once per app."""
    app: Flask = state.app
    app.extensions["derivative_cache"] = DerivativeCache(Path(app.config["DATA_DIR"]) / "derivatives",
                                                         int(app.config["DERIVATIVE_CACHE_MAX_BYTES"]))
    app.extensions["image_render_slots"] = threading.BoundedSemaphore(
        max(1, int(app.config["IMAGE_RENDER_CONCURRENCY"])))
    ratelimit.init_app(app)


def _scale_factors(width: int, height: int) -> list[int]:
    """1, 2, 4, ... until one TILE_SIDE tile holds the page (each read from the pyramid level below it)."""
    factors = [1]
    while -(-max(width, height) // factors[-1]) > TILE_SIDE:
        factors.append(factors[-1] * 2)
    return factors


def max_area() -> int:
    return int(current_app.config["IIIF_MAX_AREA"])


def _cache_headers(response: Response, obj: DigitalObject, etag: str) -> Response:
    response.set_etag(etag)
    response.cache_control.max_age = 86400
    if obj.is_open:
        response.cache_control.public = True
    else:
        response.cache_control.private = True
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


def _service_id(obj: DigitalObject, number: int) -> str:
    return url_for("iiif.info", object_id=obj.id, page=number, _external=True).rsplit("/", 1)[0]


@bp.get("/<int:object_id>/<int:page>")
def base(object_id: int, page: int):
    return current_app.redirect(url_for("iiif.info", object_id=object_id, page=page), 303)


@bp.get("/<int:object_id>/<int:page>/info.json")
def info(object_id: int, page: int):
    obj = get_object(get_session(), object_id)
    check_read(obj)
    p = find_page(get_session(), obj, page)
    sizes = [{"width": w, "height": h} for w, h in preferred_sizes(p.width, p.height, max_area())]
    body = {"@context": IMAGE_CONTEXT, "id": _service_id(obj, page), "type": "ImageService3",
            "protocol": "http://iiif.io/api/image", "profile": "level1", "width": p.width, "height": p.height,
            "maxArea": max_area(), "sizes": sizes,
            "tiles": [{"width": TILE_SIDE, "scaleFactors": _scale_factors(p.width, p.height)}],
            "extraQualities": ["gray", "color"], "extraFormats": ["png", "webp"]}
    if obj.licence in LICENCE_URLS:
        body["rights"] = LICENCE_URLS[obj.licence]
    response = jsonify(body)
    response.mimetype = "application/ld+json"
    response.headers["Content-Type"] = f'application/ld+json;profile="{IMAGE_CONTEXT}"'
    return _cache_headers(response, obj, f"info-{obj.id}-{page}-{p.width}x{p.height}-{obj.licence}-{max_area()}")


@bp.get("/<int:object_id>/<int:page>/<region>/<size>/<rotation>/<quality_format>")
def image(object_id: int, page: int, region: str, size: str, rotation: str, quality_format: str):
    obj = get_object(get_session(), object_id)
    p = find_page(get_session(), obj, page)
    wanted = parse_request(region, size, rotation, quality_format, p.width, p.height, max_area())
    who = viewer()
    require_image(obj, who, whole_page=wanted.region == (0, 0, p.width, p.height), size=wanted.size)
    stamp = int(p.updated_at.timestamp()) if p.updated_at else 0
    cache: DerivativeCache = current_app.extensions["derivative_cache"]
    relative = cache_path(page_cache_key(obj.id, page, p.image_path), wanted)
    handle = cache.open(relative)
    if handle is None:
        # Only a derivation costs: the rate limit counts those, and at most a few run at once.
        ratelimit.count_derivation(who.is_staff or who.on_site)
        with current_app.extensions["image_render_slots"]:
            handle = cache.get(relative, lambda: render_page(Path(current_app.config["DATA_DIR"]), p.image_path,
                                                             wanted))
    response = send_file(handle, mimetype=FORMATS[wanted.format][1], conditional=False, max_age=86400)
    response.headers["Link"] = f'<{IMAGE_CONTEXT}>;rel="profile"'
    return _cache_headers(response, obj, f"{obj.id}-{page}-{stamp}-{wanted.canonical}")


@bp.get("/<int:object_id>/manifest")
def manifest(object_id: int):
    obj = get_object(get_session(), object_id)
    check_read(obj)
    response = jsonify(manifest_of(obj, max_area()))
    response.headers["Content-Type"] = f'application/ld+json;profile="{PRESENTATION_CONTEXT}"'
    return _cache_headers(response, obj, f"manifest-{obj.id}-{int(obj.updated_at.timestamp())}-{obj.page_count}")
