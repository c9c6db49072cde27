"""Offline desks over HTTP: who may prepare a device and download its pack, the desk page and
its service worker, sync and queue files (roles, library scope, CSRF, expired and revoked
devices, malformed and forged files with clear messages), reports and conflict decisions."""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from sqlalchemy import func, select

from catalog.circulation.models import Loan
from catalog.db import utcnow
from catalog.copies.items import add_item
from catalog.libraries import get_library_by_code
from catalog.offline.models import OfflineAction, OfflineDevice
from catalog.offline.queue import envelope
from catalog.records.models import RecordDraft, create_record
from catalog.accounts.users import Role, create_user, find_user
from tests.catalog.offline_support import action
from tests.conftest import login

JSON = {"Accept": "application/json"}


@pytest.fixture
def school(demo):
    """The primary school with three readers and five copies of its own."""
    with demo.extensions["session_factory"]() as session:
        library = get_library_by_code(session, "TH-CATBA")
        for n in range(3):
            create_user(session, f"hs{n}", role=Role.READER, password="long enough", card_barcode=f"HS{n:03d}",
                        library=library, display_name=f"Học sinh {n}")
        record = create_record(session, RecordDraft(title="Sách ngoại tuyến"))
        for n in range(5):
            add_item(session, record, barcode=f"OFF{n:03d}", library=library)
        session.commit()
        return library.id


def prepare(client, library_id):
    response = client.post("/staff/offline/devices", data={"library": library_id}, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def signed(info, actions):
    return json.dumps(envelope(info["device"], info["key"], actions))


def staff_id(demo, username):
    with demo.extensions["session_factory"]() as session:
        return find_user(session, username)


def test_the_school_librarian_prepares_a_device_and_downloads_the_pack(demo, client, school):
    login(client, "thuvien.tieuhoc")
    info = prepare(client, school)
    assert len(info["key"]) == 64 and info["library"]["code"] == "TH-CATBA"
    response = client.get(info["pack_url"], headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    pack = json.loads(__import__("gzip").decompress(response.data))
    assert {row[0] for row in pack["readers"]} == {"HS000", "HS001", "HS002"}  # not BD000001 (no library)
    assert {f"OFF{n:03d}" for n in range(5)} <= {row[0] for row in pack["copies"]}
    assert all(row[0].startswith(("TH", "OFF")) for row in pack["copies"])
    assert response.headers["Cache-Control"] == "no-store"


def test_roles_and_scope_are_checked(demo, client, school):
    login(client, "thuthu")  # the centre's librarian: the school is not under the centre
    assert client.post("/staff/offline/devices", data={"library": school}, headers=JSON).status_code == 403
    client.post("/logout")
    login(client, "thuvien.tieuhoc")
    info = prepare(client, school)
    client.post("/logout")
    login(client, "thuthu")
    assert client.get(info["pack_url"]).status_code == 403
    assert client.post("/staff/offline/sync", data=signed(info, []), headers=JSON).status_code == 403
    for user in ("bandoc", "phongvh"):
        client.post("/logout")
        login(client, user)
        assert client.get("/staff/offline/").status_code == 403
        assert client.post("/staff/offline/devices", data={"library": school}, headers=JSON).status_code == 403
    client.post("/logout")
    assert client.get("/staff/offline/desk").status_code == 302  # to the sign-in page
    login(client, "admin")
    assert client.get(info["pack_url"]).status_code == 200


def test_without_javascript_prepare_says_so(demo, client, school):
    login(client, "thuvien.tieuhoc")
    response = client.post("/staff/offline/devices", data={"library": school}, follow_redirects=True)
    assert "cần bật JavaScript" in response.get_data(as_text=True)
    with demo.extensions["session_factory"]() as session:
        assert session.scalar(select(func.count()).select_from(OfflineDevice)) == 0


def test_the_desk_page_and_its_service_worker(demo, client, school):
    login(client, "thuvien.tieuhoc")
    page = client.get("/staff/offline/desk").get_data(as_text=True)
    assert "Quầy ngoại tuyến" in page and 'id="offline-text"' in page
    script = re.search(r'src="(/static/offline/offline\.[0-9a-f]{10}\.js)"', page).group(1)
    worker = client.get("/staff/sw.js")
    body = worker.get_data(as_text=True)
    assert worker.mimetype == "application/javascript" and worker.headers["Cache-Control"] == "no-cache"
    assert script in body and '"/staff/offline/desk"' in body and "/*ASSETS*/" not in body
    assert client.get(script).status_code == 200
    desk = client.get("/staff/circulation").get_data(as_text=True)
    assert "data-offline-prepare" in desk and "Chuẩn bị thiết bị này" in desk


def test_sync_applies_with_original_times_and_reports(demo, client, school):
    login(client, "thuvien.tieuhoc")
    info = prepare(client, school)
    librarian = staff_id(demo, "thuvien.tieuhoc")
    at = utcnow().replace(microsecond=0) - dt.timedelta(hours=5)
    actions = [action("checkout", at, librarian, 1, card="HS000", barcode="OFF000"),
               action("checkout", at + dt.timedelta(minutes=1), librarian, 2, card="HS001", barcode="OFF001"),
               action("checkin", at + dt.timedelta(minutes=2), librarian, 3, barcode="OFF004"),
               action("visit", at, librarian, 4, count=2, group="children")]
    response = client.post("/staff/offline/sync", data=signed(info, actions), headers=JSON)
    report = response.get_json()
    assert (report["applied"], report["conflicts"], report["duplicates"]) == (3, 1, 0), report
    again = client.post("/staff/offline/sync", data=signed(info, actions), headers=JSON).get_json()
    assert (again["applied"], again["duplicates"]) == (0, 4)
    with demo.extensions["session_factory"]() as session:
        loans = list(session.scalars(select(Loan).order_by(Loan.id)))
        assert [(loan.item.barcode, loan.checked_out_at) for loan in loans] == [
            ("OFF000", at), ("OFF001", at + dt.timedelta(minutes=1))]
        assert loans[0].due_at == at + dt.timedelta(days=21)
        conflict = session.scalar(select(OfflineAction).where(OfflineAction.barcode == "OFF004"))
    page = client.get(report["url"]).get_data(as_text=True)
    assert "cần quyết định" in page and "OFF004" in page and "Bỏ qua" in page
    response = client.post(f"/staff/offline/actions/{conflict.id}/resolve", data={"how": "dismiss", "note": ""},
                           follow_redirects=True)
    assert "vì sao bỏ qua" in response.get_data(as_text=True)
    response = client.post(f"/staff/offline/actions/{conflict.id}/resolve",
                           data={"how": "dismiss", "note": "đã trả rồi"}, follow_redirects=True)
    assert "đã bỏ qua" in response.get_data(as_text=True) and "đã trả rồi" in response.get_data(as_text=True)
    devices_page = client.get("/staff/offline/").get_data(as_text=True)
    assert report["url"] in devices_page


def test_expired_and_revoked_devices_are_refused_with_a_reason(demo, client, school):
    login(client, "thuvien.tieuhoc")
    info = prepare(client, school)
    with demo.extensions["session_factory"]() as session:
        device = session.scalar(select(OfflineDevice).where(OfflineDevice.uid == info["device"]))
        device.expires_at = utcnow() - dt.timedelta(minutes=1)
        session.commit()
    response = client.post("/staff/offline/sync", data=signed(info, []), headers=JSON)
    assert response.status_code == 403 and "hết hạn" in response.get_json()["error"]
    assert client.get(info["pack_url"], headers=JSON).status_code == 403
    client.post(f"/staff/offline/devices/{info['device']}/extend")
    assert client.post("/staff/offline/sync", data=signed(info, []), headers=JSON).status_code == 200
    client.post(f"/staff/offline/devices/{info['device']}/revoke")
    response = client.post("/staff/offline/sync", data=signed(info, []), headers=JSON)
    assert response.status_code == 403 and "thu hồi" in response.get_json()["error"]


@pytest.mark.parametrize("content, message", [
    (b"\x00\x01 not json", "không phải văn bản JSON"),
    (b'{"format": "something-else"}', "không phải tệp hàng đợi ngoại tuyến"),
    (None, "Chữ ký của hàng đợi không khớp"),
    (b"", "Hãy chọn tệp hàng đợi"),
])
def test_queue_files_malformed_or_forged_are_refused_plainly(demo, client, school, content, message):
    login(client, "thuvien.tieuhoc")
    info = prepare(client, school)
    if content is None:  # forged: a valid-looking file with a changed action
        librarian = staff_id(demo, "thuvien.tieuhoc")
        good = envelope(info["device"], info["key"], [action("checkout", utcnow(), librarian, 1, card="HS000",
                                                             barcode="OFF000")])
        content = json.dumps(dict(good, body=good["body"].replace("HS000", "HS001"))).encode()
    files = {"file": (io.BytesIO(content), "queue.json")} if content else {}
    response = client.post("/staff/offline/import", data=files, content_type="multipart/form-data",
                           follow_redirects=True)
    assert message in response.get_data(as_text=True)
    with demo.extensions["session_factory"]() as session:
        assert session.scalar(select(func.count()).select_from(Loan)) == 0


def test_a_queue_file_imported_at_the_centre(demo, client, school):
    login(client, "thuvien.tieuhoc")
    info = prepare(client, school)
    librarian = staff_id(demo, "thuvien.tieuhoc")
    data = signed(info, [action("checkout", utcnow(), librarian, 1, card="HS002", barcode="OFF002")]).encode()
    client.post("/logout")
    login(client, "admin")
    response = client.post("/staff/offline/import", data={"file": (io.BytesIO(data), "queue.json")},
                           content_type="multipart/form-data", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Đã nhập: 1 đã áp dụng, 0 cần quyết định" in text and "Báo cáo đồng bộ" in text
    with demo.extensions["session_factory"]() as session:
        assert session.scalar(select(Loan)).item.barcode == "OFF002"
    audit = client.get("/staff/audit").get_data(as_text=True)  # every synced action, with its device
    assert "cho mượn ở quầy ngoại tuyến" in audit and info["device"] in audit


def test_the_centre_prepares_the_school_data_as_a_file(demo, client, school):
    login(client, "admin")
    response = client.post("/staff/offline/prepare-file", data={"library": school})
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["format"] == "hoclieu-offline-device" and len(data["key"]) == 64
    assert data["pack"]["library"]["code"] == "TH-CATBA" and data["pack"]["device"] == data["device"]


def test_csrf_is_checked_on_sync_and_import(app_overrides, school):
    from app import create_app

    app = create_app({**app_overrides, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "thuvien.tieuhoc", "password": "hoclieu-demo", "csrf_token": token})
    assert client.post("/staff/offline/sync", data="{}", headers=JSON).status_code == 400
    assert client.post("/staff/offline/devices", data={"library": school}, headers=JSON).status_code == 400
    fresh = client.get("/staff/offline/token").get_json()["csrf_token"]
    response = client.post("/staff/offline/devices", data={"library": school},
                           headers={**JSON, "X-CSRFToken": fresh})
    assert response.status_code == 200
    app.extensions["job_pool"].shutdown(wait=True)
    app.extensions["engine"].dispose()
