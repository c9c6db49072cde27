"""Model rules: unique barcodes, a tree of libraries without cycles, soft deletion, users."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from catalog.errors import DuplicateBarcode, DuplicateCode, InvalidLibraryTree, ValidationError
from catalog.copies.items import Item, add_item
from catalog.libraries import LibraryKind, save_library, subtree_ids
from catalog.records.models import RecordDraft, create_record, delete_record, get_record
from catalog.errors import RecordNotFound
from catalog.accounts.users import Role, check_password, create_user


@pytest.fixture
def centre(session):
    return save_library(session, code="ttvh", name="Trung tâm Văn hóa", kind=LibraryKind.CULTURAL_CENTRE)


def test_duplicate_barcode_is_refused_with_the_holder_named(session, centre):
    first = create_record(session, RecordDraft(title="Truyện Kiều"))
    second = create_record(session, RecordDraft(title="Lục Vân Tiên"))
    add_item(session, first, barcode=" tv0001 ", library=centre)
    with pytest.raises(DuplicateBarcode, match="TV0001.*Truyện Kiều"):
        add_item(session, second, barcode="TV0001", library=centre)


def test_database_refuses_a_duplicate_barcode_even_past_the_service(session, centre):
    record = create_record(session, RecordDraft(title="Truyện Kiều"))
    session.add(Item(barcode="X1", record=record, home_library=centre, current_library=centre))
    session.flush()
    session.add(Item(barcode="X1", record=record, home_library=centre, current_library=centre))
    with pytest.raises(IntegrityError):
        session.flush()


def test_a_library_cannot_be_its_own_ancestor(session, centre):
    school = save_library(session, code="TH1", name="Trường Tiểu học", kind="school", parent=centre)
    point = save_library(session, code="P1", name="Điểm đọc", kind="village_reading_room", parent=school)
    with pytest.raises(InvalidLibraryTree, match="own ancestor"):
        save_library(session, code="TTVH", name=centre.name, kind=centre.kind, parent=point, library=centre)
    with pytest.raises(InvalidLibraryTree):
        save_library(session, code="TTVH", name=centre.name, kind=centre.kind, parent=centre, library=centre)
    assert subtree_ids(session, centre.id) == {centre.id, school.id, point.id}


def test_library_codes_are_unique(session, centre):
    with pytest.raises(DuplicateCode, match="TTVH"):
        save_library(session, code="TTVH", name="Khác", kind="other")


def test_text_is_stored_in_nfc_with_one_tone_placement(session):
    record = create_record(session, RecordDraft(title="Hoa\u0300 bi\u0300nh  va\u0300 thuỷ lợi", authors=["Nguyê\u0303n Văn An"]))
    assert record.title == "Hòa bình và thủy lợi"
    assert record.authors == ["Nguyễn Văn An"]


def test_record_needs_a_title(session):
    with pytest.raises(ValidationError, match="245"):
        create_record(session, RecordDraft(title="  "))


def test_deleted_record_is_a_tombstone(session):
    record = create_record(session, RecordDraft(title="Sách cũ"))
    delete_record(session, record)
    session.flush()
    with pytest.raises(RecordNotFound):
        get_record(session, record.id)
    assert get_record(session, record.id, include_deleted=True).is_deleted


def test_passwords_are_hashed_and_checked(session, centre):
    user = create_user(session, "ThuThu", role=Role.LIBRARIAN, password="mật-khẩu-dài", library=centre)
    assert user.username == "thuthu"
    assert "mật" not in user.password_hash and user.password_hash.startswith("scrypt:")
    assert check_password(user.password_hash, "mật-khẩu-dài")
    assert not check_password(user.password_hash, "sai-mat-khau")
    with pytest.raises(ValidationError, match="library"):
        create_user(session, "khac", role=Role.LIBRARIAN, password="12345678")
