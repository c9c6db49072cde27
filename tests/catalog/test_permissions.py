"""Library scope: a librarian manages their library and the points under it, nothing else."""
from __future__ import annotations

import pytest

from catalog.errors import PermissionDenied
from catalog.libraries import save_library
from catalog.accounts.permissions import can_manage_library, managed_library_ids, require_cataloguer, require_library
from catalog.accounts.users import Role, create_user


def test_librarian_scope_is_their_subtree(session):
    centre = save_library(session, code="TTVH", name="Trung tâm", kind="cultural_centre")
    point = save_library(session, code="P1", name="Điểm đọc", kind="village_reading_room", parent=centre)
    school = save_library(session, code="TH1", name="Trường", kind="school")
    librarian = create_user(session, "thuthu", role=Role.LIBRARIAN, password="12345678", library=centre)
    teacher = create_user(session, "gv", role=Role.LIBRARIAN, password="12345678", library=school)
    admin = create_user(session, "admin", role=Role.ADMIN, password="12345678")
    cataloguer = create_user(session, "bm", role=Role.CATALOGUER, password="12345678", library=centre)

    assert managed_library_ids(session, librarian) == {centre.id, point.id}
    assert can_manage_library(session, librarian, point.id)
    assert not can_manage_library(session, librarian, school.id)
    assert not can_manage_library(session, teacher, centre.id)
    assert can_manage_library(session, admin, school.id)
    assert not can_manage_library(session, cataloguer, centre.id)
    with pytest.raises(PermissionDenied, match="your own library"):
        require_library(session, teacher, centre.id)
    with pytest.raises(PermissionDenied):
        require_cataloguer(librarian)
    require_cataloguer(cataloguer)
