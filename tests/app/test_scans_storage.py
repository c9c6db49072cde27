"""Issue 15: a data directory that cannot be written makes uploads and scan jobs say plainly what
failed, with no path, no exception class and no traceback."""
from __future__ import annotations

import io

from tests.conftest import login
from tests.ingest.scan_samples import encoded, plain_image

PLAIN = "data folder cannot be written"
PLAIN_VI = "không ghi được vào thư mục dữ liệu"


def _upload(client):
    return client.post("/staff/scans", data={
        "files": [(io.BytesIO(encoded(plain_image(1))), "p1.png")], "licence": "cc-by", "no_ocr": "y",
    }, content_type="multipart/form-data")


def _says_plainly(text: str, data_dir) -> None:
    assert PLAIN in text or PLAIN_VI in text, text
    assert str(data_dir) not in text and "OSError" not in text and "Errno" not in text
    assert "Traceback" not in text and "FileExistsError" not in text and "NotADirectoryError" not in text


def test_upload_into_an_unwritable_data_folder(client, demo, data_dir):
    (data_dir / "uploads").write_text("not a folder")  # root ignores chmod; a file in the way cannot be
    login(client, "bienmuc")
    response = _upload(client)
    assert response.status_code == 503
    _says_plainly(response.get_data(as_text=True), data_dir)


def test_scan_job_with_an_unwritable_data_folder(client, demo, data_dir):
    (data_dir / "tmp").write_text("not a folder")
    login(client, "bienmuc")
    response = _upload(client)
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    job = client.get(f"/staff/jobs/{job_id}.json").get_json()
    assert job["status"] == "failed"
    _says_plainly(str(job), data_dir)
    _says_plainly(client.get(f"/staff/jobs/{job_id}").get_data(as_text=True), data_dir)


def test_cli_ingest_into_an_unwritable_data_folder(runner, data_dir, tmp_path):
    image = tmp_path / "p.png"
    plain_image(1).save(image)
    (data_dir / "scans").write_text("not a folder")
    result = runner.invoke(args=["ingest-scans", str(image), "--no-ocr"])
    assert result.exit_code != 0
    _says_plainly(result.output, data_dir)
