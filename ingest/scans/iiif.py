"""IIIF Image API 3.0, level 1 (+ gray, png, webp): parameter parsing and rendering with Pillow.

parse_request() turns the URL parts into pixel numbers or raises IiifError (400) saying which
parameter is wrong; render() produces the bytes, cached once per canonical request.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from PIL import Image

from catalog.errors import N_
from ingest.scans.errors import IiifError
from ingest.scans.images import FORMATS, cached, encode, open_master

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


def parse_size(size: str, region_w: int, region_h: int) -> tuple[int, int]:
    """max | w, | ,h | w,h | !w,h | pct:n -> output pixels (no upscaling: level 1 has no ^)."""
    if size.startswith("^"):
        raise IiifError(N_("IIIF size “{value}”: upscaling (^) is not supported."), value=size, field="size")
    if size == "max":
        w, h = region_w, region_h
    elif match := re.fullmatch(rf"pct:({_NUMBER})", size):
        factor = float(match.group(1)) / 100
        w, h = round(region_w * factor), round(region_h * factor)
    elif match := re.fullmatch(r"(!)?(\d*),(\d*)", size):
        best, ws, hs = match.groups()
        if not ws and not hs or best and not (ws and hs):
            raise IiifError(N_("IIIF size “{value}” needs a width, a height or both."), value=size, field="size")
        if best:
            scale = min(1, int(ws) / region_w, int(hs) / region_h)
            w, h = round(region_w * scale), round(region_h * scale)
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
    if w * h > MAX_OUTPUT_PIXELS:
        raise IiifError(N_("IIIF size “{value}” is too large; ask for at most {limit} megapixels."),
                        value=size, limit=MAX_OUTPUT_PIXELS // 1_000_000, field="size")
    return max(1, w), max(1, h)


def parse_rotation(rotation: str) -> int:
    if rotation not in ("0", "90", "180", "270"):
        raise IiifError(N_("IIIF rotation “{value}”: only 0, 90, 180 and 270 are supported."),
                        value=rotation, field="rotation")
    return int(rotation)


def parse_request(region: str, size: str, rotation: str, quality_format: str, width: int, height: int) -> ImageRequest:
    """The four URL parts of an image request, checked against the page size."""
    quality, _, fmt = quality_format.rpartition(".")
    if quality not in QUALITIES:
        raise IiifError(N_("IIIF quality “{value}”: use default, color or gray."), value=quality, field="quality")
    if fmt not in FORMATS:
        raise IiifError(N_("IIIF format “{value}”: use jpg, png or webp."), value=fmt, field="format")
    x, y, w, h = parse_region(region, width, height)
    return ImageRequest((x, y, w, h), parse_size(size, w, h), parse_rotation(rotation),
                        "default" if quality == "color" else quality, fmt)


def render(image: Image.Image, request: ImageRequest) -> Image.Image:
    """Crop, scale, rotate (clockwise, as IIIF says) and convert one image."""
    x, y, w, h = request.region
    if (x, y, w, h) != (0, 0, image.width, image.height):
        image = image.crop((x, y, x + w, y + h))
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


def image_bytes(data_dir: Path, master: str, cache_key: str, request: ImageRequest) -> Path:
    """The file holding this request's image, rendered once and cached under data_dir/derivatives."""
    relative = f"derivatives/{cache_key}/{request.canonical.replace('/', '_')}"

    def produce() -> bytes:
        with open_master(data_dir, master) as image:
            return encode(render(image, request), request.format)

    return cached(data_dir, relative, produce)
