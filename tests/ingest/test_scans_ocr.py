"""OCR through the CLI and the service: real tesseract on pages drawn by Pillow; re-OCR; staff
corrections; what happens without tesseract."""
from __future__ import annotations

import json

import pytest

from catalog.digital.models import DigitalObject, Viewer, correct_page_text, search_inside
from ingest.scans.ocr import parse_tsv, tesseract_status
from tests.conftest import require_tool
from tests.ingest.scan_samples import plain_image, text_image, text_pdf

STAFF = Viewer(is_staff=True)


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_cli_ingests_and_ocrs_with_word_boxes(runner, app, tmp_path):
    require_tool("tesseract")
    folder = tmp_path / "sach"
    folder.mkdir()
    text_image(["Library opening hours", "Monday to Friday"]).save(folder / "page1.png")
    text_image(["Reading room closed", "on public holidays"]).save(folder / "page2.png")
    result = runner.invoke(args=["ingest-scans", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    summary = last_json(result.output)
    assert summary["pages"] == 2 and summary["ocr"]["status"] == "done" and summary["ocr"]["pages_read"] == 2
    with app.extensions["session_factory"]() as session:
        obj = session.get(DigitalObject, summary["object_id"])
        assert "opening hours" in obj.pages[0].text and obj.pages[0].text_source == "ocr"
        assert obj.pages[0].confidence > 50
        hits = search_inside(session, [obj], "HOLIDAYS", viewer=STAFF)
        assert [h.page for h in hits] == [2]
        x, y, w, h = hits[0].boxes[0]
        assert 0 < x < 900 and 40 < y < 200 and w > 50 and 20 < h < 80
    hits = app.test_client().get("/api/search?q=holidays").get_json()["hits"]
    assert [(h["id"], h["pages"]) for h in hits] == [(summary["record_id"], [2])], "the catalogue finds the words"


def test_cli_no_ocr_then_record_and_text_layer(runner, app, tmp_path):
    image = tmp_path / "p.png"
    plain_image(1).save(image)
    first = last_json(runner.invoke(args=["ingest-scans", str(image), "--no-ocr", "--json"]).output)
    assert first["ocr"] == {"status": "skipped"}
    pdf = text_pdf(tmp_path / "t.pdf", [["Bình minh trên biển Cát Bà"]])
    result = runner.invoke(args=["ingest-scans", str(pdf), "--record", str(first["record_id"]), "--json",
                                 "--licence", "cc-by"])
    second = last_json(result.output)
    assert second["record_id"] == first["record_id"] and second["text_pages"] == 1
    assert second["ocr"]["pages_read"] == 0, "a PDF text layer needs no OCR"


def test_cli_reports_bad_input_and_exits_non_zero_when_nothing_is_readable(runner, tmp_path):
    bad = tmp_path / "notes.jpg"
    bad.write_text("not an image")
    result = runner.invoke(args=["ingest-scans", str(bad), "--json"])
    assert result.exit_code == 1
    assert "notes.jpg: not a page image" in last_json(result.output)["error"]
    missing = runner.invoke(args=["ingest-scans", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "no such file" in missing.output
    unknown = runner.invoke(args=["ingest-scans", str(tmp_path), "--record", "999"])
    assert unknown.exit_code == 1 and "No record with id 999" in unknown.output


def test_without_tesseract_pages_are_served_and_the_reason_is_said(app_overrides, tmp_path):
    from app import create_app

    app = create_app({**app_overrides, "TESSERACT_COMMAND": "no-such-tesseract"})
    try:
        image = tmp_path / "p.png"
        plain_image(1).save(image)
        result = app.test_cli_runner().invoke(args=["ingest-scans", str(image), "--json"])
        assert result.exit_code == 0, result.output
        summary = last_json(result.output)
        assert summary["ocr"]["status"] == "unavailable" and "apt-get install tesseract-ocr" in result.output
        client = app.test_client()
        with app.extensions["session_factory"].begin() as session:
            session.get(DigitalObject, summary["object_id"]).licence = "cc-by"
        page = client.get(f"/read/{summary['object_id']}/1")
        assert page.status_code == 200
        assert "tesseract" in page.get_data(as_text=True)
        assert client.get(f"/api/records/{summary['record_id']}/search-inside?q=x").get_json()["available"] is False
    finally:
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["engine"].dispose()


def test_vietnamese_ocr_and_correction_keeps_who_and_when(runner, app, tmp_path):
    require_tool("tesseract")
    if "vie" in tesseract_status().missing:
        pytest.skip("tesseract-ocr-vie is not installed")
    image = tmp_path / "viet.png"
    text_image(["Thư viện huyện", "Học tập suốt đời"], font_size=48).save(image)
    summary = last_json(runner.invoke(args=["ingest-scans", str(image), "--json"]).output)
    with app.extensions["session_factory"].begin() as session:
        obj = session.get(DigitalObject, summary["object_id"])
        assert search_inside(session, [obj], "thu vien", viewer=STAFF), obj.pages[0].text
        assert search_inside(session, [obj], "thư viện", viewer=STAFF)
        page = obj.pages[0]
        correct_page_text(session, page, "Thư viện huyện\nHọc tập suốt đời mãi mãi", user_id=None)
        assert page.text_source == "manual" and page.corrected_at is not None
        assert search_inside(session, [obj], "mai mai", viewer=STAFF)


def test_parse_tsv_builds_lines_paragraphs_and_confidence():
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    rows = ["5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t90\tXin", "5\t1\t1\t1\t1\t2\t70\t10\t50\t20\t80\tchào",
            "5\t1\t1\t2\t1\t1\t10\t60\t50\t20\t70\tbạn", "4\t1\t1\t2\t1\t0\t10\t60\t50\t20\t-1\t"]
    result = parse_tsv(header + "\n".join(rows))
    assert result.text == "Xin chào\n\nbạn" and result.confidence == 80.0
    assert result.words[1] == ["chào", 70, 10, 50, 20]
