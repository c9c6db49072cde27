"""Steps of the harvest tests, through the admin's pages."""
from __future__ import annotations

from tests.conftest import login


def admin(app):
    client = app.test_client()
    login(client, "admin")
    return client


def add_source(client, base_url: str, *, prefix: str = "oai_dc", name: str = "Đối tác", **extra) -> int:
    page = client.post("/staff/harvest", data={"name": name, "base_url": base_url, "metadata_prefix": prefix,
                                               "set_spec": "", "schedule": "manual", "library": "", **extra})
    assert page.status_code == 302, page.get_data(as_text=True)
    return int(page.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def harvest(client, source_id: int) -> dict:
    """Harvest now; the job's JSON (the job runs to its end: JOBS_SYNCHRONOUS)."""
    page = client.post(f"/staff/harvest/{source_id}/run", follow_redirects=True)
    assert page.status_code == 200 and page.request.path.startswith("/staff/jobs/"), page.get_data(as_text=True)
    return client.get(page.request.path + ".json").get_json()


def retry(client, job_id: int) -> dict:
    page = client.post(f"/staff/jobs/{job_id}/retry", follow_redirects=True)
    assert page.status_code == 200
    return client.get(f"/staff/jobs/{job_id}.json").get_json()
