"""Sign-in (Flask-Login), CSRF protection (Flask-WTF) and the role check for staff routes."""
from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l, gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.db import get_session
from catalog.users import Role, User, check_password, find_user

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    try:
        return get_session().get(User, int(user_id))
    except ValueError:
        return None


def roles_required(*roles: Role):
    """Allow the view only to signed-in users with one of these roles (admin always passes)."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != Role.ADMIN and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")


def authenticate(username: str, password: str) -> User | None:
    """The account for these credentials, or None (same answer for unknown user and bad password)."""
    user = find_user(get_session(), username)
    if user is None or not user.password_hash:
        check_password("scrypt:32768:8:1$c2FsdA==$00", password)  # same work either way
        return None
    return user if check_password(user.password_hash, password) else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong user name or password."), "error")
    return render_template("login.html", form=form), 200 if request.method == "GET" or form.errors == {} else 400


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.home"))


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    app.register_blueprint(bp)
