"""Small page images and PDFs made in the tests (Pillow draws text, reportlab writes PDFs)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
FONT_PLACES = [ROOT / "app/static/fonts/DejaVuSans.ttf", Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]


def font_path() -> Path:
    for path in FONT_PLACES:
        if path.exists():
            return path
    pytest.skip("DejaVuSans.ttf is not available")


def text_image(lines: list[str], size: tuple[int, int] = (900, 500), mode: str = "L", font_size: int = 40) -> Image.Image:
    """A clean page with these lines of text (black on white), easy for tesseract."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path()), font_size)
    for index, line in enumerate(lines):
        draw.text((40, 40 + index * int(font_size * 1.6)), line, fill=0, font=font)
    if mode == "1":
        return image.point(lambda v: 255 if v > 128 else 0).convert("1")
    return image.convert(mode) if mode != "L" else image


def plain_image(number: int, size: tuple[int, int] = (300, 400), colour: tuple = (200, 30, 30)) -> Image.Image:
    """A small coloured page with its number drawn on it."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, size[0] - 20, 60), fill=colour)
    draw.text((30, 100), f"page {number}", fill=(0, 0, 0))
    return image


def text_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A born-digital PDF with a real text layer (DejaVu, so Vietnamese marks are kept)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("ScanTestSans", str(font_path())))
    pdf = canvas.Canvas(str(path), pagesize=(400, 300))
    for lines in pages:
        pdf.setFont("ScanTestSans", 18)
        for index, line in enumerate(lines):
            pdf.drawString(30, 250 - index * 30, line)
        pdf.showPage()
    pdf.save()
    return path


def image_pdf(path: Path, images: list[Image.Image]) -> Path:
    """An image-only PDF (a scan): no text layer."""
    rgb = [image.convert("RGB") for image in images]
    rgb[0].save(path, "PDF", save_all=True, append_images=rgb[1:], resolution=100)
    return path


def encrypted_pdf(path: Path) -> Path:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    pdf.drawString(100, 700, "secret page")
    pdf.save()
    return path


def png_bomb(path: Path, width: int = 20000, height: int = 15000) -> Path:
    """A tiny PNG whose header claims width × height pixels (300 megapixels by default)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1000)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path


def zip_with(path: Path, members: dict[str, bytes], symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, target)
    return path


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()
