"""Accounts managed by staff: registering readers (and, for admins, staff), editing, blocking,
password resets. Every change is checked against the actor's role and library and audited."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.audit import log_change, snapshot
from catalog.errors import N_, DuplicateCode, PermissionDenied, ValidationError
from catalog.libraries import Library, get_library
from catalog.accounts.permissions import managed_library_ids, require_library
from catalog.text import fold, normalise
from catalog.accounts.users import Role, User, check_new_password, create_user, find_user, get_user, set_password

ACCOUNT_FIELDS = ("username", "display_name", "email", "phone", "role", "library_id", "card_barcode",
                  "is_blocked", "blocked_reason")


def grantable_roles(actor: User) -> list[Role]:
    """Roles the actor may give: an admin any, a librarian only reader."""
    if actor.role == Role.ADMIN:
        return list(Role)
    if actor.role == Role.LIBRARIAN:
        return [Role.READER]
    return []


def _require_role(actor: User, role: str) -> Role:
    try:
        wanted = Role(role)
    except ValueError:
        raise ValidationError(N_("Unknown role {role}."), role=role, field="role") from None
    if wanted not in grantable_roles(actor):
        raise PermissionDenied(N_("You cannot give the role {role}."), role=wanted.value, field="role")
    return wanted


def _library(session: Session, actor: User, library_id: int | None) -> Library | None:
    if library_id is None:
        if actor.role != Role.ADMIN:
            raise ValidationError(N_("Choose a library."), field="library_id")
        return None
    require_library(session, actor, library_id)
    return get_library(session, library_id)


def register_account(
    session: Session,
    actor: User,
    *,
    role: str,
    username: str,
    password: str,
    library_id: int | None,
    display_name: str = "",
    card_barcode: str = "",
    email: str = "",
    phone: str = "",
    now: dt.datetime,
) -> User:
    """Create an account (a reader, or staff for an admin) in a library the actor manages."""
    wanted = _require_role(actor, role)
    library = _library(session, actor, library_id)
    if wanted == Role.READER and not normalise(card_barcode):
        raise ValidationError(N_("A reader needs a card number."), field="card_barcode")
    user = create_user(session, username, role=wanted, password=password, library=library,
                       display_name=display_name, card_barcode=normalise(card_barcode) or None, email=email)
    user.phone = normalise(phone)
    user.created_at = now
    session.flush()
    log_change(session, actor, "user", user.id, "create", None, snapshot(user, ACCOUNT_FIELDS), now)
    return user


def get_managed_account(session: Session, actor: User, user_id: int) -> User:
    """An account the actor may manage (admins: all; librarians: readers of their libraries)."""
    user = get_user(session, user_id)
    if actor.role == Role.ADMIN:
        return user
    if user.role != Role.READER:
        raise PermissionDenied(N_("You can only manage readers' accounts."))
    require_library(session, actor, user.library_id)
    return user


def update_account(
    session: Session,
    actor: User,
    user: User,
    *,
    display_name: str,
    card_barcode: str,
    email: str,
    phone: str,
    library_id: int | None,
    now: dt.datetime,
) -> User:
    """Edit an account's details; moving it to another library needs both libraries in scope."""
    user = get_managed_account(session, actor, user.id)
    before = snapshot(user, ACCOUNT_FIELDS)
    library = _library(session, actor, library_id) if library_id != user.library_id else user.library
    code = normalise(card_barcode).upper() or None
    if user.role == Role.READER and not code:
        raise ValidationError(N_("A reader needs a card number."), field="card_barcode")
    if code and code != user.card_barcode:
        holder = session.scalar(select(User).where(User.card_barcode == code))
        if holder is not None:
            raise DuplicateCode(N_("Reader card {card_barcode} is already issued."), card_barcode=code,
                                field="card_barcode")
    user.display_name = normalise(display_name) or user.username
    user.card_barcode = code
    user.email = email.strip()
    user.phone = normalise(phone)
    user.library = library
    session.flush()
    log_change(session, actor, "user", user.id, "update", before, snapshot(user, ACCOUNT_FIELDS), now)
    return user


def block_account(session: Session, actor: User, user: User, *, reason: str, now: dt.datetime) -> User:
    """Block a reader (no borrowing) with the reason shown to staff and to the reader."""
    user = get_managed_account(session, actor, user.id)
    reason = normalise(reason)
    if not reason:
        raise ValidationError(N_("Say why the reader is blocked."), field="reason")
    before = snapshot(user, ACCOUNT_FIELDS)
    user.is_blocked, user.blocked_reason = True, reason
    log_change(session, actor, "user", user.id, "block", before, snapshot(user, ACCOUNT_FIELDS), now, note=reason)
    return user


def unblock_account(session: Session, actor: User, user: User, *, reason: str = "", now: dt.datetime) -> User:
    """Lift a block (the reason for lifting it goes into the audit note)."""
    user = get_managed_account(session, actor, user.id)
    before = snapshot(user, ACCOUNT_FIELDS)
    user.is_blocked, user.blocked_reason = False, ""
    log_change(session, actor, "user", user.id, "unblock", before, snapshot(user, ACCOUNT_FIELDS), now,
               note=normalise(reason))
    return user


def reset_password(session: Session, actor: User, user: User, *, password: str, now: dt.datetime) -> User:
    """An admin sets a new password for any account (librarians: for their readers)."""
    user = get_managed_account(session, actor, user.id)
    check_new_password(password)
    set_password(user, password, now=now)  # also ends its sessions and lifts a sign-in lock
    log_change(session, actor, "user", user.id, "password_reset", None, None, now, note="password reset")
    return user


def search_accounts(session: Session, actor: User, query: str = "", *, readers_only: bool = True,
                    limit: int = 100) -> list[User]:
    """Accounts the actor manages whose name, user name, card or phone matches (without diacritics)."""
    managed = managed_library_ids(session, actor)
    stmt = select(User).order_by(User.display_name, User.id)
    if readers_only or actor.role != Role.ADMIN:
        stmt = stmt.where(User.role == Role.READER)
    if managed is not None:
        stmt = stmt.where(User.library_id.in_(managed or {-1}))
    text = fold(normalise(query))
    found = []
    for user in session.scalars(stmt):
        haystack = fold(" ".join([user.display_name, user.username, user.card_barcode or "", user.phone, user.email]))
        if not text or all(word in haystack for word in text.split()):
            found.append(user)
            if len(found) >= limit:
                break
    return found


def account_by_name(session: Session, username: str) -> User | None:
    """The account with this user name, if any (for the CLI)."""
    return find_user(session, username)
