"""Sign-in (Flask-Login), CSRF protection (Flask-WTF) and the role check for staff routes."""
from __future__ import annotations

import functools
from urllib.parse import urlsplit

import datetime as dt

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l, gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.db import get_session
from app.errors import translate_error
from catalog.db import utcnow
from catalog.errors import N_, PermissionDenied
from catalog.accounts.sign_in import SignInLimits, SignInLocked, check_sign_in_allowed, record_sign_in
from catalog.accounts.users import Role, User, check_password, end_sessions, find_user

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()


class AccountDisabled(PermissionDenied):
    """The password was right but the account is disabled."""


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


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


def _safe_next(target: str | None, user: User | None = None) -> str:
    """`next` if it stays on this site; otherwise staff go to their desk, everyone else home."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("staff.dashboard") if user is not None and user.is_staff else url_for("main.home")


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


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = sign_in(form.username.data, form.password.data)
        except (SignInLocked, AccountDisabled) as refused:  # shown on the form, not as an error page
            flash(translate_error(refused), "error")
            return render_template("login.html", form=form, locked=True), refused.status
        if user is not None:
            session.clear()  # a fresh session on sign-in (no fixation)
            login_user(user)
            return redirect(_safe_next(request.args.get("next"), user))
        flash(_("Wrong user name or password."), "error")
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:  # a copy of this session cookie stops working too
        end_sessions(current_user._get_current_object())
        get_session().commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.home"))


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    app.register_blueprint(bp)
