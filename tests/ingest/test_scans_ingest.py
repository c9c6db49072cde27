"""Scan ingest through its service: folders, multi-page TIFF, PDFs with and without a text layer,
ZIPs, metadata sidecars, awkward pixel formats, and every kind of bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from catalog.digital.models import DigitalObject, Viewer, search_inside
from catalog.records.models import Record
from ingest.scans.errors import NothingToIngest
from ingest.scans.limits import Limits
from ingest.scans.pipeline import ingest_scans
from ingest.scans.sources import natural_key
from tests.ingest.scan_samples import (encoded, encrypted_pdf, image_pdf, plain_image, png_bomb, text_image,
                                       text_pdf, zip_with)

STAFF = Viewer(is_staff=True)


def ingest(session, path, data_dir, **kwargs):
    report = ingest_scans(session, Path(path), data_dir=data_dir, **kwargs)
    session.commit()
    return report, session.get(DigitalObject, report.object_id)


def messages(report) -> str:
    return "\n".join(p.message for p in report.problems)


def test_natural_order_puts_page2_before_page10():
    names = ["page10.png", "page2.png", "page1.png", "Page3.png"]
    assert sorted(names, key=natural_key) == ["page1.png", "page2.png", "Page3.png", "page10.png"]


def test_a_folder_of_images_becomes_one_object_in_natural_order(session, data_dir, tmp_path):
    folder = tmp_path / "book"
    folder.mkdir()
    for number in (10, 2, 1):
        plain_image(number).save(folder / f"page{number}.jpg", "JPEG")
    report, obj = ingest(session, folder, data_dir)
    assert report.pages == 3 and report.problems == []
    assert [p.source_label.split("/")[-1] for p in obj.pages] == ["page1.jpg", "page2.jpg", "page10.jpg"]
    assert obj.record.title == "book" and obj.licence == "in-library"
    for page in obj.pages:
        master = data_dir / page.image_path
        assert master.exists() and str(master.resolve()).startswith(str(data_dir.resolve()))
        assert (page.width, page.height) == (300, 400)
    assert not list((data_dir / "tmp").iterdir()), "staging leftovers"


def test_pixel_formats_exif_orientation_and_multipage_tiff(session, data_dir, tmp_path):
    folder = tmp_path / "formats"
    folder.mkdir()
    base = plain_image(1, size=(200, 100))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    base.save(folder / "01-rotated.jpg", "JPEG", exif=exif)
    base.convert("CMYK").save(folder / "02-cmyk.jpg", "JPEG")
    base.convert("P").save(folder / "03-palette.png")
    Image.new("I;16", (120, 80), 40000).save(folder / "04-sixteen.png")
    frames = [text_image(["one"], size=(300, 200), mode="1"), text_image(["two"], size=(300, 200), mode="1")]
    frames[0].save(folder / "05-multi.tif", save_all=True, append_images=frames[1:], compression="group4")
    report, obj = ingest(session, folder, data_dir)
    assert report.problems == []
    sizes = [(p.width, p.height) for p in obj.pages]
    assert sizes[0] == (100, 200), "EXIF orientation applied"
    assert len(obj.pages) == 6 and sizes[4:] == [(300, 200), (300, 200)]
    for page in obj.pages:
        with Image.open(data_dir / page.image_path) as master:
            assert master.mode in ("L", "RGB")


def test_pdf_text_layer_is_used_with_word_boxes(session, data_dir, tmp_path):
    pdf = text_pdf(tmp_path / "sach.pdf", [["Thư viện huyện Cát Hải"], ["Tập trung học tập"]])
    report, obj = ingest(session, pdf, data_dir)
    assert report.text_pages == 2 and obj.source_kind == "pdf"
    first = obj.pages[0]
    assert first.text_source == "pdf" and "Thư viện huyện Cát Hải" in first.text
    words = {w[0]: w[1:] for w in first.words}
    x, y, w, h = words["viện"]
    assert 0 < x < first.width and 0 < y < first.height / 2 and w > 10 and h > 10
    assert (data_dir / obj.source_path).read_bytes()[:5] == b"%PDF-"
    hits = search_inside(session, [obj], "thu vien", viewer=STAFF)
    assert [h.page for h in hits] == [1] and len(hits[0].boxes) == 2
    assert obj.record.index_stale


def test_image_only_pdf_pages_have_no_text_until_ocr(session, data_dir, tmp_path):
    pdf = image_pdf(tmp_path / "scan.pdf", [plain_image(1), plain_image(2)])
    report, obj = ingest(session, pdf, data_dir)
    assert report.pages == 2 and report.text_pages == 0
    assert {p.text_source for p in obj.pages} == {"none"}


def test_zip_of_images_with_dublin_core_sidecar(session, data_dir, tmp_path):
    sidecar = {"dc:title": "Địa chí xã Cát Bà", "dc:creator": ["Nguyễn Văn An"], "dc:date": "1998",
               "dc:language": "vie", "dc:rights": "https://creativecommons.org/licenses/by-sa/4.0/"}
    archive = zip_with(tmp_path / "dia-chi.zip", {
        "scans/p10.png": encoded(plain_image(10)), "scans/p2.png": encoded(plain_image(2)),
        "metadata.json": json.dumps(sidecar).encode()})
    report, obj = ingest(session, archive, data_dir)
    assert report.pages == 2
    assert [p.source_label for p in obj.pages] == ["dia-chi.zip/scans/p2.png", "dia-chi.zip/scans/p10.png"]
    assert obj.record.title == "Địa chí xã Cát Bà" and obj.record.year == 1998
    assert obj.record.authors == ["Nguyễn Văn An"] and obj.licence == "cc-by-sa"


def test_csv_metadata_and_attach_to_existing_record(session, data_dir, tmp_path):
    csv_file = tmp_path / "meta.csv"
    csv_file.write_text("title,creator,date,rights\nSổ tay ,Trần Thị Bình||Lê Văn C,2001,cc0\n", encoding="utf-8")
    image = tmp_path / "one.png"
    plain_image(1).save(image)
    report, obj = ingest(session, image, data_dir, metadata=csv_file)
    assert obj.record.title == "Sổ tay" and obj.record.authors == ["Trần Thị Bình", "Lê Văn C"]
    assert obj.licence == "cc0"
    again, second = ingest(session, image, data_dir, record_id=report.record_id, licence="public-domain")
    assert second.record_id == report.record_id and second.id != obj.id
    assert session.query(Record).count() == 1


def test_marc_metadata_creates_the_record(session, data_dir, tmp_path):
    import pymarc

    record = pymarc.Record(force_utf8=True)
    record.add_field(pymarc.Field(tag="245", indicators=["0", "0"],
                                  subfields=[pymarc.Subfield("a", "Lịch sử Đảng bộ huyện /")]))
    record.add_field(pymarc.Field(tag="260", indicators=[" ", " "], subfields=[pymarc.Subfield("c", "2005")]))
    marc = tmp_path / "record.mrc"
    marc.write_bytes(record.as_marc())
    image = tmp_path / "p.png"
    plain_image(1).save(image)
    _report, obj = ingest(session, image, data_dir, metadata=marc)
    assert obj.record.title.startswith("Lịch sử Đảng bộ huyện") and obj.record.year == 2005


@pytest.mark.parametrize("case, expected", [
    ("truncated", "damaged or truncated"),
    ("bomb", "decompression bomb"),
    ("renamed", "not a page image"),
    ("empty-file", "empty"),
    ("invalid-pdf", "not a valid PDF"),
    ("encrypted-pdf", "encrypted"),
    ("blank-pdf", "blank"),
])
def test_bad_files_are_named_and_good_pages_kept(session, data_dir, tmp_path, case, expected):
    folder = tmp_path / "batch"
    folder.mkdir()
    plain_image(1).save(folder / "a-good.png")
    bad = folder / "b-bad.jpg"
    if case == "truncated":
        bad.write_bytes(encoded(plain_image(2), "JPEG")[:700])
    elif case == "bomb":
        png_bomb(bad)
    elif case == "renamed":
        bad.write_bytes(b"This is a Word document, honestly.\n" * 20)
    elif case == "empty-file":
        bad.write_bytes(b"")
    elif case == "invalid-pdf":
        bad.write_bytes(b"%PDF-1.3\n%%EOF\n")
    elif case == "encrypted-pdf":
        encrypted_pdf(bad)
    elif case == "blank-pdf":
        image_pdf(bad, [Image.new("RGB", (200, 200), "white")])
    plain_image(3).save(folder / "c-good.png")
    report, obj = ingest(session, folder, data_dir)
    assert report.pages == 2, messages(report)
    assert "b-bad.jpg" in messages(report) and expected in messages(report)
    assert any(note["params"]["file"].endswith("b-bad.jpg") for note in obj.notes)  # translated when shown


def test_page_above_the_pixel_limit_is_refused(session, data_dir, tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    plain_image(1, size=(400, 400)).save(folder / "large.png")
    plain_image(2, size=(100, 100)).save(folder / "small.png")
    report, _obj = ingest(session, folder, data_dir, limits=Limits(max_page_pixels=50_000))
    assert report.pages == 1
    assert "large.png: 400×400 pixels" in messages(report) and "LIBRARY_MAX_PAGE_PIXELS" in messages(report)


def test_zip_with_escaping_paths_and_symlinks_writes_nothing_outside(session, data_dir, tmp_path):
    archive = zip_with(tmp_path / "evil.zip", {
        "../../escaped.png": encoded(plain_image(1)), "/abs/path.png": encoded(plain_image(2)),
        "ok/page1.png": encoded(plain_image(3))}, symlinks={"link.png": "/etc/passwd"})
    report, _obj = ingest(session, archive, data_dir)
    assert report.pages == 1
    text = messages(report)
    assert "evil.zip/../../escaped.png" in text and "outside the archive" in text
    assert "evil.zip/link.png" in text and "symbolic link" in text
    assert not (tmp_path / "escaped.png").exists() and not (data_dir.parent / "escaped.png").exists()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(str(p).startswith(str(data_dir)) or p.name == "evil.zip" or p.name.startswith("library.db")
               for p in written)  # the upload itself and the test database (with its -wal and -shm files)


def test_empty_folder_and_nothing_readable_raise_a_clear_error(session, data_dir, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NothingToIngest, match="empty: the folder is empty"):
        ingest_scans(session, empty, data_dir=data_dir)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 nothing else")
    with pytest.raises(NothingToIngest, match="junk.pdf: not a valid PDF"):
        ingest_scans(session, junk, data_dir=data_dir)
    assert session.query(DigitalObject).count() == 0
