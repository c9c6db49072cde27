"""Light pages on a slow link: static files under content-hashed names cached for a year, text
responses gzipped, and a favicon (a 404 on every first visit otherwise).

`static_url('style.css')` gives `/static/style.<hash>.css`. A hashed name is immutable: the file's
content names it, so a browser keeps it a year and never asks again (on a 400 ms round trip a
revalidation per file per page was most of a page's wait). The plain name still works (with a
revalidation), and an old hash after a deployment gets today's file, not a 404."""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from pathlib import Path

from flask import Flask, Response, abort, current_app, request, url_for

HASH_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{%d})(?P<suffix>\.[A-Za-z0-9]+)$" % HASH_LENGTH)
COMPRESSIBLE = ("text/", "application/json", "application/ld+json", "application/javascript",
                "application/xml", "application/atom+xml", "application/opensearchdescription+xml",
                "image/svg+xml")
MIN_COMPRESS_BYTES = 512


def _static_root() -> Path:
    return Path(current_app.static_folder or "")


def _file_digest(path: Path) -> str:
    """The content hash of a static file, remembered per app (files change only with a deployment)."""
    digests: dict = current_app.extensions.setdefault("static_digests", {})
    key = str(path)
    if key not in digests or current_app.debug:
        digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
    return digests[key]


def _hashed_name(filename: str) -> str:
    """The file's content-hashed name, or the name itself when it is no static file."""
    path = (_static_root() / filename).resolve()
    if not path.is_file() or _static_root().resolve() not in path.parents:
        return filename
    stem, dot, suffix = filename.rpartition(".")
    if not dot:
        return filename
    return f"{stem}.{_file_digest(path)}.{suffix}"


def static_url(filename: str) -> str:
    """The URL of a static file under its content-hashed name (`reader.3f2a…b9.js`). The name is
    remembered per app like the digest (every page asks for the same few files: resolving their
    paths each time was 4% of a record page)."""
    names: dict = current_app.extensions.setdefault("static_names", {})
    if filename not in names or current_app.debug:
        names[filename] = _hashed_name(filename)
    return url_for("static", filename=names[filename])


def _file_response(path: Path, cache_control: str, etag: str) -> Response:
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = Response(path.read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = cache_control
    response.set_etag(etag)
    return response.make_conditional(request)


def send_static(filename: str) -> Response:
    """The static view: a hashed name is served immutable; a plain name as Flask does."""
    match = _HASHED.match(filename)
    if match is None:
        return current_app.send_static_file(filename)
    plain = match.group("stem") + match.group("suffix")
    root = _static_root().resolve()
    path = (root / plain).resolve()
    if root not in path.parents or not path.is_file():
        abort(404)
    digest = _file_digest(path)
    if digest != match.group("digest"):  # an old page after a deployment: today's file, revalidated
        return _file_response(path, "no-cache", digest)
    return _file_response(path, IMMUTABLE, digest)


def favicon() -> Response:
    """/favicon.ico, which browsers ask for on their own."""
    path = _static_root() / "favicon.ico"
    return _file_response(path, "public, max-age=604800", _file_digest(path))


def _accepts_gzip() -> bool:
    return any(part.split(";")[0].strip() in ("gzip", "*")
               and not part.replace(" ", "").endswith(";q=0")
               for part in request.headers.get("Accept-Encoding", "").split(","))


def compress(response: Response) -> Response:
    """Gzip a text response the client accepts gzip for (a 17 KB results page becomes about 3 KB)."""
    if (response.direct_passthrough or response.is_streamed or response.status_code < 200
            or response.status_code in (204, 304) or "Content-Encoding" in response.headers
            or not (response.mimetype or "").startswith(COMPRESSIBLE) or request.method == "HEAD"):
        return response
    response.vary.add("Accept-Encoding")
    if not _accepts_gzip():
        return response
    body = response.get_data()
    if len(body) < MIN_COMPRESS_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:  # other bytes than the plain ones: a weak tag (If-None-Match still matches)
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    """Serve static files through send_static, add /favicon.ico, compress text responses."""
    app.view_functions["static"] = send_static
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(compress)
