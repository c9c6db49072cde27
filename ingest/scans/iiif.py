"""IIIF Image API 3.0, level 1 (+ gray, png, webp): parameter parsing and rendering with Pillow.

parse_request() turns the URL parts into pixel numbers or raises IiifError (400) saying which
parameter is wrong; render_page() produces the bytes from the page's pyramid (ingest/scans/pyramid).
"""
from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

from PIL import Image

from catalog.errors import N_
from ingest.scans.cache import DerivativeCache
from ingest.scans.errors import IiifError
from ingest.scans.images import FORMATS, encode, open_master
from ingest.scans.pyramid import ensure_pyramid, read_region

QUALITIES = ("default", "color", "gray")
MAX_OUTPUT_PIXELS = 25_000_000
_NUMBER = r"\d+(?:\.\d+)?"


@dataclasses.dataclass(frozen=True)
class ImageRequest:
    region: tuple[int, int, int, int]  # x, y, w, h in page pixels
    size: tuple[int, int]
    rotation: int
    quality: str
    format: str

    @property
    def canonical(self) -> str:
        x, y, w, h = self.region
        return f"{x},{y},{w},{h}/{self.size[0]},{self.size[1]}/{self.rotation}/{self.quality}.{self.format}"


def parse_region(region: str, width: int, height: int) -> tuple[int, int, int, int]:
    """full | square | x,y,w,h | pct:x,y,w,h -> pixels, clipped to the image."""
    if region == "full":
        return 0, 0, width, height
    if region == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    match = re.fullmatch(rf"(pct:)?({_NUMBER}),({_NUMBER}),({_NUMBER}),({_NUMBER})", region)
    if not match:
        raise IiifError(N_("IIIF region “{value}” is not full, square, x,y,w,h or pct:x,y,w,h."), value=region,
                        field="region")
    values = [float(v) for v in match.groups()[1:]]
    if match.group(1):
        values = [values[0] * width / 100, values[1] * height / 100, values[2] * width / 100, values[3] * height / 100]
    elif any(v != int(v) for v in values):
        raise IiifError(N_("IIIF region “{value}”: pixel values must be whole numbers."), value=region, field="region")
    x, y, w, h = (round(v) for v in values)
    if w <= 0 or h <= 0 or x >= width or y >= height:
        raise IiifError(N_("IIIF region “{value}” is empty or outside the {width}×{height} image."),
                        value=region, width=width, height=height, field="region")
    return x, y, min(w, width - x), min(h, height - y)


def _within_area(w: int, h: int, max_area: int) -> tuple[int, int]:
    """(w, h) scaled down, keeping the aspect ratio, to at most max_area pixels."""
    if w * h <= max_area:
        return w, h
    scale = math.sqrt(max_area / (w * h))
    w, h = max(1, math.floor(w * scale)), max(1, math.floor(h * scale))
    while w * h > max_area:
        w, h = max(1, w - 1), max(1, h - 1)
    return w, h


def largest_size(width: int, height: int, max_area: int = MAX_OUTPUT_PIXELS) -> tuple[int, int]:
    """What `full/max` answers for a page: its size, or the largest within max_area."""
    return _within_area(width, height, max_area)


def preferred_sizes(width: int, height: int, max_area: int = MAX_OUTPUT_PIXELS) -> list[tuple[int, int]]:
    """The sizes info.json offers (the largest, then halved down to 64 px wide): the reader asks
    for these, so one cached derivative serves every reader of the same screen class."""
    largest = largest_size(width, height, max_area)
    return [(max(1, largest[0] // f), max(1, largest[1] // f)) for f in (16, 8, 4, 2, 1) if largest[0] // f >= 64]


def parse_size(size: str, region_w: int, region_h: int, max_area: int = MAX_OUTPUT_PIXELS) -> tuple[int, int]:
    """max | w, | ,h | w,h | !w,h | pct:n -> output pixels. Level 1 has no ^ (upscaling); max and
    !w,h give the largest size within the region and max_area (info.json's maxArea), the
    others answer 400 beyond them."""
    if size.startswith("^"):
        raise IiifError(N_("IIIF size “{value}”: upscaling (^) is not supported."), value=size, field="size")
    if size == "max":
        w, h = _within_area(region_w, region_h, max_area)
    elif match := re.fullmatch(rf"pct:({_NUMBER})", size):
        factor = float(match.group(1)) / 100
        w, h = round(region_w * factor), round(region_h * factor)
    elif match := re.fullmatch(r"(!)?(\d*),(\d*)", size):
        best, ws, hs = match.groups()
        if not ws and not hs or best and not (ws and hs):
            raise IiifError(N_("IIIF size “{value}” needs a width, a height or both."), value=size, field="size")
        if best:
            scale = min(1, int(ws) / region_w, int(hs) / region_h)
            w, h = _within_area(max(1, math.floor(region_w * scale + 1e-9)),
                                max(1, math.floor(region_h * scale + 1e-9)), max_area)
        elif ws and hs:
            w, h = int(ws), int(hs)
        elif ws:
            w, h = int(ws), round(region_h * int(ws) / region_w)
        else:
            w, h = round(region_w * int(hs) / region_h), int(hs)
    else:
        raise IiifError(N_("IIIF size “{value}” is not max, w,, ,h, w,h, !w,h or pct:n."), value=size, field="size")
    if w > region_w or h > region_h:
        raise IiifError(N_("IIIF size “{value}” is larger than the region ({width}×{height}); upscaling is not "
                           "supported."), value=size, width=region_w, height=region_h, field="size")
    if w < 1 or h < 1:
        raise IiifError(N_("IIIF size “{value}” gives an empty image."), value=size, field="size")
    if w * h > max_area:
        raise IiifError(N_("IIIF size “{value}” is too large; ask for at most {limit} megapixels."),
                        value=size, limit=max_area // 1_000_000, field="size")
    return w, h


def parse_rotation(rotation: str) -> int:
    if rotation not in ("0", "90", "180", "270"):
        raise IiifError(N_("IIIF rotation “{value}”: only 0, 90, 180 and 270 are supported."),
                        value=rotation, field="rotation")
    return int(rotation)


def parse_request(region: str, size: str, rotation: str, quality_format: str, width: int, height: int,
                  max_area: int = MAX_OUTPUT_PIXELS) -> ImageRequest:
    """The four URL parts of an image request, checked against the page size and max_area."""
    quality, _, fmt = quality_format.rpartition(".")
    if quality not in QUALITIES:
        raise IiifError(N_("IIIF quality “{value}”: use default, color or gray."), value=quality, field="quality")
    if fmt not in FORMATS:
        raise IiifError(N_("IIIF format “{value}”: use jpg, png or webp."), value=fmt, field="format")
    x, y, w, h = parse_region(region, width, height)
    return ImageRequest((x, y, w, h), parse_size(size, w, h, max_area), parse_rotation(rotation),
                        "default" if quality == "color" else quality, fmt)


def render(image: Image.Image, request: ImageRequest) -> Image.Image:
    """Crop the whole page to the region, scale, rotate (clockwise, as IIIF says) and convert."""
    x, y, w, h = request.region
    if (x, y, w, h) != (0, 0, image.width, image.height):
        image = image.crop((x, y, x + w, y + h))
    return _finish(image, request)


def _finish(image: Image.Image, request: ImageRequest) -> Image.Image:
    """Scale an image of the region to the requested size, rotate and convert it."""
    if request.size != image.size:
        reduce_by = max(1, min(image.width // request.size[0], image.height // request.size[1]) // 2)
        if reduce_by > 1:
            image = image.reduce(reduce_by)
        image = image.resize(request.size, Image.Resampling.LANCZOS)
    if request.rotation:
        image = image.rotate(-request.rotation, expand=True)
    if request.quality == "gray" and image.mode != "L":
        image = image.convert("L")
    return image


def render_page(data_dir: Path, master: str, request: ImageRequest) -> bytes:
    """The encoded answer, read from the page's pyramid (made now for pages ingested before it
    existed); from the master only when the pyramid cannot be written (read-only data)."""
    if ensure_pyramid(data_dir, master):
        region = read_region(data_dir, master, request.region, request.size)
        return encode(_finish(region, request), request.format)
    with open_master(data_dir, master) as image:
        return encode(render(image, request), request.format)


def page_cache_key(object_id: int, number: int, master: str) -> str:
    """The derivative cache folder of one page's answers (its object, number and master's name)."""
    return f"{object_id}/{number}-{Path(master).stem}"


def cache_path(cache_key: str, request: ImageRequest) -> str:
    """Where this request's answer is cached, relative to the derivative cache."""
    return f"{cache_key}/{request.canonical.replace('/', '_')}"


def prerender(cache: DerivativeCache, data_dir: Path, object_id: int, number: int, master: str, width: int,
              height: int, sizes: list[tuple[int, str]], max_area: int = MAX_OUTPUT_PIXELS) -> int:
    """Render whole-page answers of these (width, format) sizes into the cache now, at ingest, so
    that the first reader's first request for them is served from the cache (on a slow link a
    render on request costs the reader its wait). Sizes cached already are skipped; returns how
    many were rendered. The request is the one the IIIF URL `full/{w},/0/default.{format}` makes."""
    made = 0
    for size_width, fmt in sizes:
        wanted = parse_request("full", f"{size_width},", "0", f"default.{fmt}", width, height, max_area)
        relative = cache_path(page_cache_key(object_id, number, master), wanted)
        handle = cache.open(relative)
        if handle is None:
            handle = cache.get(relative, lambda: render_page(data_dir, master, wanted))
            made += 1
        handle.close()
    return made
