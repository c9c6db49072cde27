"""The sign-in form (/login) and sign-out (/logout); the checks behind them are app/web/auth.py."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l, gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.db import get_session
from app.errors import translate_error
from app.web.auth import AccountDisabled, sign_in
from catalog.accounts.sign_in import SignInLocked
from catalog.accounts.users import User, end_sessions

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


def _safe_next(target: str | None, user: User | None = None) -> str:
    """`next` if it stays on this site; otherwise staff go to their desk, everyone else home."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("staff.dashboard") if user is not None and user.is_staff else url_for("main.home")


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
