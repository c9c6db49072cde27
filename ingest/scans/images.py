"""Page images with Pillow: safe opening, normalised masters, cached derivatives.

Masters are 8-bit grey (PNG) or RGB (JPEG), upright (EXIF orientation applied). 16-bit, CMYK,
palette, alpha and bilevel pages are converted; sizes are checked before any pixel is decoded.
"""
from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Iterator

from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

from catalog.errors import N_
from ingest.scans.errors import ScanError
from ingest.scans.limits import Limits

FORMATS = {"jpg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png"), "webp": ("WEBP", "image/webp")}
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError, UnidentifiedImageError,
                 MemoryError)


def _open(path: Path, display: str, limits: Limits) -> Image.Image:
    with warnings.catch_warnings():
        # We check the size ourselves against our own limit (below), before decoding pixels.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except Image.DecompressionBombError as exc:
            raise ScanError(N_("{file}: the image declares a gigantic size (a decompression bomb?); refused."),
                            file=display) from exc
        except DECODE_ERRORS as exc:
            raise ScanError(N_("{file}: not a readable image ({reason})."), file=display, reason=str(exc)) from exc
    try:
        _check_size(image, display, limits)
    except ScanError:
        image.close()
        raise
    return image


def _check_size(image: Image.Image, display: str, limits: Limits) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise ScanError(N_("{file}: the image has no pixels."), file=display)
    if width * height > limits.max_page_pixels:
        raise ScanError(N_("{file}: {width}×{height} pixels ({megapixels} megapixels) is above the limit of "
                           "{limit} megapixels (LIBRARY_MAX_PAGE_PIXELS); refused."),
                        file=display, width=width, height=height, megapixels=round(width * height / 1e6),
                        limit=round(limits.max_page_pixels / 1e6))


def frame_count(path: Path, display: str, limits: Limits) -> int:
    """How many pages an image file holds (multi-page TIFF), checking it opens."""
    with _open(path, display, limits) as image:
        return getattr(image, "n_frames", 1)


def read_frames(path: Path, display: str, limits: Limits) -> Iterator[tuple[str, Image.Image | ScanError]]:
    """Each page of an image file, normalised, or the error that page met (other pages go on)."""
    image = _open(path, display, limits)
    with image:
        count = getattr(image, "n_frames", 1)
        for index in range(count):
            label = display if count == 1 else f"{display} [{index + 1}/{count}]"
            try:
                image.seek(index)
                _check_size(image, label, limits)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                    image.load()
                    yield label, normalise(image)
            except ScanError as exc:
                yield label, exc
            except DECODE_ERRORS as exc:
                yield label, ScanError(N_("{file}: the image is damaged or truncated ({reason})."),
                                       file=label, reason=str(exc) or type(exc).__name__)


def normalise(image: Image.Image) -> Image.Image:
    """Upright 8-bit L or RGB: EXIF orientation, 16-bit scaled, CMYK/palette/alpha/bilevel converted."""
    image = ImageOps.exif_transpose(image) or image
    mode = image.mode
    if mode == "1":
        return image.convert("L")
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        as_int = image if mode == "I" else image.convert("I")
        low, high = as_int.getextrema()
        scale = 255 / (high - low) if high > low else 1
        return as_int.point(lambda v: (v - low) * scale).convert("L")
    if mode == "F":
        return image.convert("L")
    if mode in ("P", "PA"):
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "La", "RGBa"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = background
    elif mode != "L":
        image = image.convert("RGB")
    if image.mode == "RGB" and is_grey(image):
        return image.convert("L")
    return image


def is_grey(image: Image.Image) -> bool:
    """True when an RGB image has (almost) no colour (bilevel or grey scans rendered as RGB)."""
    small = image.copy()
    small.thumbnail((256, 256))
    r, g, b = small.split()
    return max(ImageChops.difference(r, g).getextrema()[1], ImageChops.difference(g, b).getextrema()[1]) <= 8


def is_blank(image: Image.Image) -> bool:
    """True when a page holds nothing but (near-)white."""
    low, _high = image.convert("L").getextrema()
    return low >= 245


def save_master(image: Image.Image, data_dir: Path, relative_stem: str) -> tuple[str, int, int]:
    """Write the master (PNG for grey, JPEG for colour) under data_dir; return its relative path and size."""
    suffix, fmt, options = (".png", "PNG", {"compress_level": 6}) if image.mode == "L" else \
        (".jpg", "JPEG", {"quality": 90, "optimize": True})
    relative = f"{relative_stem}{suffix}"
    target = safe_join(data_dir, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(target.suffix + ".part")
    image.save(temporary, fmt, **options)
    os.replace(temporary, target)
    return relative, image.width, image.height


def safe_join(data_dir: Path, relative: str) -> Path:
    """data_dir/relative, refusing anything that would land outside data_dir."""
    root = Path(data_dir).resolve()
    target = (root / relative).resolve()
    if root != target and root not in target.parents:
        raise ScanError(N_("{file}: a path outside the data directory; refused."), file=relative)
    return target


def open_master(data_dir: Path, relative: str) -> Image.Image:
    """The stored master of a page (already checked at ingest)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(safe_join(data_dir, relative))
        image.load()
    return image


def encode(image: Image.Image, fmt: str) -> bytes:
    """The image as jpg, png or webp bytes."""
    name, _mime = FORMATS[fmt]
    if name == "JPEG" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    out = io.BytesIO()
    options = {"quality": 82, "optimize": True} if name == "JPEG" else ({"quality": 80} if name == "WEBP" else {})
    image.save(out, name, **options)
    return out.getvalue()


def images_to_pdf(paths: list[Path], resolution: int = 150) -> bytes:
    """A PDF with one page per image (for downloading an image set as one file), page by page:
    JPEG masters go in as they are, PNG ones are decoded one at a time (never the whole book)."""
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    pdf = Canvas(out, pageCompression=1)
    for path in paths:
        with Image.open(path) as page:
            width, height = page.size
        size = (width * 72 / resolution, height * 72 / resolution)
        pdf.setPageSize(size)
        pdf.drawImage(str(path), 0, 0, *size)
        pdf.showPage()
    pdf.save()
    return out.getvalue()
