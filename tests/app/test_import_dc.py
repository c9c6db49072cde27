"""import-dc (CONTRACT.md): the counts as the last line, exit codes, report and quarantine like
import-marc; the staff import page detects Dublin Core by content (an OAI-PMH oai_dc response
sent as MARCXML is imported, not rejected record by record)."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from sqlalchemy import select

from catalog.records.models import Record
from tests.conftest import login

DATA = Path(__file__).resolve().parent.parent / "data" / "dc"
KEYS = ("read", "created", "updated", "unchanged", "rejected", "warnings", "copies", "conflicts", "warnings_by_kind")  # as import-marc


def last_json(result) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_dc_reads_each_kind_and_reports_like_import_marc(runner, session, data_dir):
    files = [str(DATA / n) for n in ("listrecords_oai_dc.xml", "simpledc_many.xml", "simpledc_one.xml", "records.csv")]
    result = runner.invoke(args=["import-dc", *files, "--json"])
    assert result.exit_code == 0, result.output
    counts = last_json(result)
    assert tuple(counts) == KEYS
    # 3 OAI records (one rejected: no DC element), 2 + 1 simple DC, 3 CSV rows (one not UTF-8)
    assert (counts["read"], counts["created"], counts["rejected"]) == (9, 7, 2)
    assert "REJECTED: listrecords_oai_dc.xml #3" in result.stdout
    assert "REJECTED: records.csv #3" in result.stdout and "not valid UTF-8" in result.stdout
    titles = set(session.scalars(select(Record.title)))
    assert {"Lịch sử huyện đảo Cát Hải", "Nghề cá ven bờ", "Truyện cổ tích Việt Nam"} <= titles
    quarantined = sorted(p.name for p in (data_dir / "quarantine").rglob("*.bin"))
    assert len(quarantined) == 2
    again = runner.invoke(args=["import-dc", *files, "--json"])
    assert last_json(again)["unchanged"] == 7 and last_json(again)["created"] == 0


def test_import_dc_updates_a_record_the_same_oai_identifier_names(runner, session, tmp_path):
    first = (DATA / "listrecords_oai_dc.xml").read_text(encoding="utf-8")
    path = tmp_path / "page.xml"
    path.write_text(first, encoding="utf-8")
    runner.invoke(args=["import-dc", str(path)])
    path.write_text(first.replace("Bản đồ huyện Cát Hải", "Bản đồ huyện đảo Cát Hải"), encoding="utf-8")
    result = runner.invoke(args=["import-dc", str(path), "--json"])
    assert last_json(result)["updated"] == 1 and last_json(result)["created"] == 0
    assert session.scalar(select(Record.title).where(Record.title.like("Bản đồ%"))) == "Bản đồ huyện đảo Cát Hải"


def test_unreadable_dc_input_exits_non_zero_and_writes_nothing(runner, session, tmp_path):
    (tmp_path / "empty.xml").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not a catalogue\n")
    (tmp_path / "broken.xml").write_text('<?xml version="1.0"?><records xmlns:dc="http://purl.org/dc/elements/1.1/">'
                                         "<record><dc:title>x</dc:ti")
    (tmp_path / "evil.xml").write_text('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                       '<r xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&x;</dc:title></r>')
    for name, reason in (("missing.xml", "does not exist"), ("empty.xml", "is empty"), ("notes.txt", "not Dublin Core"),
                         ("broken.xml", "not well-formed"), ("evil.xml", "document type or entities")):
        result = runner.invoke(args=["import-dc", str(DATA / "simpledc_one.xml"), str(tmp_path / name), "--json"])
        assert result.exit_code != 0 and reason in result.output, (name, result.output)
    assert session.scalar(select(Record.id)) is None  # the good file before the bad one was not imported


def upload(client, data: bytes, name: str):
    return client.post("/staff/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
                       follow_redirects=True)


def test_the_staff_page_imports_an_oai_dc_response_sent_as_marcxml(demo, session):
    client = demo.test_client()
    login(client, "bienmuc")
    page = upload(client, (DATA / "listrecords_oai_dc.xml").read_bytes(), "tu-doi-tac.xml")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nhập Dublin Core: tu-doi-tac.xml" in text
    link = re.search(r'href="(/staff/import/job/\d+)"', text)
    report = client.get(link.group(1), follow_redirects=True).get_data(as_text=True)
    assert "The record has no fields" not in report and "Biểu ghi không có trường nào" not in report
    assert re.search(r"<th>Tạo mới</th><td class=\"num\">2</td>", report), report
    assert session.scalar(select(Record.id).where(Record.title == "Lịch sử huyện đảo Cát Hải")) is not None


def test_the_staff_page_knows_a_dc_csv_by_content_not_by_name(demo, session):
    client = demo.test_client()
    login(client, "bienmuc")
    page = upload(client, (DATA / "records.csv").read_bytes(), "danh-sach.mrc")
    assert page.status_code == 200 and "Nhập Dublin Core" in page.get_data(as_text=True)
    assert session.scalar(select(Record.id).where(Record.title == "Cây lúa nước")) is not None
    refused = upload(client, b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'x'>]><r xmlns:dc="
                             b"'http://purl.org/dc/elements/1.1/'><dc:title>&a;</dc:title></r>", "evil.xml")
    assert refused.status_code == 400 and "evil.xml" in refused.get_data(as_text=True)
