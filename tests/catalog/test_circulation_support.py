"""A small library world for circulation and rotation tests: a centre with a reading point under
it, two schools, a few titles with copies, readers and librarians."""
from __future__ import annotations

import dataclasses
import datetime as dt

from catalog.copies.items import Item, add_item
from catalog.libraries import Library, save_library
from catalog.records.models import RecordDraft, create_record
from catalog.accounts.users import Role, User, create_user

NOW = dt.datetime(2026, 3, 2, 9, 0)


@dataclasses.dataclass
class World:
    centre: Library
    point: Library
    school: Library
    school2: Library
    items: list[Item]
    reader: User
    pupil: User
    blocked: User
    librarian: User

    def item(self, barcode: str) -> Item:
        return next(i for i in self.items if i.barcode == barcode)


def build_world(session, copies: int = 40) -> World:
    centre = save_library(session, code="TTVH", name="Trung tâm", kind="cultural_centre")
    point = save_library(session, code="PD-A", name="Phòng đọc A", kind="village_reading_room", parent=centre)
    school = save_library(session, code="TH-A", name="Trường Tiểu học A", kind="school")
    school2 = save_library(session, code="THCS-B", name="Trường THCS B", kind="school")
    items = []
    for n in range(copies):
        record = create_record(session, RecordDraft(title=f"Sách số {n}", call_number=f"895.9 S{n}"))
        items.append(add_item(session, record, barcode=f"C{n:04d}", library=centre))
    items.append(add_item(session, items[0].record, barcode="S0001", library=school))
    items.append(add_item(session, items[1].record, barcode="P0001", library=point))
    reader = create_user(session, "reader", role=Role.READER, password="long enough", card_barcode="BD1",
                         display_name="Lê Minh Đức")
    pupil = create_user(session, "pupil", role=Role.READER, password="long enough", card_barcode="HS1",
                        display_name="Nguyễn An")
    blocked = create_user(session, "blocked", role=Role.READER, password="long enough", card_barcode="BD9",
                          display_name="Trần Bình")
    blocked.is_blocked, blocked.blocked_reason = True, "sách quá hạn 3 tháng"
    librarian = create_user(session, "lib", role=Role.LIBRARIAN, password="long enough", library=centre)
    session.commit()
    return World(centre, point, school, school2, items, reader, pupil, blocked, librarian)
