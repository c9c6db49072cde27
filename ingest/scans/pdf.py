"""PDF pages with pypdfium2: rendered to page images, and the text layer (with word boxes) where
the PDF has one, so such pages need no OCR."""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Iterator

import pypdfium2 as pdfium
from PIL import Image

from catalog.errors import N_
from ingest.scans.errors import ScanError
from ingest.scans.images import is_blank, normalise
from ingest.scans.limits import Limits

MIN_TEXT_CHARS = 10  # fewer non-space characters than this is not a usable text layer


@dataclasses.dataclass
class PdfPage:
    label: str
    image: Image.Image
    dpi: int
    text: str = ""
    words: list[list] = dataclasses.field(default_factory=list)


def open_pdf(path: Path, display: str, limits: Limits) -> pdfium.PdfDocument:
    """The document, or ScanError for an invalid, encrypted, empty or oversized PDF."""
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ScanError(N_("{file}: the PDF is encrypted (password protected); remove the password and "
                               "upload it again."), file=display) from exc
        raise ScanError(N_("{file}: not a valid PDF ({reason})."), file=display, reason=str(exc)) from exc
    if len(document) == 0:
        document.close()
        raise ScanError(N_("{file}: the PDF has no pages."), file=display)
    if len(document) > limits.max_pages:
        count = len(document)
        document.close()
        raise ScanError(N_("{file}: {count} pages is more than the limit of {limit} (LIBRARY_MAX_SCAN_PAGES)."),
                        file=display, count=count, limit=limits.max_pages)
    return document


def render_dpi(width_pt: float, height_pt: float, limits: Limits) -> int:
    """The configured dpi, lowered so the page fits the render limit (0 when even the minimum is too big)."""
    area_in = max(width_pt / 72, 0.01) * max(height_pt / 72, 0.01)
    fitting = int(math.sqrt(limits.pdf_max_render_pixels / area_in))
    dpi = min(limits.pdf_dpi, fitting)
    return dpi if dpi >= limits.pdf_min_dpi else 0


def read_pages(path: Path, display: str, limits: Limits) -> Iterator[PdfPage | ScanError]:
    """Each page rendered (and its text layer), or the error that page met."""
    document = open_pdf(path, display, limits)
    try:
        count = len(document)
        for index in range(count):
            label = f"{display} [{index + 1}/{count}]" if count > 1 else display
            try:
                yield _read_page(document[index], label, limits)
            except pdfium.PdfiumError as exc:
                yield ScanError(N_("{file}: the page cannot be rendered ({reason})."), file=label, reason=str(exc))
    finally:
        document.close()


def _read_page(page: pdfium.PdfPage, label: str, limits: Limits) -> PdfPage | ScanError:
    width_pt, height_pt = page.get_size()
    dpi = render_dpi(width_pt, height_pt, limits)
    if not dpi:
        return ScanError(N_("{file}: the page is {width}×{height} inches, too large to render even at "
                            "{dpi} dpi (LIBRARY_PDF_MAX_RENDER_PIXELS); refused."),
                         file=label, width=round(width_pt / 72), height=round(height_pt / 72), dpi=limits.pdf_min_dpi)
    scale = dpi / 72
    image = normalise(page.render(scale=scale).to_pil())
    text, words = _text_layer(page, scale, height_pt)
    if not text and is_blank(image):
        return ScanError(N_("{file}: the page is blank (no content); skipped."), file=label)
    return PdfPage(label, image, dpi, text, words)


def _text_layer(page: pdfium.PdfPage, scale: float, height_pt: float) -> tuple[str, list[list]]:
    """The page text and word boxes in rendered-image pixels ([word, x, y, w, h])."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count <= 0:
            return "", []
        text = textpage.get_text_range(0, count)
        if sum(1 for ch in text if not ch.isspace()) < MIN_TEXT_CHARS:
            return "", []
        chars = text if len(text) == count else [textpage.get_text_range(i, 1) or " " for i in range(count)]
        words, current, box = [], [], None
        for index, ch in enumerate(chars):
            if ch.isspace() or not ch:
                if current:
                    words.append(_word(current, box, scale, height_pt))
                current, box = [], None
                continue
            left, bottom, right, top = textpage.get_charbox(index)
            box = (left, bottom, right, top) if box is None else (
                min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top))
            current.append(ch)
        if current:
            words.append(_word(current, box, scale, height_pt))
        lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        return "\n".join(line for line in lines if line), words
    finally:
        textpage.close()


def _word(chars: list[str], box: tuple, scale: float, height_pt: float) -> list:
    left, bottom, right, top = box
    return ["".join(chars), round(left * scale), round((height_pt - top) * scale),
            max(1, round((right - left) * scale)), max(1, round((top - bottom) * scale))]
