"""The IIIF Presentation 3.0 manifest of a digital object. Catalogue strings go in as plain text
(tags removed: a viewer that renders HTML in a label must not run a record's <script>), and a
link taken from catalogue data is kept only when it is http or https."""
from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from flask import url_for
from flask_babel import force_locale

from app.display.labels import label
from catalog.digital.models import LICENCE_URLS, DigitalObject
from ingest.scans.iiif import largest_size

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
_TAG = re.compile(r"<[^>]*>?")


def plain(text: str) -> str:
    """Catalogue text as plain text: tags removed, entities decoded, no angle brackets left."""
    text = html.unescape(_TAG.sub("", str(text or "")))
    return _TAG.sub("", text).replace("<", "‹").replace(">", "›").strip()


def web_link(url: str) -> str | None:
    """The URL when it is http(s) with a host; None for javascript:, data:, file: and the like."""
    parts = urlsplit(str(url or "").strip())
    return parts.geturl() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _licence_words(code: str) -> dict:
    """The licence in Vietnamese and English (a viewer shows the reader's language)."""
    words = {}
    for language in ("vi", "en"):
        with force_locale(language):
            words[language] = [label("licence", code)]
    return words


def _label(text: str) -> dict:
    value = plain(text)
    return {"vi": [value], "en": [value]}


def _entry(label_vi: str, label_en: str, value: str) -> dict:
    return {"label": {"vi": [label_vi], "en": [label_en]}, "value": {"none": [plain(value)]}}


def _canvas(obj: DigitalObject, page, base_url: str, max_area: int) -> dict:
    canvas_id = f"{base_url}/canvas/{page.number}"
    service = url_for("iiif.info", object_id=obj.id, page=page.number, _external=True).rsplit("/", 1)[0]
    # The painted image is the largest the image service gives (maxArea), not a size it refuses.
    width, height = largest_size(page.width, page.height, max_area)
    size = "max" if (width, height) == (page.width, page.height) else f"{width},{height}"
    return {
        "id": canvas_id, "type": "Canvas", "label": {"none": [str(page.number)]},
        "width": page.width, "height": page.height,
        "thumbnail": [{"id": f"{service}/full/200,/0/default.jpg", "type": "Image", "format": "image/jpeg"}],
        "items": [{"id": f"{canvas_id}/page", "type": "AnnotationPage", "items": [{
            "id": f"{canvas_id}/page/image", "type": "Annotation", "motivation": "painting", "target": canvas_id,
            "body": {"id": f"{service}/full/{size}/0/default.jpg", "type": "Image", "format": "image/jpeg",
                     "width": width, "height": height,
                     "service": [{"id": service, "type": "ImageService3", "profile": "level1"}]},
        }]}],
    }


def _links(record) -> list[dict]:
    """The record's own links (856 and the like), http(s) only, as seeAlso-style homepages."""
    out = []
    for link in getattr(record, "links", None) or []:
        url = web_link(link.get("url") if isinstance(link, dict) else getattr(link, "url", ""))
        if url:
            text = link.get("text") if isinstance(link, dict) else getattr(link, "text", "")
            out.append({"id": url, "type": "Text", "label": _label(text or url), "format": "text/html"})
    return out


def manifest_of(obj: DigitalObject, max_area: int) -> dict:
    """The Presentation 3.0 manifest: one Canvas per page painted with its image and image service."""
    record = obj.record
    base_url = url_for("iiif.manifest", object_id=obj.id, _external=True).rsplit("/", 1)[0]
    canvases = [_canvas(obj, page, base_url, max_area) for page in obj.pages]
    metadata = [_entry("Tác giả", "Author", a) for a in record.authors]
    if record.year:
        metadata.append(_entry("Năm", "Year", str(record.year)))
    homepage = [{"id": url_for("digital.read", object_id=obj.id, number=1, _external=True), "type": "Text",
                 "label": _label(record.title), "format": "text/html"}, *_links(record)]
    body = {
        "@context": PRESENTATION_CONTEXT, "id": f"{base_url}/manifest", "type": "Manifest",
        "label": _label(obj.label or record.title), "metadata": metadata,
        "summary": _label(record.summary) if record.summary else None,
        "requiredStatement": {"label": {"vi": ["Giấy phép"], "en": ["Licence"]}, "value": _licence_words(obj.licence)},
        "rights": LICENCE_URLS.get(obj.licence),
        "viewingDirection": "left-to-right", "behavior": ["paged"], "homepage": homepage, "items": canvases,
        "thumbnail": canvases[0]["thumbnail"] if canvases else None,
    }
    return {k: v for k, v in body.items() if v is not None}
