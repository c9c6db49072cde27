"""A background job is seen only by its creator, the staff of the creator's library and admins,
and a failed job shows a plain message, never the exception or its traceback."""
from __future__ import annotations

from app.background.jobs import job_type, run_job
from catalog.jobs.models import create_job
from catalog.accounts.users import find_user
from tests.app.staff_helpers import denied_entries
from tests.conftest import login

SECRET = "/srv/hoclieu/instance/secret_key"


@job_type("test.fails")
def _fails(_factory, _job_id, _report):
    raise RuntimeError(f"could not open {SECRET}")


def failed_job(app) -> int:
    """A job started by the cataloguer (centre) that failed with an exception."""
    with app.extensions["session_factory"].begin() as session:
        job_id = create_job(session, "test.fails", label="Nhập thử", user_id=find_user(session, "bienmuc").id).id
    run_job(app, job_id)
    return job_id


def test_a_job_is_visible_only_within_its_creators_library(demo, client):
    job_id = failed_job(demo)
    client.set_cookie("lang", "en")
    login(client, "thuvien.tieuhoc")  # a school librarian: another library
    for path in (f"/staff/jobs/{job_id}.json", f"/staff/jobs/{job_id}"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert SECRET not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)
    with demo.extensions["session_factory"]() as session:
        assert denied_entries(session)[-1].after["path"] == f"/staff/jobs/{job_id}"
    for username in ("bienmuc", "thuthu", "admin"):  # its creator, the centre's librarian, an admin
        client.post("/logout")
        login(client, username)
        response = client.get(f"/staff/jobs/{job_id}.json")
        assert response.status_code == 200, username
        body = response.get_json()
        assert body["status"] == "failed" and body["result"] == {}
        assert body["message"] == ("The job stopped on an unexpected error. An administrator can find the details "
                                   f"in the server log (job {job_id}).")
        text = response.get_data(as_text=True) + client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
        assert SECRET not in text and "Traceback" not in text and "RuntimeError" not in text


def test_a_scan_job_report_is_visible_only_within_its_creators_library(demo, client):
    job_id = failed_job(demo)
    login(client, "thuvien.tieuhoc")
    response = client.get(f"/staff/scans/jobs/{job_id}")
    assert response.status_code == 403
    assert SECRET not in response.get_data(as_text=True)
    client.post("/logout")
    login(client, "thuthu")
    assert client.get(f"/staff/scans/jobs/{job_id}").status_code == 200
