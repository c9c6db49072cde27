"""MARC pages: per-record export, staff upload -> job -> report, quarantine download, duplicates and merge."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from catalog.records.models import Record
from tests.conftest import login
from tests.ingest.marc_fixtures import book, df, iso
from ingest.marc.reader import read_iso2709, read_marcxml
from ingest.marc.mapping import draft_from_marc


def upload(client, data: bytes, name: str = "nhap.mrc", **fields):
    return client.post("/staff/import", data={"file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data", follow_redirects=True)


def test_record_as_mrc_and_xml(demo):
    client = demo.test_client()
    mrc = client.get("/records/1.mrc")
    assert mrc.status_code == 200 and mrc.mimetype == "application/marc"
    record = next(read_iso2709(io.BytesIO(mrc.data), "1.mrc")).record
    xml = client.get("/records/1.xml")
    assert xml.status_code == 200 and b'xmlns="http://www.loc.gov/MARC21/slim"' in xml.data
    assert draft_from_marc(next(read_marcxml(io.BytesIO(xml.data), "1.xml")).record).title == draft_from_marc(record).title
    assert client.get("/records/99999.mrc").status_code == 404


def test_upload_runs_a_job_and_reports(demo):
    client = demo.test_client()
    login(client, "bienmuc")
    good = iso(book("VN1", "Truyện Kiều", "Nguyễn Du", 1820, extra=[df("952", "  ", "p", "NEW-1", "a", "TTVH")]))
    bad = iso(book("VN2", "Hỏng"))[:-40]
    page = upload(client, good + bad)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    link = re.search(r'href="(/staff/import/job/\d+)"', text)
    assert link, text
    report = client.get(link.group(1), follow_redirects=True).get_data(as_text=True)
    # The rejected record's line names the file and offers its bytes, in Vietnamese (the default).
    rejected = re.search(r'<h2 id="rejected">(.*?)</h2>\s*<ol class="problems">(.*?)</ol>', report, re.S)
    assert rejected, report
    assert "(1)" in rejected.group(1)
    line = rejected.group(2)
    assert "<strong>nhap.mrc</strong> · Biểu ghi số 2 ·" in line
    download = re.search(r'href="(/staff/import/problems/\d+\.bin)">Tải về', line)
    assert download, line
    download = download.group(1)
    raw = client.get(download)
    assert raw.status_code == 200 and raw.data == bad
    assert "attachment" in raw.headers["Content-Disposition"]


def test_upload_refuses_a_file_that_is_not_marc(demo):
    client = demo.test_client()
    login(client, "bienmuc")
    page = upload(client, b"Title,Author\n", name="list.csv")
    assert page.status_code == 400 and "list.csv" in page.get_data(as_text=True)


@pytest.mark.parametrize("username, status", [("thuthu", 403), ("bandoc", 403), ("bienmuc", 200), ("admin", 200)])
def test_import_and_duplicates_are_for_cataloguers(demo, username, status):
    client = demo.test_client()
    login(client, username)
    assert client.get("/staff/import").status_code == status
    assert client.get("/staff/duplicates").status_code == status


def test_anonymous_is_sent_to_sign_in(demo):
    response = demo.test_client().get("/staff/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_duplicates_review_and_merge(demo, tmp_path):
    client = demo.test_client()
    login(client, "bienmuc")
    path = tmp_path / "dup.mrc"
    path.write_bytes(iso(book("A", "Sách trùng nhau", "Lê Văn Tám", 2001),
                         book("B", "Sách trùng nhau", "Lê, Văn Tám", 2001, source="OTHER")))
    demo.test_cli_runner().invoke(args=["import-marc", str(path)])
    page = client.get("/staff/duplicates").get_data(as_text=True)
    assert "Sách trùng nhau" in page
    with demo.extensions["session_factory"]() as session:
        first, second = session.scalars(select(Record.id).where(Record.title == "Sách trùng nhau")).all()
    assert f'data-pair="{first}-{second}"' in page
    response = client.post(f"/staff/duplicates/{first}/{second}/merge", data={"keep": first}, follow_redirects=True)
    assert response.status_code == 200
    assert f"Biểu ghi {second} đã được gộp vào biểu ghi {first}" in response.get_data(as_text=True)
    assert client.get(f"/records/{second}.xml").status_code == 301
    assert "Sách trùng nhau" not in client.get("/staff/duplicates").get_data(as_text=True)


@pytest.fixture
def app_overrides(app_overrides):
    return app_overrides


def test_merge_needs_csrf(db_url, data_dir):
    from app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "DATA_DIR": str(data_dir),
                      "SECRET_KEY": "test-secret-key-that-is-long-enough", "JOBS_SYNCHRONOUS": True})
    try:
        assert app.test_cli_runner().invoke(args=["demo-data", "--records", "5"]).exit_code == 0
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
        token = token.group(1) or token.group(2)
        client.post("/login", data={"username": "bienmuc", "password": "hoclieu-demo", "csrf_token": token})
        response = client.post("/staff/duplicates/1/2/merge", data={"keep": 1})
        assert response.status_code == 400
        with app.extensions["session_factory"]() as session:
            assert session.get(Record, 2).merged_into_id is None
    finally:
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["engine"].dispose()


def test_report_lists_a_conflict_kept_apart(demo, tmp_path):
    client = demo.test_client()
    login(client, "bienmuc")
    runner = demo.test_cli_runner()
    (tmp_path / "a.mrc").write_bytes(iso(book("X-7", "Escape from loneliness", "Tournier, Paul", source="")))
    (tmp_path / "b.mrc").write_bytes(iso(book("X-7", "Số đỏ", "Vũ Trọng Phụng", source=""),
                                         book("X-7", "Chí Phèo", "Nam Cao", source="")))
    assert runner.invoke(args=["import-marc", str(tmp_path / "a.mrc")]).exit_code == 0
    result = runner.invoke(args=["import-marc", str(tmp_path / "b.mrc"), "--json"])
    assert result.exit_code == 0
    assert '"created": 2' in result.output and '"conflicts": 1' in result.output
    assert "CONFLICT: b.mrc #2 (byte " in result.output and "the identifier matches but the title and author differ" in result.output
    with demo.extensions["session_factory"]() as session:
        ids = dict(session.execute(select(Record.title, Record.id).where(Record.title.in_(["Số đỏ", "Chí Phèo"]))).all())
    runs = client.get("/staff/import").get_data(as_text=True)
    run_id = max(int(n) for n in re.findall(r'/staff/import/runs/(\d+)', runs))
    report = client.get(f"/staff/import/runs/{run_id}").get_data(as_text=True)
    section = re.search(r'<h2 id="conflicts">Xung đột được để riêng \(1\)</h2>\s*<ol class="problems">(.*?)</ol>',
                        report, re.S)
    assert section, report
    line = section.group(1)
    assert (f'<strong>b.mrc</strong> · Biểu ghi số <a href="/staff/records/{ids["Chí Phèo"]}/edit">2</a> · Trùng theo: '
            "số kiểm soát (001, không có 003) từ tệp cùng tên") in line
    assert f'>{ids["Chí Phèo"]}</a>' in line
    assert f"Không gộp với biểu ghi {ids['Số đỏ']} “Số đỏ”: số định danh trùng nhưng nhan đề và tác giả khác nhau." in line
