"""IIIF: Image API 3.0 (level 1 with gray, png, webp) and a Presentation 3.0 manifest per object,
so Mirador or Universal Viewer can open our books. Images obey the licence like the reader does;
whole-page thumbnails (up to 300 px) are shown to everyone, regions and tiles only to readers."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request, send_file, url_for

from app.db import get_session
from app.views.digital import check_read, viewer
from catalog.digital import LICENCE_URLS, DigitalObject, get_object, get_page, require_image
from ingest.scans.iiif import image_bytes, parse_request
from ingest.scans.images import FORMATS

bp = Blueprint("iiif", __name__, url_prefix="/iiif")
IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"


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
    p = get_page(obj, page)
    sizes = [{"width": max(1, p.width // f), "height": max(1, p.height // f)} for f in (16, 8, 4, 2, 1)
             if p.width // f >= 64]
    body = {"@context": IMAGE_CONTEXT, "id": _service_id(obj, page), "type": "ImageService3",
            "protocol": "http://iiif.io/api/image", "profile": "level1", "width": p.width, "height": p.height,
            "sizes": sizes, "tiles": [{"width": 512, "scaleFactors": [1, 2, 4, 8, 16]}],
            "extraQualities": ["gray", "color"], "extraFormats": ["png", "webp"]}
    if obj.licence in LICENCE_URLS:
        body["rights"] = LICENCE_URLS[obj.licence]
    response = jsonify(body)
    response.mimetype = "application/ld+json"
    response.headers["Content-Type"] = f'application/ld+json;profile="{IMAGE_CONTEXT}"'
    return _cache_headers(response, obj, f"info-{obj.id}-{page}-{p.width}x{p.height}-{obj.licence}")


@bp.get("/<int:object_id>/<int:page>/<region>/<size>/<rotation>/<quality_format>")
def image(object_id: int, page: int, region: str, size: str, rotation: str, quality_format: str):
    obj = get_object(get_session(), object_id)
    p = get_page(obj, page)
    wanted = parse_request(region, size, rotation, quality_format, p.width, p.height)
    require_image(obj, viewer(), whole_page=wanted.region == (0, 0, p.width, p.height), size=wanted.size)
    stamp = int(p.updated_at.timestamp()) if p.updated_at else 0
    data_dir = Path(current_app.config["DATA_DIR"])
    path = image_bytes(data_dir, p.image_path, f"{obj.id}/{page}-{Path(p.image_path).stem}", wanted)
    response = send_file(path, mimetype=FORMATS[wanted.format][1], conditional=False, max_age=86400)
    response.headers["Link"] = f'<{IMAGE_CONTEXT}>;rel="profile"'
    return _cache_headers(response, obj, f"{obj.id}-{page}-{stamp}-{wanted.canonical}")


@bp.get("/<int:object_id>/manifest")
def manifest(object_id: int):
    obj = get_object(get_session(), object_id)
    check_read(obj)
    response = jsonify(manifest_of(obj))
    response.headers["Content-Type"] = f'application/ld+json;profile="{PRESENTATION_CONTEXT}"'
    return _cache_headers(response, obj, f"manifest-{obj.id}-{int(obj.updated_at.timestamp())}-{obj.page_count}")


def _label(text: str) -> dict:
    return {"vi": [text], "en": [text]}


def manifest_of(obj: DigitalObject) -> dict:
    """The Presentation 3.0 manifest: one Canvas per page painted with its image and image service."""
    record = obj.record
    base_url = url_for("iiif.manifest", object_id=obj.id, _external=True).rsplit("/", 1)[0]
    canvases = []
    for page in obj.pages:
        canvas_id = f"{base_url}/canvas/{page.number}"
        service = _service_id(obj, page.number)
        canvases.append({
            "id": canvas_id, "type": "Canvas", "label": {"none": [str(page.number)]},
            "width": page.width, "height": page.height,
            "thumbnail": [{"id": f"{service}/full/200,/0/default.jpg", "type": "Image", "format": "image/jpeg"}],
            "items": [{"id": f"{canvas_id}/page", "type": "AnnotationPage", "items": [{
                "id": f"{canvas_id}/page/image", "type": "Annotation", "motivation": "painting", "target": canvas_id,
                "body": {"id": f"{service}/full/max/0/default.jpg", "type": "Image", "format": "image/jpeg",
                         "width": page.width, "height": page.height,
                         "service": [{"id": service, "type": "ImageService3", "profile": "level1"}]},
            }]}],
        })
    metadata = [{"label": {"vi": ["Tác giả"], "en": ["Author"]}, "value": {"none": [a]}} for a in record.authors]
    if record.year:
        metadata.append({"label": {"vi": ["Năm"], "en": ["Year"]}, "value": {"none": [str(record.year)]}})
    body = {
        "@context": PRESENTATION_CONTEXT, "id": f"{base_url}/manifest", "type": "Manifest",
        "label": _label(obj.label or record.title), "metadata": metadata,
        "summary": _label(record.summary) if record.summary else None,
        "requiredStatement": {"label": {"vi": ["Giấy phép"], "en": ["Licence"]}, "value": {"none": [obj.licence]}},
        "viewingDirection": "left-to-right", "behavior": ["paged"],
        "homepage": [{"id": url_for("digital.read", object_id=obj.id, number=1, _external=True), "type": "Text",
                      "label": _label(record.title), "format": "text/html"}],
        "items": canvases,
    }
    if obj.licence in LICENCE_URLS:
        body["rights"] = LICENCE_URLS[obj.licence]
    if obj.pages:
        body["thumbnail"] = canvases[0]["thumbnail"]
    return {k: v for k, v in body.items() if v is not None}
