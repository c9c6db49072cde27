"""Residents and staff in one table, with a role and (for staff) the library they belong to."""
from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import hmac
import secrets

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, false, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from catalog.audit import log_change
from catalog.db import Base, string_enum, utcnow
from catalog.errors import N_, DuplicateCode, PermissionDenied, UserNotFound, ValidationError
from catalog.libraries import Library
from catalog.text import normalise


class Role(str, enum.Enum):
    ADMIN = "admin"
    CATALOGUER = "cataloguer"
    LIBRARIAN = "librarian"
    READER = "reader"
    # The district culture office: reads the reports of every library, changes nothing.
    DISTRICT = "district"


STAFF_ROLES = (Role.ADMIN, Role.CATALOGUER, Role.LIBRARIAN)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[Role] = mapped_column(
        string_enum(Role, 16),
        default=Role.READER,
    )
    library_id: Mapped[int | None] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    card_barcode: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    is_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Part of every session's user id: raising it ends every session of the account at once
    # (sign-out, password change or reset, disabling).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A disabled account cannot sign in and its sessions end (is_blocked only stops borrowing).
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Failed sign-ins before this moment no longer count (an admin unlock or a password reset).
    sign_in_cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    library: Mapped[Library | None] = relationship()

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    # Flask-Login reads these; kept here so the model needs no Flask import.
    @property
    def is_active(self) -> bool:
        return not self.is_disabled

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The id kept in the session: the account and its session epoch ("12:3")."""
        return f"{self.id}:{self.session_epoch}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role.value}>"


_SCRYPT = {"n": 2**15, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    """scrypt with a random salt, in the format werkzeug uses ("scrypt:N:r:p$salt$hex")."""
    salt = base64.b64encode(secrets.token_bytes(12)).decode()
    digest = hashlib.scrypt(password.encode(), salt=salt.encode(), maxmem=2**26, dklen=64, **_SCRYPT)
    return f"scrypt:{_SCRYPT['n']}:{_SCRYPT['r']}:{_SCRYPT['p']}${salt}${digest.hex()}"


def check_password(stored: str, password: str) -> bool:
    """Constant-time comparison of a password with a stored scrypt hash."""
    try:
        method, salt, expected = stored.split("$", 2)
        _name, n, r, p = method.split(":")
        digest = hashlib.scrypt(
            password.encode(), salt=salt.encode(), n=int(n), r=int(r), p=int(p), maxmem=2**26, dklen=64
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), expected)


def get_user(session: Session, user_id: int) -> User:
    """The user with this id, or UserNotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(N_("No account with id {user_id}."), user_id=user_id)
    return user


def find_user(session: Session, username: str) -> User | None:
    """The account with this user name (case-insensitive), if any."""
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def create_user(
    session: Session,
    username: str,
    *,
    role: Role | str,
    password: str,
    library: Library | None = None,
    display_name: str = "",
    card_barcode: str | None = None,
    email: str = "",
) -> User:
    """Add an account; refuses a taken user name, a short password, staff without a library."""
    username = username.strip().lower()
    role = Role(role)
    if not username or len(username) > 64:
        raise ValidationError(N_("A user name is 1 to 64 characters."), field="username")
    if find_user(session, username) is not None:
        raise DuplicateCode(N_("The user name {username} is already taken."), username=username, field="username")
    if len(password) < 8:
        raise ValidationError(N_("A password needs at least 8 characters."), field="password")
    if role in (Role.LIBRARIAN,) and library is None:
        raise ValidationError(N_("A librarian belongs to a library: give --library CODE."), field="library")
    if card_barcode:
        card_barcode = card_barcode.strip().upper()
        if session.scalar(select(User).where(User.card_barcode == card_barcode)) is not None:
            raise DuplicateCode(N_("Reader card {card_barcode} is already issued."), card_barcode=card_barcode, field="card_barcode")
    user = User(
        username=username,
        role=role,
        library=library,
        display_name=normalise(display_name) or username,
        card_barcode=card_barcode or None,
        email=email.strip(),
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def generate_password() -> str:
    """A random password that is easy to read out and type (no 0/O, 1/l)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def check_new_password(password: str) -> None:
    """Refuse a password that is too short or too long."""
    if len(password) < 8:
        raise ValidationError(N_("A password needs at least 8 characters."), field="password")
    if len(password) > 256:
        raise ValidationError(N_("A password has at most 256 characters."), field="password")


def change_password(session: Session, user: User, current: str, new: str, *, now: dt.datetime | None = None) -> None:
    """The user changes their own password; the current one must be right. Every session of
    the account ends (the caller signs the current one in again)."""
    if not user.password_hash or not check_password(user.password_hash, current):
        raise ValidationError(N_("The current password is not right."), field="current")
    check_new_password(new)
    set_password(user, new, now=now or utcnow())


def set_password(user: User, password: str, *, now: dt.datetime) -> None:
    """Store a new password: every session of the account ends and failed sign-ins are forgotten."""
    user.password_hash = hash_password(password)
    user.sign_in_cleared_at = now
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End every session of the account, on every device (the session epoch moves on)."""
    user.session_epoch = (user.session_epoch or 0) + 1


def set_disabled(session: Session, actor: User | None, user: User, *, is_disabled: bool, reason: str = "",
                 now: dt.datetime, note: str = "") -> User:
    """Disable an account (no sign-in, its sessions end) or enable it again; audited. An admin
    cannot disable their own account (someone must be left to enable it)."""
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied(N_("Only an administrator can disable or enable an account."))
    if is_disabled and actor is not None and actor.id == user.id:
        raise PermissionDenied(N_("You cannot disable your own account."))
    before = {"is_disabled": user.is_disabled}
    user.is_disabled = is_disabled
    if is_disabled:
        end_sessions(user)
    log_change(session, actor, "user", user.id, "disable" if is_disabled else "enable", before,
               {"is_disabled": is_disabled}, now, note=" ".join(filter(None, [normalise(reason), note])))
    return user


def clear_sign_in_lock(session: Session, actor: User | None, user: User, *, now: dt.datetime, note: str = "") -> User:
    """Lift a sign-in lock on the account: failures before now stop counting; audited."""
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied(N_("Only an administrator can unlock an account."))
    user.sign_in_cleared_at = now
    log_change(session, actor, "user", user.id, "unlock", None, None, now, note=note or "sign-in unlocked")
    return user
