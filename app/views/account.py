"""A signed-in person's own page (/account): profile, password change; loans come from
circulation's account/_loans.html when it exists."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from app.db import get_session
from app.views.staff.forms import ChangePasswordForm, attempt
from catalog.audit import log_change
from catalog.db import utcnow
from catalog.accounts.users import change_password

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("")
@login_required
def me():
    return render_template("account/me.html", user=current_user, password_form=ChangePasswordForm())


@bp.post("/password")
@login_required
def password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()

    def change():
        change_password(get_session(), user, form.current.data, form.new.data, now=utcnow())
        return log_change(get_session(), user, "user", user.id, "password_change", None, None, utcnow(),
                          note="own password changed")

    if form.validate_on_submit() and attempt(form, change) is not None:
        get_session().commit()
        login_user(user)  # the change ended every session of the account; this one goes on
        flash(_("Your password is changed."), "info")
        return redirect(url_for("account.me"))
    return render_template("account/me.html", user=user, password_form=form), 400
