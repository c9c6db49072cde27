"""The answers of recent searches kept per process (app/web/search_cache.py): an answer given again is
the same, an edit or a loan is in the very next answer, and what the view adds for one viewer (the
licence rule on page text) never reaches another."""
from __future__ import annotations

import json

from tests.app.test_staff_records import FORM, search_ids
from tests.conftest import login
from tests.ingest.scan_samples import text_pdf


def test_an_edit_is_in_the_next_answer_though_the_answer_before_was_kept(demo, app, client, session):
    login(client, "bienmuc")
    assert client.post("/staff/records/new", data=FORM).status_code == 302
    record_id = search_ids(client, "nuoi ca long tren bien")[0]
    first = client.get("/api/search", query_string={"q": "nuoi ca long"}).json
    again = client.get("/api/search", query_string={"q": "nuoi ca long"}).json
    assert again == first and record_id in [hit["id"] for hit in first["hits"]]
    cache = app.extensions["search_cache"]
    assert cache.hits >= 1, "the same question was answered from the kept answer"
    assert record_id in search_ids(client, "nuoi ca long") and record_id not in search_ids(client, "trong rong sun")
    edited = dict(FORM, title="Trồng rong sụn ven đảo", subtitle="", subjects="Rong biển", summary="Giống rong.",
                  series="")
    assert client.post(f"/staff/records/{record_id}/edit", data=edited).status_code == 302
    assert record_id not in search_ids(client, "nuoi ca long"), "the kept answer is of an older index"
    assert record_id in search_ids(client, "trong rong sun")


def test_a_loan_is_in_the_next_answer(demo, client):
    """The holdings of a hit (copies available per library) follow a loan at the desk."""
    def centre_holding() -> dict:
        body = client.get("/api/search", query_string={"q": "Tiếng Việt lớp 5 ven biển"}).json
        hit = next(hit for hit in body["hits"] if hit["id"] == 1)
        return next(h for h in hit["holdings"] if h["library"] == "TTVH")

    assert centre_holding()["available"] == 1
    assert centre_holding()["available"] == 1  # asked again: the kept answer
    login(client, "thuthu")
    lent = client.post("/staff/circulation/checkout", data={"library": "1", "card": "BD000001",
                                                           "barcode": "TTVH000011"})
    assert lent.status_code in (200, 302)
    assert centre_holding()["available"] == 0


def test_what_one_viewer_may_read_does_not_reach_the_next(demo, app, client, runner, tmp_path):
    """The view hides in-library page text from an off-site reader on its copy of the kept hits:
    staff (who may read it) asking next still see the words, and the reader after them does not."""
    pdf = text_pdf(tmp_path / "noi-bo.pdf", [["Trang đầu"], ["Bí mật làng Xuândiệp", "chuyện kể"]])
    done = runner.invoke(args=["ingest-scans", str(pdf), "--no-ocr", "--json", "--licence", "in-library"])
    assert done.exit_code == 0, done.output
    record_id = json.loads(done.output.strip().splitlines()[-1])["record_id"]

    def snippet() -> str:
        body = client.get("/api/search", query_string={"q": "Xuândiệp"}).json
        return next(hit["snippet"] for hit in body["hits"] if hit["id"] == record_id)

    assert "Bí mật" not in snippet()
    login(client, "thuthu")
    assert "Bí mật" in snippet(), "staff read in-library text, from the same kept answer"
    client.post("/logout")
    assert "Bí mật" not in snippet()
    assert app.extensions["search_cache"].hits >= 2
