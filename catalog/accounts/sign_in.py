"""Limits on failed sign-ins, so that guessing passwords is slow but nobody can lock the owner out.

Failures count per account *and* address: five wrong passwords for `admin` typed elsewhere lock
that other address out of `admin`, not the administrator at their own desk. From an address
where the account has signed in before, failures bring growing waits (30 s, 1 min, 2 min, ...
up to the lockout) rather than a lock. Guessing stays slow: one address failing across many
names is locked, and an account failing from very many addresses is closed to addresses it never
signed in from. A password reset or an admin unlock (sign_in_cleared_at) forgives earlier failures."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

from sqlalchemy import Boolean, DateTime, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.db import Base
from catalog.errors import N_, PermissionDenied
from catalog.accounts.users import find_user


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
    """Failures allowed within `window` before sign-in is locked for `lockout` (see the module)."""

    max_per_account: int = 5          # one account from one address (LIBRARY_LOGIN_MAX_FAILURES)
    max_per_address: int = 20         # one address over every name
    max_per_account_everywhere: int = 50  # one account from every address together
    window: dt.timedelta = dt.timedelta(minutes=15)
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    first_delay: dt.timedelta = dt.timedelta(seconds=30)  # at a known address; doubles each failure


class SignInLocked(PermissionDenied):
    status = 429


def _failures(session: Session, where, since: dt.datetime, limit: int | None = None) -> list[dt.datetime]:
    """Times of the failures matching `where` after `since`, newest first."""
    query = (select(LoginAttempt.at).where(where, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since)
             .order_by(LoginAttempt.at.desc()))
    return list(session.scalars(query if limit is None else query.limit(limit)))


def _lock_end(failures: list[dt.datetime], limits: SignInLimits, limit: int) -> dt.datetime | None:
    """When the lock ends: the newest failure plus the lockout, if `limit` failures fell within one window."""
    if len(failures) < limit or failures[0] - failures[limit - 1] > limits.window:
        return None
    return failures[0] + limits.lockout


def _delay_end(failures: list[dt.datetime], limits: SignInLimits) -> dt.datetime | None:
    """At a known address: after the allowed failures, each further one doubles the wait."""
    extra = len(failures) - limits.max_per_account
    if extra < 0:
        return None
    wait = min(limits.lockout, limits.first_delay * 2 ** min(extra, 20))
    return failures[0] + wait


def _last_success(session: Session, *where) -> dt.datetime | None:
    return session.scalar(select(func.max(LoginAttempt.at)).where(LoginAttempt.succeeded.is_(True), *where))


def sign_in_wait(session: Session, username: str, address: str, *, now: dt.datetime,
                 limits: SignInLimits = SignInLimits()) -> dt.timedelta | None:
    """How long this name must wait before signing in from this address (None: it may now)."""
    name = username.strip().lower()[:64]
    user = find_user(session, name)
    since = max(filter(None, [now - limits.window - limits.lockout, user.sign_in_cleared_at if user else None]))
    by_name, by_pair = LoginAttempt.username == name, (LoginAttempt.username == name) & (LoginAttempt.address == address)
    ends = [_lock_end(_failures(session, LoginAttempt.address == address, since, limits.max_per_address), limits,
                      limits.max_per_address)]
    known_since = _last_success(session, by_pair)
    if known_since is not None:
        ends.append(_delay_end(_failures(session, by_pair, max(since, known_since)), limits))
    else:
        last_success = _last_success(session, by_name)
        account_since = max(since, last_success) if last_success else since
        ends.append(_lock_end(_failures(session, by_pair, since, limits.max_per_account), limits,
                              limits.max_per_account))
        ends.append(_lock_end(_failures(session, by_name, account_since, limits.max_per_account_everywhere),
                              limits, limits.max_per_account_everywhere))
    pending = [end for end in ends if end is not None and end > now]
    return max(pending) - now if pending else None


def check_sign_in_allowed(session: Session, username: str, address: str, *, now: dt.datetime,
                          limits: SignInLimits = SignInLimits()) -> None:
    """Raise SignInLocked while this name must wait at this address; the answer is the same
    whether or not the account exists."""
    wait = sign_in_wait(session, username, address, now=now, limits=limits)
    if wait is None:
        return
    if wait < dt.timedelta(minutes=2):
        raise SignInLocked(N_("Too many failed sign-ins. Wait {seconds} seconds before trying again."),
                           seconds=max(1, math.ceil(wait.total_seconds())), field="username")
    raise SignInLocked(
        N_("Too many failed sign-ins. Sign-in is locked for {minutes} minutes; try again later "
           "or ask a librarian to reset your password."),
        minutes=max(1, math.ceil(wait.total_seconds() / 60)), field="username",
    )


def record_sign_in(session: Session, username: str, address: str, *, succeeded: bool, now: dt.datetime) -> None:
    """Keep one attempt (the caller commits, whether or not sign-in succeeded)."""
    session.add(LoginAttempt(username=username.strip().lower()[:64], address=address[:64], at=now,
                             succeeded=succeeded))


def prune_sign_ins(session: Session, *, before: dt.datetime) -> int:
    """Forget failures older than `before`; returns how many. Successes stay: they are the
    addresses an account is known at."""
    return session.execute(
        delete(LoginAttempt).where(LoginAttempt.at < before, LoginAttempt.succeeded.is_(False))
    ).rowcount or 0
