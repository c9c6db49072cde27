"""A known two years of activity (2025 and 2026), built through the services, shared by the
report tests (catalog, CLI, web). Every figure the tests expect is derived in the comments."""
from __future__ import annotations

import datetime as dt

from catalog.reports.activity import record_event, record_visits
from catalog.circulation.models import CirculationEvent, EventKind, Loan
from catalog.digital.models import DigitalObject, Page
from catalog.copies.items import ItemStatus, add_item
from catalog.libraries import LibraryKind, save_library
from catalog.records.models import RecordDraft, create_record, delete_record
from catalog.rotation.models import BatchStatus, DiscrepancyKind, RotationBatch, RotationDiscrepancy, RotationEvent
from catalog.reports.usage import count_use
from catalog.accounts.users import Role, User, create_user

NOW = dt.datetime(2027, 1, 10, 8, 0)


def build_known_years(session) -> dict:
    """Libraries TT (centre) > PD (village room), BD (post-office point); TH (school, own root)."""
    tt = save_library(session, code="TT", name="Trung tâm Văn hóa", kind=LibraryKind.CULTURAL_CENTRE)
    pd = save_library(session, code="PD", name="Phòng đọc thôn Gia Lộc", kind=LibraryKind.VILLAGE_READING_ROOM, parent=tt)
    bd = save_library(session, code="BD", name="Điểm Bưu điện - Văn hóa xã", kind=LibraryKind.POST_OFFICE_POINT, parent=tt)
    th = save_library(session, code="TH", name="Trường Tiểu học Cát Bà", kind=LibraryKind.SCHOOL)
    admin = create_user(session, "root", role=Role.ADMIN, password="12345678")
    hai = create_user(session, "hai", role=Role.LIBRARIAN, password="12345678", library=tt)
    mai = create_user(session, "mai", role=Role.LIBRARIAN, password="12345678", library=th)

    r1 = create_record(session, RecordDraft(title="Kỹ thuật nuôi tôm", languages=["vie"]))
    r2 = create_record(session, RecordDraft(title="Coastal ecosystems", languages=["eng"]))
    r3 = create_record(session, RecordDraft(title="Tạp chí Văn hóa", languages=["vie"], record_type="serial"))
    r4 = create_record(session, RecordDraft(title="Đã xóa", languages=["vie"]))

    def copy(record, code, library, acquired, **kw):
        return add_item(session, record, barcode=code, library=library, acquired_on=acquired, **kw)

    a1 = copy(r1, "A1", tt, dt.date(2024, 5, 1))
    a2 = copy(r1, "A2", tt, dt.date(2026, 3, 10))
    a3 = copy(r2, "A3", tt, dt.date(2026, 7, 1))
    a4 = copy(r3, "A4", tt, None, now=dt.datetime(2026, 2, 1, 10))     # no date: entered 1 Feb 2026
    copy(r1, "A5", tt, dt.date(2020, 1, 1), status=ItemStatus.WITHDRAWN)  # gone
    copy(r2, "A6", tt, dt.date(2027, 1, 5))                              # after the year
    b1 = copy(r3, "B1", pd, dt.date(2025, 12, 31))
    copy(r2, "C1", th, dt.date(2026, 1, 15))
    copy(r4, "D1", tt, dt.date(2026, 1, 1))
    delete_record(session, r4)

    readers = {}
    for name, library, created in (("r1", tt, dt.datetime(2025, 6, 1)), ("r2", pd, dt.datetime(2026, 2, 10)),
                                   ("r3", th, dt.datetime(2026, 2, 20)), ("r4", None, dt.datetime(2026, 3, 1)),
                                   ("r5", tt, dt.datetime(2027, 1, 2))):
        # Readers never sign in here: made directly, without the (slow) password hash.
        reader = User(username=f"reader-{name}", role=Role.READER, library=library, created_at=created)
        session.add(reader)
        readers[name] = reader

    def visits(library, day, user, **kw):
        record_visits(session, library=library, day=day, user=user, now=NOW, **kw)

    visits(tt, dt.date(2025, 6, 1), hai, total=100)
    visits(pd, dt.date(2025, 6, 2), hai, total=50)
    visits(tt, dt.date(2026, 1, 5), hai, groups={"children": 30, "adults": 50})
    visits(tt, dt.date(2026, 1, 5), admin, groups={"children": 40, "adults": 50})  # late correction: 90
    visits(pd, dt.date(2026, 4, 21), hai, total=60)
    visits(th, dt.date(2026, 9, 5), mai, groups={"youth": 25})

    for day, kind, n in ((dt.date(2025, 3, 1), "session", 50), (dt.date(2026, 1, 10), "session", 20),
                         (dt.date(2026, 4, 21), "session", 15), (dt.date(2026, 1, 10), "search", 7),
                         (dt.date(2026, 2, 1), "record_view", 4)):
        count_use(session, kind, day, "", n=n)
    count_use(session, "read", dt.date(2026, 4, 1), "object:1", n=3)
    count_use(session, "download", dt.date(2026, 5, 1), "object:1", n=2)

    def event(library, day, kind, title, attendance, user):
        record_event(session, library=library, day=day, kind=kind, title=title, attendance=attendance,
                     user=user, now=NOW)

    event(pd, dt.date(2026, 4, 21), "reading_culture_day", "Ngày Sách và Văn hóa đọc", 120, hai)
    event(tt, dt.date(2026, 3, 2), "club", "Câu lạc bộ đọc sách", 15, hai)
    event(tt, dt.date(2026, 6, 2), "club", "Câu lạc bộ đọc sách", 20, hai)
    event(th, dt.date(2026, 10, 5), "class", "Lớp kỹ năng tìm tin", 30, mai)
    event(tt, dt.date(2025, 10, 1), "exhibition", "Triển lãm sách biển đảo", 40, hai)

    scan = DigitalObject(record_id=r1.id, label="Bản quét", created_at=dt.datetime(2026, 3, 1))
    scan.pages = [Page(number=1), Page(number=2)]
    later = DigitalObject(record_id=r2.id, label="Sau", created_at=dt.datetime(2027, 1, 3))
    later.pages = [Page(number=1)]
    session.add_all([scan, later])
    session.flush()
    _circulation(session, tt=tt, pd=pd, th=th, readers=readers, a1=a1, a2=a2, a3=a3, a4=a4, b1=b1)
    session.commit()
    return {"tt": tt, "pd": pd, "bd": bd, "th": th, "admin": admin, "hai": hai, "mai": mai}


def _circulation(session, *, tt, pd, th, readers, a1, a2, a3, a4, b1) -> None:
    """Rows as the circulation and rotation services write them.

    2026: loans at TT (March), PD (April), TH (May, a rotated copy) = 3; renewals at TT (March) and
    TH (May) = 2; one return; borrowers r1, r2, r3. 2025: one loan and one renewal at TT.
    Rotation 2026: batch LC-2026-01 sent TT -> TH with 2 copies, 1 received, the other declared lost;
    batch LC-2025-01 (sent 2025) came back to TT with 1 copy in February 2026."""
    d = dt.datetime
    batch = RotationBatch(code="LC-2026-01", origin_library_id=tt.id, destination_library_id=th.id,
                          status=BatchStatus.AT_SCHOOL, dispatched_at=d(2026, 5, 1), received_at=d(2026, 5, 3))
    old = RotationBatch(code="LC-2025-01", origin_library_id=tt.id, destination_library_id=pd.id,
                        status=BatchStatus.CLOSED, dispatched_at=d(2025, 9, 1), returned_at=d(2026, 2, 1))
    session.add_all([batch, old])
    session.flush()
    session.add_all([
        RotationEvent(batch_id=old.id, kind="dispatch", at=d(2025, 9, 1), from_library_id=tt.id, to_library_id=pd.id,
                      item_ids=[a1.id]),
        RotationEvent(batch_id=old.id, kind="return_received", at=d(2026, 2, 1), from_library_id=pd.id,
                      to_library_id=tt.id, item_ids=[a1.id]),
        RotationEvent(batch_id=batch.id, kind="dispatch", at=d(2026, 5, 1), from_library_id=tt.id,
                      to_library_id=th.id, item_ids=[a3.id, a4.id]),
        RotationEvent(batch_id=batch.id, kind="receipt", at=d(2026, 5, 3), from_library_id=tt.id,
                      to_library_id=th.id, item_ids=[a3.id]),
        RotationDiscrepancy(batch_id=batch.id, item_id=a4.id, barcode="A4", kind=DiscrepancyKind.LOST, stage="close",
                            library_id=th.id, recorded_at=d(2026, 6, 1)),
    ])
    loans = [
        Loan(item_id=a2.id, reader_id=readers["r1"].id, library_id=tt.id, checked_out_at=d(2026, 3, 15),
             due_at=d(2026, 4, 15), returned_at=d(2026, 4, 1), renewals=1),
        Loan(item_id=b1.id, reader_id=readers["r2"].id, library_id=pd.id, checked_out_at=d(2026, 4, 21),
             due_at=d(2026, 5, 21)),
        Loan(item_id=a3.id, reader_id=readers["r3"].id, library_id=th.id, checked_out_at=d(2026, 5, 10),
             due_at=d(2026, 6, 10), batch_id=batch.id, renewals=1),
        Loan(item_id=a1.id, reader_id=readers["r1"].id, library_id=tt.id, checked_out_at=d(2025, 11, 2),
             due_at=d(2025, 12, 2), returned_at=d(2025, 12, 1), renewals=1),
    ]
    session.add_all(loans)
    session.flush()
    for kind, loan, at in ((EventKind.RENEW, loans[0], d(2026, 3, 29)), (EventKind.CHECKIN, loans[0], d(2026, 4, 1)),
                           (EventKind.RENEW, loans[2], d(2026, 5, 24)), (EventKind.RENEW, loans[3], d(2025, 11, 16)),
                           (EventKind.CHECKIN, loans[3], d(2025, 12, 1))):
        session.add(CirculationEvent(kind=kind, at=at, item_id=loan.item_id, reader_id=loan.reader_id,
                                     library_id=loan.library_id, loan_id=loan.id, batch_id=loan.batch_id))
