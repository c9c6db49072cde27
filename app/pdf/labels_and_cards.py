"""PDFs printed by staff: spine and barcode labels for copies, and reader cards (reportlab,
Code 128 barcodes, DejaVu Sans for Vietnamese text: app/static/fonts)."""
from __future__ import annotations

import io
from pathlib import Path

from flask import current_app
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from catalog.copies.items import Item
from catalog.accounts.users import User

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
# Barcode labels: 3 x 8 on A4 (70 x 37 mm, common label sheets); spine labels: 5 x 10 (38 x 27 mm).
BARCODE_GRID = (3, 8, 70 * mm, 37 * mm)
SPINE_GRID = (5, 10, 38 * mm, 27 * mm)
CARD_SIZE = (85.6 * mm, 54 * mm)


def _fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(current_app.static_folder or "") / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))


def _fit(text: str, font: str, size: float, width: float) -> str:
    """The text cut (with …) to fit the width."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if pdfmetrics.stringWidth(candidate, font, size) <= width or not line:
            line = candidate
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    if len(out) > max_lines:
        out = out[:max_lines]
        out[-1] = _fit(out[-1] + " …", font, size, width)
    return [_fit(part, font, size, width) for part in out]


def _barcode(canvas: Canvas, value: str, x: float, y: float, width: float, height: float) -> None:
    """A Code 128 barcode centred in the box, narrowed to fit, with its text on a line of its own
    under the bars (reportlab's own human-readable line overlaps the bars' foot)."""
    text_size, gap = 8, 1.2 * mm
    text_top = y + text_size * 0.75  # cap height of DejaVu Sans: digits and capitals
    bar_height = height - (text_top - y) - gap
    bar_width = 0.33 * mm
    symbol = Code128(value, barHeight=bar_height, barWidth=bar_width, humanReadable=False)
    while symbol.width > width and bar_width > 0.15 * mm:
        bar_width -= 0.02 * mm
        symbol = Code128(value, barHeight=bar_height, barWidth=bar_width, humanReadable=False)
    symbol.drawOn(canvas, x + (width - symbol.width) / 2, text_top + gap)
    canvas.setFont(FONT, text_size)
    canvas.drawCentredString(x + width / 2, y, _fit(value, FONT, text_size, width))


def _cells(canvas: Canvas, count: int, grid: tuple[int, int, float, float]):
    """Yield the lower-left corner of each label, starting a page when one is full."""
    cols, rows, width, height = grid
    left = (A4[0] - cols * width) / 2
    top = A4[1] - (A4[1] - rows * height) / 2
    for n in range(count):
        if n and n % (cols * rows) == 0:
            canvas.showPage()
        cell = n % (cols * rows)
        yield left + (cell % cols) * width, top - (cell // cols + 1) * height


def labels_pdf(items: list[Item], *, kind: str = "both") -> io.BytesIO:
    """Barcode labels (library, title, Code 128, call number) and/or spine labels (call number)."""
    _fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle("Nhãn sách / Book labels")
    if kind in ("barcode", "both"):
        cols, rows, width, height = BARCODE_GRID
        for item, (x, y) in zip(items, _cells(canvas, len(items), BARCODE_GRID)):
            pad = 3 * mm
            canvas.setFont(FONT, 6.5)
            canvas.drawString(x + pad, y + height - pad - 5, _fit(item.home_library.name, FONT, 6.5, width - 2 * pad))
            canvas.setFont(FONT, 8)
            for n, line in enumerate(_wrap(item.record.title, FONT, 8, width - 2 * pad, 2)):
                canvas.drawString(x + pad, y + height - pad - 15 - n * 9, line)
            _barcode(canvas, item.barcode, x + pad, y + 7.5 * mm, width - 2 * pad, 12 * mm)
            canvas.setFont(BOLD, 8.5)
            canvas.drawString(x + pad, y + pad, _fit(item.call_number or item.record.call_number, BOLD, 8.5,
                                                     width - 2 * pad))
        if kind == "both":
            canvas.showPage()
    if kind in ("spine", "both"):
        cols, rows, width, height = SPINE_GRID
        for item, (x, y) in zip(items, _cells(canvas, len(items), SPINE_GRID)):
            parts = (item.call_number or item.record.call_number or item.barcode).split()
            canvas.setFont(BOLD, 11)
            for n, part in enumerate(parts[:3]):
                canvas.drawCentredString(x + width / 2, y + height - 9 * mm - n * 13,
                                         _fit(part, BOLD, 11, width - 4 * mm))
            canvas.setFont(FONT, 6.5)
            canvas.drawCentredString(x + width / 2, y + 2.5 * mm, f"{item.home_library.code} · {item.barcode}")
    canvas.showPage()
    canvas.save()
    out.seek(0)
    return out


def card_pdf(reader: User) -> io.BytesIO:
    """A reader card the size of a bank card: library, name, card number as Code 128."""
    _fonts()
    out = io.BytesIO()
    width, height = CARD_SIZE
    canvas = Canvas(out, pagesize=CARD_SIZE)
    canvas.setTitle("Thẻ bạn đọc / Reader card")
    pad = 4 * mm
    canvas.setFont(BOLD, 9)
    canvas.drawString(pad, height - pad - 7, "THẺ BẠN ĐỌC · READER CARD")
    canvas.setFont(FONT, 6.5)
    library = reader.library.name if reader.library else ""
    canvas.drawString(pad, height - pad - 16, _fit(library, FONT, 6.5, width - 2 * pad))
    canvas.setFont(BOLD, 11)
    canvas.drawString(pad, height - pad - 31, _fit(reader.display_name, BOLD, 11, width - 2 * pad))
    _barcode(canvas, reader.card_barcode or reader.username, pad, pad + 1 * mm, width - 2 * pad, 15 * mm)
    canvas.showPage()
    canvas.save()
    out.seek(0)
    return out
