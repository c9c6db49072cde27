"""Sign-in (Flask-Login: the session's account, the limits on failed sign-ins), CSRF protection
(Flask-WTF) and the role check for staff routes. The sign-in pages are app/views/auth.py."""
from __future__ import annotations

import datetime as dt
import functools

from flask import Flask, abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required
from flask_wtf.csrf import CSRFProtect

from app.db import get_session
from catalog.db import utcnow
from catalog.errors import N_, PermissionDenied
from catalog.accounts.sign_in import SignInLimits, check_sign_in_allowed, record_sign_in
from catalog.accounts.users import Role, User, check_password, find_user

login_manager = LoginManager()
csrf = CSRFProtect()


class AccountDisabled(PermissionDenied):
    """The password was right but the account is disabled."""


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The session's account, unless its sessions were ended since (epoch) or it is disabled."""
    number, _sep, epoch = user_id.partition(":")
    try:
        user = get_session().get(User, int(number))
    except ValueError:
        return None
    if user is None or user.is_disabled or epoch != str(user.session_epoch):
        return None
    return user


def roles_required(*roles: Role):
    """Allow the view only to signed-in users with one of these roles (admin always passes)."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != Role.ADMIN and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # read by the body limit (app/web/security.py) before the body is
        return wrapped

    return decorator


def may_open(endpoint: str) -> bool:
    """Whether the signed-in user's role passes the role check of this endpoint (menus offer
    only these; library scope is checked again on the page)."""
    view = current_app.view_functions.get(endpoint)
    if view is None or not current_user.is_authenticated:
        return False
    roles = getattr(view, "allowed_roles", None)
    return roles is None or current_user.role == Role.ADMIN or current_user.role in roles


def authenticate(username: str, password: str) -> User | None:
    """The account for these credentials, or None (same answer for unknown user and bad password)."""
    user = find_user(get_session(), username)
    if user is None or not user.password_hash:
        check_password("scrypt:32768:8:1$c2FsdA==$00", password)  # same work either way
        return None
    return user if check_password(user.password_hash, password) else None


def sign_in_limits() -> SignInLimits:
    """The limits on failed sign-ins, from the configuration (LIBRARY_LOGIN_*)."""
    config = current_app.config
    return SignInLimits(
        max_per_account=int(config["LOGIN_MAX_FAILURES"]),
        max_per_address=int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
        max_per_account_everywhere=int(config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        window=dt.timedelta(minutes=float(config["LOGIN_FAILURE_WINDOW_MINUTES"])),
        lockout=dt.timedelta(minutes=float(config["LOGIN_LOCKOUT_MINUTES"])),
        first_delay=dt.timedelta(seconds=float(config["LOGIN_FIRST_DELAY_SECONDS"])),
    )


def sign_in(username: str, password: str) -> User | None:
    """Check the limits, the credentials, and keep the attempt; raises SignInLocked when locked
    (also right after the failure that reaches the limit, so the message shows at once)."""
    db, now, address = get_session(), utcnow(), request.remote_addr or ""
    check_sign_in_allowed(db, username, address, now=now, limits=sign_in_limits())
    user = authenticate(username, password)
    is_disabled = user is not None and user.is_disabled
    record_sign_in(db, username, address, succeeded=user is not None and not is_disabled, now=now)
    db.commit()
    if is_disabled:  # said only to someone who knows the password
        raise AccountDisabled(N_("This account is disabled. Ask an administrator."), field="username")
    if user is None:
        check_sign_in_allowed(db, username, address, now=now, limits=sign_in_limits())
    return user


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
