"""The relevance collection: Vietnamese and English records written for these tests, each built to
exercise one rule of shared/VIETNAMESE.md (marks, đ, tone placement, names, ISBN, phrases, OCR
noise, English stop words)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from catalog.digital.models import DigitalObject, Page
from catalog.copies.items import ItemStatus, add_item
from catalog.libraries import Library, LibraryKind
from catalog.records.models import RecordDraft, create_record

NOW = dt.datetime(2026, 1, 5, 9, 0)

RECORDS = {
    "duong_ve": dict(title="Đường về quê mẹ", authors=["Nguyễn, Văn An"], subjects=["Tiểu thuyết", "Văn học Việt Nam"],
                     year=2015, languages=["vie"], summary="Câu chuyện một gia đình làng chài qua ba thế hệ."),
    "duong_cam": dict(title="Dương cầm và tuổi thơ", authors=["Lê Thu Hà"], subjects=["Âm nhạc"], year=2008,
                      languages=["vie"], summary="Hồi ức về những buổi tập đàn."),
    "duong_dai": dict(title="Biển Đông thời đương đại", authors=["Phạm Quang Minh"], subjects=["Biển Đông", "Chính trị"],
                      year=2019, languages=["vie"]),
    "hoa_binh": dict(title="Hoà bình cho Đông Dương", authors=["Trần Hữu Nghị"], subjects=["Lịch sử", "Hoà bình"],
                     year=1995, languages=["vie"], summary="Tư liệu về các hiệp định hoà bình."),
    "thuy_loi": dict(title="Thuỷ lợi và nông nghiệp", authors=["Vũ Thị Lan"], subjects=["Thuỷ lợi", "Nông nghiệp"],
                     year=2001, languages=["vie"], summary="Kênh mương, trạm bơm và mùa vụ."),
    "suc_khoe": dict(title="Sức khoẻ cộng đồng", authors=["Hoàng Minh Chi"], subjects=["Y tế", "Sức khoẻ"], year=2012,
                     languages=["vie"], summary="Phòng bệnh ở nông thôn."),
    "di_cho": dict(title="Đi chợ Tết", authors=["Đỗ Thị Mai"], subjects=["Truyện thiếu nhi"], year=2020,
                   languages=["vie"], summary="Bé Na theo mẹ đi chợ hoa ngày Tết."),
    "lang_chai": dict(title="Ký ức làng chài", authors=["Nguyễn Văn An"], subjects=["Hồi ký"], year=2011,
                      languages=["vie"]),
    "van_anh": dict(title="Văn học và cuộc sống", authors=["Trần Văn Anh"], subjects=["Phê bình văn học"], year=2003,
                    languages=["vie"], summary="Bàn về văn học Nguyễn Du."),
    "history_vn": dict(title="The history of Vietnam", authors=["Smith, John"], subjects=["Vietnam", "History"],
                       year=2010, languages=["eng"], summary="A concise history for general readers."),
    "vn_history": dict(title="Vietnam : a short history", authors=["Brown, Anne"], subjects=["Vietnam"], year=2018,
                       languages=["eng"], summary="From the early kingdoms to the present."),
    "the_gioi": dict(title="Thế giới động vật", authors=["Bùi Gia Khoa"], subjects=["Động vật", "Sách thiếu nhi"],
                     year=2016, languages=["vie"], summary="Các loài thú trên thế giới."),
    "the_world": dict(title="The world of the sea", authors=["Green, Mary"], subjects=["Oceans"], year=2005,
                      languages=["eng"], summary="The sea, the fish and the reefs of the world."),
    "the_book": dict(title="The book of the year", authors=["White, Tom"], subjects=["Almanacs"], year=2017,
                     languages=["eng"], summary="The events of the year and the people of the world."),
    "tin_hoc": dict(title="Giáo trình tin học cơ bản", authors=["Ngô Đức Dũng"], subjects=["Tin học"], year=2014,
                    languages=["vie"], isbns=["978-0-306-40615-7"]),
    "oxford": dict(title="Oxford dictionary of science", authors=["Daintith, John"], subjects=["Science"], year=1999,
                   languages=["eng"], isbns=["0-19-852663-6"]),
    "cat_ba": dict(title="Quần đảo Cát Bà", authors=["Lý Thanh Sơn"], subjects=["Du lịch", "Cát Bà"], year=2013,
                   languages=["vie"], summary="Rừng quốc gia và vịnh Lan Hạ."),
    "cat_hai": dict(title="Bà ngoại ở Cát Hải", authors=["Hồ Xuân Yến"], subjects=["Truyện ngắn"], year=2009,
                    languages=["vie"], summary="Những mùa hè bên bà."),
    "van_kien": dict(title="Tuyển tập văn kiện của xã", authors=["Ủy ban nhân dân xã Gia Luận"], subjects=["Hành chính"],
                     year=1998, languages=["vie"]),
    "thu_vien": dict(title="Thư viện trường học", authors=["Đặng Thu Trang"], subjects=["Thư viện"], year=2021,
                     languages=["vie"], summary="Tổ chức thư viện và văn hóa đọc ở trường."),
}
# OCR-like page text: marks dropped or wrong ("quyết" -> "quyet", "định" -> "đinh", "lập" -> "lâp").
PAGES = {
    "van_kien": [
        (1, "TUYỂN TẬP VĂN KIỆN\nỦy ban nhân dân xã Gia Luận"),
        (2, "Báo cáo tình hình sản xuất nông nghiệp năm 1997."),
        (3, "Quyet đinh thành lâp thư viện xã và phòng đọc thôn Gia Lộc."),
        (4, "Kế hoạch xây dựng phòng đọc, quyết định số 12."),
    ],
}


def load_collection(session: Session) -> dict[str, int]:
    """Create the collection (two libraries, copies, one scanned book); returns key -> record id."""
    centre = Library(code="TTVH", name="Thư viện Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)
    school = Library(code="THCS", name="Thư viện Trường THCS", kind=LibraryKind.SCHOOL)
    session.add_all([centre, school])
    session.flush()
    ids = {}
    for number, (key, fields) in enumerate(RECORDS.items()):
        record = create_record(session, RecordDraft(**fields), now=NOW)
        ids[key] = record.id
        library = centre if number % 2 == 0 else school
        status = ItemStatus.ON_LOAN if number % 5 == 0 else ItemStatus.AVAILABLE
        add_item(session, record, barcode=f"C{number:05d}", library=library, status=status, now=NOW)
        if key in PAGES:
            obj = DigitalObject(record_id=record.id, label="Bản quét", page_count=len(PAGES[key]))
            obj.pages = [Page(number=n, text=text, text_source="ocr") for n, text in PAGES[key]]
            session.add(obj)
    session.flush()
    return ids
