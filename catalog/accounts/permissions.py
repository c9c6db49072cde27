"""Who may act on what: roles and library scope, checked in services as well as routes.

- admin: everything.
- cataloguer: bibliographic records of every library (not copies, readers or loans).
- librarian: copies, readers and loans of their own library and the points under it.
- reader: their own account only.
- district: reads the reports of every library; changes nothing (nothing at the desk either).

Circulation and rotation services take the acting staff member (`staff`/`user`) and check here;
None means the system itself (CLI, demo data), which is not checked.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from catalog.errors import N_, PermissionDenied
from catalog.libraries import subtree_ids
from catalog.accounts.users import Role, User


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


DISTRICT_READ_ONLY = N_("The district office account reads reports only: it cannot lend, place holds or change "
                        "anything at the desk.")


def require_desk(session: Session, staff: User | None, library_id: int | None) -> None:
    """Raise PermissionDenied unless the staff member may work this library's desk (its loans,
    returns, holds and rotation batches); None is the system."""
    if staff is None:
        return
    if staff.role == Role.DISTRICT:
        raise PermissionDenied(DISTRICT_READ_ONLY)
    if not can_manage_library(session, staff, library_id):
        raise PermissionDenied(N_("You can only work the desk of your own library and the points under it."))


def can_serve_reader(session: Session, staff: User | None, reader: User) -> bool:
    """True when the staff member may open the reader's loans and act for them: a reader
    registered at a library is served by that library's staff; one registered nowhere (a
    district-wide card) at any desk, which shows only the loans of its own libraries."""
    if staff is None or reader.library_id is None:
        return True
    return can_manage_library(session, staff, reader.library_id)


def require_reader(session: Session, staff: User | None, reader: User) -> None:
    """Raise PermissionDenied unless the staff member may serve this reader at the desk."""
    if staff is not None and staff.role == Role.DISTRICT:
        raise PermissionDenied(DISTRICT_READ_ONLY)
    if not can_serve_reader(session, staff, reader):
        raise PermissionDenied(N_("{name} is a reader of {library}: only its staff can open their loans or act "
                                  "for them."), name=reader.display_name or reader.username,
                               library=reader.library.name if reader.library else "—")


def require_batch_side(session: Session, user: User | None, batch, side: str) -> None:
    """Raise PermissionDenied unless the user may act on this side of a rotation batch: "origin"
    (its library prepares, dispatches, checks in and closes it), "school" (the stop it is going to
    or is at; the origin may act for a school without an account) or "any" (to see it: the origin
    and every stop of its route)."""
    if user is None:
        return
    if user.role == Role.DISTRICT:
        raise PermissionDenied(DISTRICT_READ_ONLY)
    places = {batch.origin_library_id}
    if side in ("school", "any"):
        places.add(batch.destination_library_id)
    if side == "any":
        places.update(stop.library_id for stop in batch.stops)
    if any(can_manage_library(session, user, place) for place in places):
        return
    if side == "origin":
        raise PermissionDenied(N_("Only {origin}, where batch {code} comes from, can do this step."),
                               origin=batch.origin_library.name, code=batch.code)
    if side == "school":
        raise PermissionDenied(N_("Only {school}, where batch {code} is going or is, or {origin}, where it comes "
                                  "from, can do this step."), school=batch.destination_library.name,
                               code=batch.code, origin=batch.origin_library.name)
    raise PermissionDenied(N_("Batch {code} does not come to your library: only the libraries on its route can "
                              "see it."), code=batch.code)


def can_see_job(session: Session, user: User, job) -> bool:
    """True when the user may see a background job: an admin, its creator, or the staff of the
    libraries the creator belongs to."""
    if user.role == Role.ADMIN or (job.created_by_id is not None and job.created_by_id == user.id):
        return True
    creator = session.get(User, job.created_by_id) if job.created_by_id is not None else None
    return (creator is not None and creator.library_id is not None and user.role == Role.LIBRARIAN
            and can_manage_library(session, user, creator.library_id))


def require_job(session: Session, user: User, job) -> None:
    """Raise PermissionDenied unless the user may see this job."""
    if not can_see_job(session, user, job):
        raise PermissionDenied(N_("This job was started by someone outside your library: you cannot see it."))
