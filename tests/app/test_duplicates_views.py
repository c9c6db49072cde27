"""The duplicates queue over HTTP, with CSRF on as in production: paging, the comparison, the
confirmation before a merge, "not duplicates" and its withdrawal, roles, and bad pair numbers."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from catalog.audit import AuditEntry
from catalog.copies.items import Item, add_item
from catalog.libraries import save_library
from catalog.records.models import Record, RecordDraft, create_record
from catalog.accounts.users import Role, create_user

PASSWORD = "hoclieu-demo"


@pytest.fixture
def app_overrides(app_overrides):
    return {**app_overrides, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def staff(app):
    with app.extensions["session_factory"].begin() as session:
        centre = save_library(session, code="TTVH", name="Trung tâm Văn hóa", kind="cultural_centre")
        for name, role in (("bienmuc", Role.CATALOGUER), ("admin", Role.ADMIN), ("thuthu", Role.LIBRARIAN)):
            create_user(session, name, role=role, password=PASSWORD, library=centre if role == Role.LIBRARIAN else None)
    return app


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1) or found.group(2)


def signed_in(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token(page)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def add_pair(app, title: str, *, publisher: tuple[str, str] = ("Nxb. Giáo dục", "Nxb. Giáo dục"),
             barcode: str = "") -> tuple[int, int]:
    """Two records of one book (same title, author and year: a strong pair)."""
    with app.extensions["session_factory"].begin() as session:
        ids = [create_record(session, RecordDraft(title=title, authors=["Nguyễn Văn An"], year=2019,
                                                  publisher=publisher[n], languages=["vie"])).id for n in range(2)]
        if barcode:
            from catalog.libraries import get_library_by_code

            add_item(session, session.get(Record, ids[1]), barcode=barcode, library=get_library_by_code(session, "TTVH"))
    return ids[0], ids[1]


def pairs_on(html: str) -> list[str]:
    return re.findall(r'<li class="pair" data-pair="(\d+-\d+)"', html)


WORDS = ["biển", "đảo", "làng", "chài", "lúa", "ngô", "khoai", "sắn", "rừng", "núi", "sông", "hồ", "mây", "gió",
         "mưa", "nắng", "trăng", "sao", "hoa", "lá", "cây", "cỏ", "chim", "cá", "tôm", "cua", "ốc", "hến", "trâu",
         "bò", "gà", "vịt", "lợn", "dê", "ngựa", "voi", "hổ", "báo", "gấu", "khỉ", "rắn", "rùa", "ếch", "nhái", "ong"]


def test_the_queue_shows_twenty_pairs_a_page_with_their_reasons(staff):
    pairs = [add_pair(staff, f"Chuyện {word}") for word in WORDS]  # 45 pairs, all scoring 55
    client = signed_in(staff, "bienmuc")
    first = client.get("/staff/duplicates").get_data(as_text=True)
    assert pairs_on(first) == [f"{a}-{b}" for a, b in pairs[:20]]
    assert "45 cặp cần xem xét" in first and "Điểm 55" in first
    assert "Cùng nhan đề chính, Cùng tác giả đầu, Cùng năm xuất bản" in first
    assert 'rel="next" href="/staff/duplicates?page=2"' in first and "Trang 1" in first
    assert len(first.encode()) < 40_000 and "<form" not in first.split("<main", 1)[1]  # no merge buttons
    assert pairs_on(client.get("/staff/duplicates?page=3").get_data(as_text=True)) == [f"{a}-{b}" for a, b in pairs[40:]]
    assert pairs_on(client.get("/staff/duplicates?page=abc").get_data(as_text=True)) == pairs_on(first)
    assert pairs_on(client.get("/staff/duplicates?page=9999").get_data(as_text=True))[0] == "%d-%d" % pairs[40]
    huge = client.get("/staff/duplicates?page=99999999999999999999")
    assert huge.status_code == 400 and "Số trang phải là một số nguyên" in huge.get_data(as_text=True)


def test_weak_pairs_only_on_request(staff):
    with staff.extensions["session_factory"].begin() as session:
        weak = [create_record(session, RecordDraft(title="Văn hóa biển đảo")).id for _ in range(2)]
    client = signed_in(staff, "bienmuc")
    assert pairs_on(client.get("/staff/duplicates").get_data(as_text=True)) == []
    page = client.get("/staff/duplicates?weak=1").get_data(as_text=True)
    assert pairs_on(page) == [f"{weak[0]}-{weak[1]}"] and "có thể là cùng một sách" in page


def test_compare_then_confirm_then_merge(staff):
    keep, other = add_pair(staff, "Biển đảo quê hương", publisher=("Nxb. Giáo dục", "Nxb. Hải Phòng"),
                           barcode="TV000123")
    client = signed_in(staff, "bienmuc")
    compare = client.get(f"/staff/duplicates/{keep}/{other}?page=2")
    html = compare.get_data(as_text=True)
    assert compare.status_code == 200 and f"Biểu ghi {keep} và {other} đặt cạnh nhau" in html
    assert re.search(r'<tr class="differs" id="row-publisher">\s*<th scope="row">Nhà xuất bản <span class="mark">≠', html)
    assert '<tr id="row-title">' in html and "Trung tâm Văn hóa (1)" in html
    link = f"/staff/duplicates/{keep}/{other}/merge?keep={keep}&amp;page=2"
    assert link in html
    confirm = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert f"Gộp biểu ghi {other} vào biểu ghi {keep}?" in confirm and "TV000123 (Trung tâm Văn hóa)" in confirm
    assert "Bản sách: 1" in confirm and "Tài liệu số: 0" in confirm
    with staff.extensions["session_factory"]() as session:
        assert session.get(Record, other).merged_into_id is None  # seeing the confirmation changes nothing
    refused = client.post(f"/staff/duplicates/{keep}/{other}/merge", data={"keep": keep})
    assert refused.status_code == 400
    done = client.post(f"/staff/duplicates/{keep}/{other}/merge",
                       data={"keep": keep, "page": "2", "csrf_token": token(confirm)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/staff/duplicates?page=2")
    queue = client.get("/staff/duplicates").get_data(as_text=True)
    assert f"Biểu ghi {other} đã được gộp vào biểu ghi {keep}." in queue and pairs_on(queue) == []
    assert client.get(f"/records/{other}.xml").status_code == 301
    history = client.get(f"/staff/records/{other}/history").get_data(as_text=True)
    assert "Đã gộp vào biểu ghi" in history and "TV000123" in history and "merged_into_id" not in history
    with staff.extensions["session_factory"]() as session:
        assert session.scalar(select(Item.record_id).where(Item.barcode == "TV000123")) == keep
        assert session.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == "merge")
                               .order_by(AuditEntry.entity_id)).all() == [keep, other]
    again = client.get(f"/staff/duplicates/{keep}/{other}")
    assert again.status_code == 404 and f"Biểu ghi {other} đã được gộp vào biểu ghi {keep}." in again.get_data(as_text=True)


def test_not_duplicates_leaves_the_queue_until_withdrawn(staff):
    a, b = add_pair(staff, "Nghề cá ven bờ")
    client = signed_in(staff, "bienmuc")
    compare = client.get(f"/staff/duplicates/{b}/{a}").get_data(as_text=True)
    response = client.post(f"/staff/duplicates/{b}/{a}/not-duplicates",
                           data={"note": "Hai tập khác nhau", "csrf_token": token(compare)}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"Biểu ghi {a} và {b} đã được đánh dấu là không trùng" in html and pairs_on(html) == []
    assert pairs_on(client.get("/staff/duplicates?weak=1").get_data(as_text=True)) == []
    listing = client.get("/staff/duplicates/not-duplicates").get_data(as_text=True)
    assert "Hai tập khác nhau" in listing and "bienmuc" in listing
    decision = re.search(r'action="/staff/duplicates/not-duplicates/(\d+)/withdraw"', listing).group(1)
    compare = client.get(f"/staff/duplicates/{a}/{b}").get_data(as_text=True)
    assert 'id="decision"' in compare and f'action="/staff/duplicates/{a}/{b}/not-duplicates"' not in compare
    admin = signed_in(staff, "admin")
    admin_listing = admin.get("/staff/duplicates/not-duplicates").get_data(as_text=True)
    withdrawn = admin.post(f"/staff/duplicates/not-duplicates/{decision}/withdraw",
                           data={"csrf_token": token(admin_listing)}, follow_redirects=True)
    assert "Đã rút lại quyết định" in withdrawn.get_data(as_text=True)
    assert pairs_on(client.get("/staff/duplicates").get_data(as_text=True)) == [f"{a}-{b}"]
    history = client.get(f"/staff/records/{a}/history").get_data(as_text=True)
    assert "đánh dấu không trùng" in history and "rút lại “không trùng”" in history
    assert "Không trùng với biểu ghi" in history and "not_duplicate" not in history


def test_a_librarian_is_refused_everywhere(staff):
    a, b = add_pair(staff, "Sách của thư viện")
    cataloguer = signed_in(staff, "bienmuc")
    page = cataloguer.get(f"/staff/duplicates/{a}/{b}").get_data(as_text=True)
    client = signed_in(staff, "thuthu")
    csrf = token(client.get("/staff/").get_data(as_text=True))
    for path in ("/staff/duplicates", f"/staff/duplicates/{a}/{b}", f"/staff/duplicates/{a}/{b}/merge?keep={a}",
                 "/staff/duplicates/not-duplicates"):
        assert client.get(path).status_code == 403, path
    for path, data in ((f"/staff/duplicates/{a}/{b}/merge", {"keep": a}), (f"/staff/duplicates/{a}/{b}/not-duplicates", {}),
                       ("/staff/duplicates/not-duplicates/1/withdraw", {})):
        assert client.post(path, data={**data, "csrf_token": csrf}).status_code == 403, path
    assert "Không trùng: hai sách khác nhau" in page
    with staff.extensions["session_factory"]() as session:
        assert session.get(Record, b).merged_into_id is None
    anonymous = staff.test_client().get("/staff/duplicates")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_bad_pair_numbers_get_a_clear_answer(staff):
    a, b = add_pair(staff, "Một cặp")
    client = signed_in(staff, "bienmuc")
    same = client.get(f"/staff/duplicates/{a}/{a}")
    assert same.status_code == 400 and "Một cặp cần hai biểu ghi khác nhau" in same.get_data(as_text=True)
    unknown = client.get(f"/staff/duplicates/{a}/987654")
    assert unknown.status_code == 404 and "Không có biểu ghi số 987654." in unknown.get_data(as_text=True)
    assert client.get(f"/staff/duplicates/{a}/99999999999").status_code == 404  # past any record number
    wrong_keep = client.get(f"/staff/duplicates/{a}/{b}/merge?keep=42")
    assert wrong_keep.status_code == 400 and f"Hãy chọn giữ biểu ghi {a} hay biểu ghi {b}." in \
        wrong_keep.get_data(as_text=True)
    page = client.get(f"/staff/duplicates/{a}/{b}").get_data(as_text=True)
    tampered = client.post(f"/staff/duplicates/{a}/{b}/merge", data={"keep": "42", "csrf_token": token(page)},
                           follow_redirects=True)
    assert "Biểu mẫu gộp thiếu thông tin hoặc đã hết hạn" in tampered.get_data(as_text=True)
    missing = client.post(f"/staff/duplicates/{a}/987654/not-duplicates", data={"csrf_token": token(page)})
    assert missing.status_code == 404
    with staff.extensions["session_factory"]() as session:
        assert session.get(Record, a).merged_into_id is None and session.get(Record, b).merged_into_id is None
