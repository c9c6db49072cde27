"""Libraries and points of service: a tree of organisations, modelled as data (DOMAIN.md)."""
from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from catalog.db import Base, string_enum
from catalog.errors import N_, DuplicateCode, InvalidLibraryTree, LibraryNotFound
from catalog.text import normalise


class LibraryKind(str, enum.Enum):
    CULTURAL_CENTRE = "cultural_centre"
    SCHOOL = "school"
    COMMUNE_LIBRARY = "commune_library"
    POST_OFFICE_POINT = "post_office_point"
    VILLAGE_READING_ROOM = "village_reading_room"
    OTHER = "other"


class Library(Base):
    __tablename__ = "library"
    __table_args__ = (CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[LibraryKind] = mapped_column(
        string_enum(LibraryKind, 32)
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    address: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(255), default="")

    parent: Mapped[Library | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Library]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Library {self.code}>"


def get_library(session: Session, library_id: int) -> Library:
    """The library with this id, or LibraryNotFound."""
    library = session.get(Library, library_id)
    if library is None:
        raise LibraryNotFound(N_("No library with id {library_id}."), library_id=library_id)
    return library


def get_library_by_code(session: Session, code: str) -> Library:
    """The library with this code (case-insensitive), or LibraryNotFound naming the code."""
    library = session.scalar(select(Library).where(Library.code == code.strip().upper()))
    if library is None:
        raise LibraryNotFound(N_("No library with code {code}."), code=code, field="library")
    return library


def list_libraries(session: Session) -> list[Library]:
    """All libraries, ordered so that each parent comes before its children."""
    libraries = list(session.scalars(select(Library).order_by(Library.id)))
    by_parent: dict[int | None, list[Library]] = {}
    for library in libraries:
        by_parent.setdefault(library.parent_id, []).append(library)
    ordered: list[Library] = []

    def walk(parent_id: int | None) -> None:
        for child in by_parent.get(parent_id, []):
            ordered.append(child)
            walk(child.id)

    walk(None)
    return ordered


def ancestor_ids(session: Session, library_id: int) -> list[int]:
    """Ids from the library's parent up to the root."""
    parents = dict(session.execute(select(Library.id, Library.parent_id)).all())
    chain, current = [], parents.get(library_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def subtree_ids(session: Session, library_id: int) -> set[int]:
    """The library and every library and point under it."""
    rows = session.execute(select(Library.id, Library.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for child, parent in rows:
        children.setdefault(parent, []).append(child)
    found, stack = set(), [library_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


def save_library(
    session: Session,
    *,
    code: str,
    name: str,
    kind: LibraryKind | str,
    parent: Library | None = None,
    address: str = "",
    contact: str = "",
    library: Library | None = None,
) -> Library:
    """Create a library, or update `library`; refuses a duplicate code and a cycle in the tree."""
    code = code.strip().upper()
    if not code:
        raise InvalidLibraryTree(N_("A library needs a code."), field="code")
    clash = session.scalar(select(Library).where(Library.code == code))
    if clash is not None and clash is not library:
        raise DuplicateCode(N_("Library code {code} is already used by {name}."), code=code, name=clash.name, field="code")
    if library is None:
        library = Library()
        session.add(library)
    if parent is not None and library.id is not None:
        if parent.id == library.id or library.id in ancestor_ids(session, parent.id):
            raise InvalidLibraryTree(
                N_("{name} cannot be placed under {parent}: a library cannot be its own ancestor."),
                name=name, parent=parent.name, field="parent",
            )
    library.code = code
    library.name = normalise(name)
    library.kind = LibraryKind(kind)
    library.parent = parent
    library.address = normalise(address)
    library.contact = normalise(contact)
    session.flush()
    return library
