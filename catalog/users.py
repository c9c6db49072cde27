"""Residents and staff in one table, with a role and (for staff) the library they belong to."""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import hashlib
import hmac
import math
import secrets

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

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

    library: Mapped[Library | None] = relationship()

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    # Flask-Login reads these; kept here so the model needs no Flask import.
    @property
    def is_active(self) -> bool:
        return True

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

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


class LoginAttempt(Base):
    """One sign-in attempt, kept to limit repeated failures per account and per address."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The name as typed (lower-cased), whether or not such an account exists.
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


@dataclasses.dataclass(frozen=True)
class SignInLimits:
    """Failures allowed within `window` before sign-in is locked for `lockout`."""

    max_per_account: int = 5
    max_per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)
    lockout: dt.timedelta = dt.timedelta(minutes=15)


class SignInLocked(PermissionDenied):
    status = 429


def _lock_end(session: Session, where, since: dt.datetime, limits: SignInLimits, limit: int) -> dt.datetime | None:
    """When the lock ends: the newest failure plus the lockout, if `limit` failures fell within one window."""
    failures = list(session.scalars(
        select(LoginAttempt.at).where(where, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since)
        .order_by(LoginAttempt.at.desc()).limit(limit)
    ))
    if len(failures) < limit or failures[0] - failures[-1] > limits.window:
        return None
    return failures[0] + limits.lockout


def check_sign_in_allowed(session: Session, username: str, address: str, *, now: dt.datetime,
                          limits: SignInLimits = SignInLimits()) -> None:
    """Raise SignInLocked while too many recent sign-ins failed for this name or this address.

    Failures count within the window, for an account only since its last successful sign-in;
    the answer is the same whether or not the account exists."""
    username = username.strip().lower()[:64]
    since = now - limits.window - limits.lockout
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.username == username, LoginAttempt.succeeded.is_(True))
    )
    account_since = max(since, last_success) if last_success else since
    ends = [
        _lock_end(session, LoginAttempt.username == username, account_since, limits, limits.max_per_account),
        _lock_end(session, LoginAttempt.address == address, since, limits, limits.max_per_address),
    ]
    locked = [end for end in ends if end is not None and end > now]
    if locked:
        minutes = max(1, math.ceil((max(locked) - now).total_seconds() / 60))
        raise SignInLocked(
            N_("Too many failed sign-ins. Sign-in is locked for {minutes} minutes; try again later "
               "or ask a librarian to reset your password."),
            minutes=minutes, field="username",
        )


def record_sign_in(session: Session, username: str, address: str, *, succeeded: bool, now: dt.datetime) -> None:
    """Keep one attempt (the caller commits, whether or not sign-in succeeded)."""
    session.add(LoginAttempt(username=username.strip().lower()[:64], address=address[:64], at=now,
                             succeeded=succeeded))


def prune_sign_ins(session: Session, *, before: dt.datetime) -> int:
    """Forget attempts older than `before`; returns how many."""
    return session.execute(delete(LoginAttempt).where(LoginAttempt.at < before)).rowcount or 0


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


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """The user changes their own password; the current one must be right."""
    if not user.password_hash or not check_password(user.password_hash, current):
        raise ValidationError(N_("The current password is not right."), field="current")
    check_new_password(new)
    user.password_hash = hash_password(new)
