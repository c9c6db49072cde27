"""Who may act on what: roles and library scope, checked in services as well as routes.

- admin: everything.
- cataloguer: bibliographic records of every library (not copies, readers or loans).
- librarian: copies, readers and loans of their own library and the points under it.
- reader: their own account only.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from catalog.errors import N_, PermissionDenied
from catalog.libraries import subtree_ids
from catalog.users import Role, User


def managed_library_ids(session: Session, user: User) -> set[int] | None:
    """Libraries whose copies, readers and loans the user manages; None means all of them."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.LIBRARIAN and user.library_id is not None:
        return subtree_ids(session, user.library_id)
    return set()


def can_manage_library(session: Session, user: User, library_id: int | None) -> bool:
    """True when the user may change copies, readers or loans of this library."""
    managed = managed_library_ids(session, user)
    return managed is None or (library_id is not None and library_id in managed)


def require_library(session: Session, user: User, library_id: int | None) -> None:
    """Raise PermissionDenied unless the user manages this library."""
    if not can_manage_library(session, user, library_id):
        raise PermissionDenied(N_("You can only manage copies, readers and loans of your own library."))


def can_catalogue(user: User) -> bool:
    """True when the user may create and edit bibliographic records."""
    return user.role in (Role.ADMIN, Role.CATALOGUER)


def require_cataloguer(user: User) -> None:
    """Raise PermissionDenied unless the user may edit bibliographic records."""
    if not can_catalogue(user):
        raise PermissionDenied(N_("Only cataloguers can change bibliographic records."))
