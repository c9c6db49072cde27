"""Staff at work (issue 16): a printed copy label and a reader card scan. Each PDF is rendered to
an image at printer resolution (pypdfium2) and read by a barcode reader (zxing-cpp); the digits
printed under the bars must not touch them."""
from __future__ import annotations

import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import select

from catalog.copies.items import Item
from catalog.accounts.users import find_user
from tests.conftest import login

DPI = 300


def rendered(data: bytes, box_mm: tuple[float, float, float, float] | None = None):
    """The first page as a greyscale image, cropped to (left, top, width, height) in mm."""
    pdf = pypdfium2.PdfDocument(data)
    image = pdf[0].render(scale=DPI / 72).to_pil().convert("L")
    pdf.close()
    if box_mm:
        left, top, width, height = (round(v * DPI / 25.4) for v in box_mm)
        image = image.crop((left, top, left + width, top + height))
    return image


def bar_rows_and_text_rows(image) -> tuple[list[int], list[int]]:
    """Rows crossed by many dark/light edges (the bars) and the other rows with ink (text)."""
    pixels, (width, height) = image.load(), image.size
    bars, inked = [], []
    for y in range(height):
        row = [pixels[x, y] < 128 for x in range(width)]
        edges = sum(a != b for a, b in zip(row, row[1:]))
        (bars if edges >= 50 else inked if any(row) else []).append(y)
    return bars, inked


def scans(image, expected: str) -> None:
    found = [result.text for result in zxingcpp.read_barcodes(image)]
    assert found == [expected]
    bars, inked = bar_rows_and_text_rows(image)
    digits = [y for y in inked if y > bars[-1]]  # the human-readable line under the bars
    assert digits, "no digits under the bars"
    gap_mm = (digits[0] - bars[-1]) * 25.4 / DPI
    assert gap_mm >= 0.5, f"digits {gap_mm:.2f} mm from the bars"


@pytest.mark.parametrize("barcode", ["TTVH000011", "CH-0001-2026"])
def test_a_copy_label_scans_and_its_digits_clear_the_bars(demo, client, session, barcode):
    login(client, "bienmuc")
    item = session.scalars(select(Item).order_by(Item.id)).first()
    if item.barcode != barcode:
        item.barcode = barcode
        session.commit()
    response = client.get(f"/staff/labels.pdf?item={item.id}&kind=barcode")
    assert response.status_code == 200
    # the first label of the 3 x 8 sheet of 70 x 37 mm labels, centred on A4; the barcode band only
    left, top = (210 - 3 * 70) / 2, (297 - 8 * 37) / 2
    scans(rendered(response.data, (left + 2, top + 11, 66, 19.5)), barcode)


def test_a_reader_card_scans_and_its_digits_clear_the_bars(demo, client, session):
    login(client, "admin")
    reader = find_user(session, "bandoc")
    response = client.get(f"/staff/readers/{reader.id}/card.pdf")
    assert response.status_code == 200
    scans(rendered(response.data, (2, 54 - 24, 81.6, 22)), reader.card_barcode)
