"""Issue 16, import reports: warnings grouped by kind with counts (each kind a few lines, the rest
a page away), record numbers linking to the staff record page, the job page following the job to
its report, and progress in records, on the web and in `import-marc`."""
from __future__ import annotations

import ast
import html
import io
import json
import re
from app.cli import marc as cli_marc
from catalog.records.imports import start_run
from catalog.jobs.models import JobStatus, create_job, get_job
from tests.conftest import ROOT, login
from tests.ingest.marc_fixtures import book, iso, noisy_file


def upload(client, data: bytes, name: str = "nhieu-canh-bao.mrc"):
    return client.post("/staff/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def imported_report(client) -> tuple[str, str]:
    """Upload the noisy file (the job runs at once in tests); (report URL, report page)."""
    job_page = upload(client, noisy_file())
    assert job_page.status_code == 302, job_page.get_data(as_text=True)
    report = client.get(job_page.headers["Location"] + "?follow=1")
    assert report.status_code == 303, "a finished job followed goes on to its report"
    page = client.get(report.headers["Location"], follow_redirects=True)
    assert page.status_code == 200
    return page.request.path, page.get_data(as_text=True)


def kind_rows(page: str) -> dict[str, int]:
    table = re.search(r'<table class="kinds">(.*?)</table>', page, re.S)
    assert table, page
    return {html.unescape(label): int(count.replace(".", "").replace(",", ""))
            for label, count in re.findall(r'<a href="#kind-[\w-]+">(.*?)</a></td><td class="num">([\d.,]+)</td>',
                                           table.group(1))}


def details(page: str, code: str) -> str:
    found = re.search(r'<details class="kind" id="kind-%s">(.*?)</details>' % re.escape(code), page, re.S)
    assert found, f"no <details> for {code}"
    return found.group(1)


def test_warnings_are_grouped_by_kind_with_counts_in_vietnamese(demo):
    client = demo.test_client()
    login(client, "bienmuc")
    _url, page = imported_report(client)
    assert kind_rows(page) == {
        "Dữ liệu bản sách không có mã vạch (không tạo bản sách)": 130,
        "Văn bản UTF-8 dù đầu biểu ghi ghi MARC-8 (đã đọc theo UTF-8)": 25,
        "Mã thư viện không xác định trong dữ liệu bản sách": 3,
    }
    assert list(kind_rows(page).values()) == [130, 25, 3], "most frequent first"
    barcodes = details(page, "no-barcode")
    assert "<summary>Dữ liệu bản sách không có mã vạch (không tạo bản sách) (130)</summary>" in barcodes
    assert barcodes.count("<li>") == 20, "each kind shows its first lines only"
    assert "và 110 mục nữa" in barcodes
    assert details(page, "unknown-library").count("<li>") == 3 and "mục nữa" not in details(page, "unknown-library")
    # The page stays light: 158 warnings, 43 lines.
    assert page.split('<h2 id="warnings">', 1)[1].count("<li>") == 20 + 20 + 3
    # A library code from the file is text, never markup.
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_rest_of_a_kind_is_paged(demo):
    client = demo.test_client()
    login(client, "bienmuc")
    _url, page = imported_report(client)
    more = re.search(r'<a href="([^"]+/warnings/no-barcode)">và 110 mục nữa</a>', details(page, "no-barcode"))
    assert more, details(page, "no-barcode")
    first = client.get(more.group(1)).get_data(as_text=True)
    assert "Dữ liệu bản sách không có mã vạch (không tạo bản sách) (130)" in first
    assert first.count("<li>") == 100 and 'rel="next"' in first and "Trang 1/2" in first
    second = client.get(more.group(1) + "?page=2").get_data(as_text=True)
    assert second.count("<li>") == 30 and '<ol class="problems" start="101">' in second and 'rel="next"' not in second
    ordinals = re.findall(r"Biểu ghi số <a [^>]*>([\d.]+)</a>", first + second)
    assert [int(n.replace(".", "")) for n in ordinals] == list(range(1, 131)), "every one, in file order"
    assert client.get(more.group(1).replace("no-barcode", "no-such-kind")).status_code == 404
    english = client.get(more.group(1) + "?lang=en").get_data(as_text=True)
    assert "Holdings without a barcode (no copy) (130)" in english


def test_record_numbers_link_to_the_staff_record_page(demo):
    client = demo.test_client()
    login(client, "bienmuc")
    _url, page = imported_report(client)
    lines = re.findall(r"<li>(.*?)</li>", details(page, "marc8-is-utf8"), re.S)
    assert len(lines) == 20
    first = lines[0]
    position = re.search(r'Biểu ghi số <a href="/staff/records/(\d+)/edit">131</a>', first)
    record = re.search(r'Biểu ghi <a href="/staff/records/(\d+)/edit">\1</a>', first)
    assert position and record and position.group(1) == record.group(1), first
    edit = client.get(f"/staff/records/{position.group(1)}/edit").get_data(as_text=True)
    assert "Địa lý Việt Nam 0" in edit, "the link opens the record that line 131 of the file made"
    # Only our own numbers become links: nothing from the file is an href.
    report = page.split('<h2 id="rejected">', 1)[1].split("</main>", 1)[0]
    hrefs = set(re.findall(r'href="([^"]*)"', report))
    assert hrefs and all(re.fullmatch(r"/staff/(records/\d+/edit|import(/runs/\d+/[\w/-]+)?|duplicates)|#kind-[\w-]+", h)
                         for h in hrefs), hrefs


def test_updated_records_are_capped_with_a_link_to_the_rest(demo):
    client = demo.test_client()
    login(client, "bienmuc")
    imported_report(client)
    changed = noisy_file().replace("Sách không mã vạch".encode(), "Sách có sửa đổi".encode())
    job_page = upload(client, changed, name="nhieu-canh-bao.mrc")
    page = client.get(job_page.headers["Location"] + "?follow=1", follow_redirects=True).get_data(as_text=True)
    updated = re.search(r'<h2 id="updated">(.*?)</h2>(.*?)<h2', page, re.S)
    assert updated and "(130)" in updated.group(1), page
    assert updated.group(2).count("<tr>") == 1 + 20 and "và 110 mục nữa" in updated.group(2)
    rest = re.search(r'href="([^"]+/lines/updated)"', updated.group(2)).group(1)
    assert client.get(rest).get_data(as_text=True).count("<tr>") == 1 + 100


def test_a_file_of_bad_records_only_has_no_warnings_table(demo):
    client = demo.test_client()
    login(client, "bienmuc")
    broken = iso(book("X1", "Hỏng"))[:-40]
    job_page = upload(client, broken, name="hong.mrc")
    page = client.get(job_page.headers["Location"] + "?follow=1", follow_redirects=True).get_data(as_text=True)
    assert re.search(r'<h2 id="rejected">[^<]*\(1\)</h2>', page)
    assert '<table class="kinds">' not in page and re.search(r'<h2 id="warnings">[^<]*\(0\)</h2>\s*<p>Không có.', page)
    refused = upload(client, b"not a catalogue at all\n" * 20, name="ghichu.txt")
    assert refused.status_code == 400 and "không phải MARC" in refused.get_data(as_text=True)


# -- the job page -------------------------------------------------------------------------------

def make_job(app, *, status: JobStatus, progress: int, total: int | None, run_id: int = 0) -> int:
    with app.extensions["session_factory"].begin() as session:
        job = create_job(session, "marc_import", label="MARC", user_id=None,
                         params={"run_id": run_id, "report_endpoint": "marc_import.report"})
        job.status, job.progress, job.total = status, progress, total
        return job.id


def test_a_running_job_counts_records_and_refreshes_towards_its_report(demo):
    client = demo.test_client()
    login(client, "admin")
    job_id = make_job(demo, status=JobStatus.RUNNING, progress=12000, total=30000)
    page = client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
    assert "12.000 / khoảng 30.000 biểu ghi" in page
    assert f'<noscript><meta http-equiv="refresh" content="2;url=/staff/jobs/{job_id}?follow=1"></noscript>' in page
    assert re.search(r'<script src="/static/job\.[0-9a-f]+\.js" defer>', page)
    followed = client.get(f"/staff/jobs/{job_id}?follow=1")
    assert followed.status_code == 200, "still running: the page stays"
    state = client.get(f"/staff/jobs/{job_id}.json").get_json()
    assert state["progress_text"] == "12.000 / khoảng 30.000 biểu ghi" and state["finished"] is False
    assert state["report_url"] is None and state["status_label"] == "đang chạy"
    assert "12,000 of ~30,000 records" in client.get(f"/staff/jobs/{job_id}?lang=en").get_data(as_text=True)


def test_a_job_done_goes_to_its_report_and_its_own_page_stops_refreshing(demo):
    client = demo.test_client()
    login(client, "bienmuc")
    job_page = upload(client, iso(book("VN1", "Truyện Kiều", "Nguyễn Du", 1820)), name="kieu.mrc")
    job_url = job_page.headers["Location"]
    followed = client.get(job_url + "?follow=1")
    assert followed.status_code == 303 and re.fullmatch(r"/staff/import/job/\d+", followed.headers["Location"])
    report = client.get(followed.headers["Location"], follow_redirects=True)
    assert report.request.path.startswith("/staff/import/runs/") and "kieu.mrc" in report.get_data(as_text=True)
    own = client.get(job_url).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in own and "/static/job." not in own
    assert f'<a class="report-link" href="{followed.headers["Location"]}">' in own
    assert "1 / 1 biểu ghi" in own, "exact once the file is read"
    job_id = int(job_url.rsplit("/", 1)[1])
    with demo.extensions["session_factory"]() as session:
        job = get_job(session, job_id)
        assert (job.progress, job.total) == (1, 1)


def test_a_failed_job_stays_on_its_page_with_the_reason_and_retry(demo, data_dir):
    client = demo.test_client()
    login(client, "bienmuc")
    job_page = upload(client, iso(book("VN1", "Truyện Kiều")), name="kieu.mrc")
    # A job for a file gone from the data folder (cleaned away before a worker got to it).
    with demo.extensions["session_factory"].begin() as session:
        cataloguer = get_job(session, int(job_page.headers["Location"].rsplit("/", 1)[1])).created_by_id
        run = start_run(session, files=["mat.mrc"], user_id=cataloguer)
        job = create_job(session, "marc_import", label="MARC: mat.mrc", user_id=cataloguer, params={
            "path": str(data_dir / "uploads" / "gone.marc"), "name": "mat.mrc", "run_id": run.id, "library": "",
            "strict": False, "report_endpoint": "marc_import.report"})
        job_id = job.id
    demo.extensions["queue_tasks"]["run_job"](job_id)
    followed = client.get(f"/staff/jobs/{job_id}?follow=1")
    assert followed.status_code == 200, "a failed job is not left for its report: retry is here"
    page = followed.get_data(as_text=True)
    reason = "Tệp tải lên mat.mrc không còn trong thư mục dữ liệu; hãy tải lên lại."
    assert reason in page
    assert 'action="/staff/jobs/%d/retry"' % job_id in page
    assert 'http-equiv="refresh"' not in page and "/static/job." not in page
    assert '<a class="report-link" href="/staff/import/job/%d">' % job_id in page
    report = client.get(f"/staff/import/job/{job_id}", follow_redirects=True).get_data(as_text=True)
    assert f'<p class="flash error">{reason}</p>' in report
    with demo.extensions["session_factory"]() as session:
        assert get_job(session, job_id).status == JobStatus.FAILED


# -- the command line ---------------------------------------------------------------------------

def test_import_marc_groups_warnings_by_kind(runner, tmp_path):
    path = tmp_path / "nhieu.mrc"
    path.write_bytes(noisy_file())
    result = runner.invoke(args=["import-marc", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert "Warnings by kind (158):" in out
    start = out.index("Warnings by kind (158):")
    heads = [line for line in out[start + 1:] if re.match(r"^  +[\d,]+  \S", line)]
    assert heads == ["  130  Holdings without a barcode (no copy) [no-barcode]",
                     "   25  Text in UTF-8 although the leader says MARC-8 (read as UTF-8) [marc8-is-utf8]",
                     "    3  Unknown library codes in holdings [unknown-library]"]
    assert "         ... and 125 more" in out and "         ... and 20 more" in out
    assert any(line.strip().startswith("nhieu.mrc #1 (byte 0, record ") for line in out)
    last = json.loads(out[-1])
    assert {k: last[k] for k in ("read", "created", "updated", "unchanged", "rejected")} == {
        "read": 158, "created": 158, "updated": 0, "unchanged": 0, "rejected": 0}
    assert last["warnings_by_kind"] == {"no-barcode": 130, "marc8-is-utf8": 25, "unknown-library": 3}


def test_import_marc_progress_is_in_records(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_marc, "PROGRESS_FROM_BYTES", 0)  # any file shows its progress
    path = tmp_path / "dai.mrc"
    path.write_bytes(iso(*[book(f"P{i}", f"Sách số {i}") for i in range(1100)]))
    result = runner.invoke(args=["import-marc", str(path), "--json"])
    assert result.exit_code == 0, result.output
    progress = [line for line in result.stderr.splitlines() if line.startswith("MARC: ")]
    assert re.fullmatch(r"MARC: 500 of ~1,\d{3} records", progress[0]), progress
    assert progress[-1] == "MARC: 1,100 of 1,100 records", progress
    assert json.loads(result.stdout.splitlines()[-1])["read"] == 1100


def test_import_marc_of_a_bad_file_says_why(runner, tmp_path):
    path = tmp_path / "ghichu.mrc"
    path.write_text("these are notes, not records\n" * 10)
    result = runner.invoke(args=["import-marc", str(path), "--json"])
    assert result.exit_code != 0 and "is not MARC" in result.output and "Warnings by kind" not in result.output


# -- every warning has a kind ---------------------------------------------------------------------

def warning_templates() -> set[str]:
    """The reason templates the MARC reader and pipeline give as warnings (appended to a list of
    warnings or notes, or stored as a "warning" line), read from the source."""
    found = set()
    for path in sorted((ROOT / "ingest" / "marc").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            is_append = isinstance(node.func, ast.Attribute) and node.func.attr == "append"
            is_warning_line = isinstance(node.func, ast.Attribute) and node.func.attr == "_problem" and \
                node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == "warning"
            if not (is_append or is_warning_line):
                continue
            for argument in node.args:
                if isinstance(argument, ast.Call) and getattr(argument.func, "id", "") == "Problem":
                    found |= {n.args[0].value for n in ast.walk(argument.args[0]) if isinstance(n, ast.Call)
                              and getattr(n.func, "id", "") == "N_"}
    return found


def test_every_warning_the_reader_gives_has_a_kind():
    from ingest.marc.report import OTHER, kind_of

    templates = warning_templates()
    assert len(templates) >= 20, templates
    assert {t for t in templates if kind_of(t) == OTHER} == set()
