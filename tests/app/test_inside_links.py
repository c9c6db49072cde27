"""Issue 16, residents: "Found inside, on pages" promises only pages search inside shows for the
same words, and those page numbers and the "Readable online" badge open the reader at the page
with the words boxed."""
from __future__ import annotations

import html
import re

import pytest

from catalog.digital.models import DigitalObject, Page
from catalog.records.models import RecordDraft, create_record


def boxed_page(number: int, text: str) -> Page:
    """A page whose OCR words carry boxes, one word every 100 px."""
    words = [[word, 100 * i, 50, 90, 30, 95.0] for i, word in enumerate(text.split())]
    return Page(number=number, text=text, words=words, width=2000, height=3000)


@pytest.fixture
def books(app):
    from app.hooks import after_commit

    with app.extensions["session_factory"].begin() as session:
        history = create_record(session, RecordDraft(title="Lịch sử thư viện huyện", languages=["vie"], year=1999))
        obj = DigitalObject(record_id=history.id, label="Bản quét", page_count=3, licence="cc-by")
        obj.pages = [boxed_page(1, "Lời nói đầu"), boxed_page(2, "Thư viện xã Cát Bà mở cửa"),
                     boxed_page(3, "Quyết định thành lập thư viện xã Cát Bà")]
        session.add(obj)
        plain = create_record(session, RecordDraft(title="Sổ tay người đọc", languages=["vie"], year=2001))
        other = DigitalObject(record_id=plain.id, label="Bản quét", page_count=1, licence="cc-by")
        other.pages = [boxed_page(1, "Nội quy phòng đọc")]
        session.add(other)
        ids = {"history": history.id, "plain": plain.id}
    after_commit(app)
    with app.extensions["session_factory"]() as session:
        ids["object"] = session.get(DigitalObject, obj.id).id
        ids["other"] = other.id
    return ids


def hint_links(page: str) -> list[str]:
    match = re.search(r'<p class="pages">(.*?)</p>', page, re.S)
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', match.group(1))] if match else []


def test_a_page_holding_only_some_of_the_words_is_not_promised(client, books):
    page = client.get("/search", query_string={"q": "lịch sử thư viện"}).get_data(as_text=True)
    assert "Lịch sử thư viện huyện" in page  # found by its title
    assert "Tìm thấy bên trong" not in page  # no page holds "lịch sử": search inside shows none
    inside = client.get(f"/read/{books['object']}/2", query_string={"q": "lịch sử thư viện"}).get_data(as_text=True)
    assert "<li" not in inside.split('class="hits"')[1].split("</section>")[0]


@pytest.mark.parametrize("q", ["thư viện xã", "thu vien", "quyết định thành lập", "Cát Bà"])
def test_every_promised_page_opens_in_the_reader_with_the_words_boxed(client, books, q):
    page = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    links = hint_links(page)
    assert links, page
    for link in links:
        number = int(re.search(r"/read/\d+/(\d+)\?", link).group(1))
        reader = client.get(link).get_data(as_text=True)
        assert f'<li class="current"><a href="/read/{books["object"]}/{number}?' in reader, (q, link)
        assert reader.count('class="hl"') >= 2, (q, link)
    numbers = [int(re.search(r"/read/\d+/(\d+)\?", link).group(1)) for link in links]
    expected = {"thư viện xã": [2, 3], "thu vien": [2, 3], "quyết định thành lập": [3], "Cát Bà": [2, 3]}
    assert numbers == expected[q]


def test_the_readable_online_badge_opens_the_reader(client, books):
    found = client.get("/search", query_string={"q": "quyết định thành lập"}).get_data(as_text=True)
    badge = re.search(r'<a class="badge ok" href="([^"]+)">Đọc trực tuyến</a>', found)
    assert badge and html.unescape(badge.group(1)).startswith(f"/read/{books['object']}/3?q=")
    plain = client.get("/search", query_string={"q": "sổ tay"}).get_data(as_text=True)
    badge = re.search(r'<a class="badge ok" href="([^"]+)">Đọc trực tuyến</a>', plain)
    assert badge and badge.group(1) == f"/read/{books['other']}/1"
