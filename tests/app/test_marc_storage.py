"""A data folder that cannot be written: the MARC upload says so plainly (no path, no traceback)
and nothing good is lost."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from catalog.records.models import Record
from tests.conftest import login
from tests.ingest.marc_fixtures import book, iso


def upload(client, data: bytes, name: str = "nhap.mrc"):
    return client.post("/staff/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_upload_to_an_unwritable_data_folder_shows_the_form_with_the_reason(demo, data_dir):
    (data_dir / "uploads").write_text("")  # where uploads go is not a folder: mkdir fails
    client = demo.test_client()
    login(client, "bienmuc")
    page = upload(client, iso(book("VN1", "Truyện Kiều", "Nguyễn Du", 1820)))
    text = page.get_data(as_text=True)
    assert page.status_code == 503
    assert ('<p class="flash error" role="alert">Không lưu được tệp nhap.mrc: không ghi được vào thư mục dữ liệu '
            '(File exists). Chưa nhập gì;') in text
    assert '<input id="file" name="file"' in text  # the form, shown again
    assert str(data_dir) not in text and "Traceback" not in text and "OSError" not in text


def test_import_goes_on_when_rejected_bytes_cannot_be_kept(demo, data_dir):
    (data_dir / "quarantine").write_text("")
    client = demo.test_client()
    login(client, "bienmuc")
    bad = iso(book("VN2", "Hỏng"))[:-40]
    page = upload(client, iso(book("VN1", "Truyện Kiều", "Nguyễn Du", 1820)) + bad)
    assert page.status_code == 200
    job = re.search(r'href="(/staff/import/job/\d+)"', page.get_data(as_text=True))
    report = client.get(job.group(1), follow_redirects=True).get_data(as_text=True)
    assert "Không giữ được dữ liệu gốc của biểu ghi bị loại này: không ghi được vào thư mục dữ liệu (Not a directory)." \
        in report
    rejected = re.search(r'<h2 id="rejected">Biểu ghi bị loại \(1\)</h2>\s*<ol class="problems">(.*?)</ol>', report, re.S)
    assert rejected and "/staff/import/problems/" not in rejected.group(1)
    assert str(data_dir) not in report
    with demo.extensions["session_factory"]() as session:
        assert session.scalar(select(Record.title).where(Record.control_number == "VN1")) == "Truyện Kiều"


def test_a_job_whose_upload_is_gone_says_so_without_path_or_traceback(demo, data_dir):
    from app.background.jobs import submit
    from catalog.records.imports import start_run
    from catalog.jobs.models import create_job
    from catalog.accounts.users import find_user

    unreadable = data_dir / "uploads" / ("x" * 40)  # removed, or never written
    with demo.extensions["session_factory"].begin() as session:
        run = start_run(session, files=["nhap.mrc"])
        job = create_job(session, "marc_import", label="MARC import: nhap.mrc", user_id=find_user(session, "bienmuc").id,
                         params={"path": str(unreadable), "name": "nhap.mrc", "run_id": run.id, "library": "",
                                 "strict": False, "report_endpoint": "marc_import.report"})
        job_id, run_id = job.id, run.id
    with demo.app_context():
        submit(job_id)
    client = demo.test_client()
    login(client, "bienmuc")
    page = client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
    assert ('<span class="job-progress" data-progress>0 biểu ghi</span> <span data-message>— Tệp tải lên nhap.mrc '
            'không còn trong thư mục dữ liệu; hãy tải lên lại.</span>') in page
    assert "OSError" not in page and "xxxxxxxx" not in page and str(data_dir) not in page
    report = client.get(f"/staff/import/runs/{run_id}").get_data(as_text=True)
    assert '<p class="flash error">Tệp tải lên nhap.mrc không còn trong thư mục dữ liệu; hãy tải lên lại.</p>' in report
