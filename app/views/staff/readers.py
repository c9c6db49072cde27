"""Readers and accounts: register, search, edit, block/unblock, reader cards; admins also create
staff accounts and reset passwords. The services check the library scope and audit each change."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.display import labels
from app.web.auth import roles_required
from app.db import get_session
from app.views.routes import Routes
from app.views.staff.forms import AccountForm, BlockForm, ResetPasswordForm, StaffAccountForm, attempt, choices
from app.pdf.labels_and_cards import card_pdf
from catalog.audit import entries, history
from catalog.db import utcnow
from catalog.libraries import list_libraries
from catalog.accounts.permissions import can_manage_library
from catalog.accounts.readers import (
    block_account, get_managed_account, grantable_roles, register_account, reset_password, search_accounts,
    unblock_account, update_account,
)
from catalog.accounts.users import Role, clear_sign_in_lock, generate_password, get_user, set_disabled

routes = Routes()

LIBRARIANS = (Role.LIBRARIAN,)


def _library_choices() -> list[tuple[int, str]]:
    db = get_session()
    return [(library.id, f"{library.code} — {library.name}") for library in list_libraries(db)
            if can_manage_library(db, current_user, library.id)]


def role_label(role: str) -> str:
    return labels.label("role", role)


@routes.get("/readers")
@roles_required(*LIBRARIANS)
def readers():
    query = request.args.get("q", "")
    found = search_accounts(get_session(), current_user, query)
    return render_template("staff/readers.html", readers=found, query=query)


def _register(form: AccountForm, role: str):
    password = form.password.data or generate_password()
    user = attempt(form, lambda: register_account(
        get_session(), current_user, role=role, username=form.username.data or form.card_barcode.data or "",
        password=password, library_id=form.library_id.data or None, display_name=form.display_name.data,
        card_barcode=form.card_barcode.data or "", email=form.email.data or "", phone=form.phone.data or "",
        now=utcnow()))
    if user is not None:
        get_session().commit()
        flash(_("Account {username} created.").format(username=user.username), "info")
        if not form.password.data:
            flash(_("Its password is {password} — give it to the account holder now; it is not shown again.")
                  .format(password=password), "info")
    return user


@routes.route("/readers/new", methods=["GET", "POST"])
@roles_required(*LIBRARIANS)
def reader_new():
    form = AccountForm()
    form.library_id.choices = choices(_library_choices())
    if form.validate_on_submit():
        # The role comes from the form only to be checked: a tampered one is refused and logged.
        user = _register(form, form.role.data or Role.READER.value)
        if user is not None:
            return redirect(url_for("staff.reader_edit", user_id=user.id))
    return render_template("staff/reader_form.html", form=form, reader=None), 400 if request.method == "POST" else 200


@routes.route("/readers/<int:user_id>", methods=["GET", "POST"])
@roles_required(*LIBRARIANS)
def reader_edit(user_id: int):
    reader = get_managed_account(get_session(), current_user, user_id)
    form = AccountForm(obj=reader if request.method == "GET" else None)
    form.library_id.choices = choices(_library_choices())
    if form.validate_on_submit():
        saved = attempt(form, lambda: update_account(
            get_session(), current_user, reader, display_name=form.display_name.data,
            card_barcode=form.card_barcode.data or "", email=form.email.data or "", phone=form.phone.data or "",
            library_id=form.library_id.data or None, now=utcnow()))
        if saved is not None:
            get_session().commit()
            flash(_("Account {username} saved.").format(username=reader.username), "info")
            return redirect(url_for("staff.reader_edit", user_id=user_id))
    return render_template("staff/reader_form.html", form=form, reader=reader, block_form=BlockForm(),
                           reset_form=ResetPasswordForm(), role_label=role_label), 400 if request.method == "POST" else 200


@routes.post("/readers/<int:user_id>/block")
@roles_required(*LIBRARIANS)
def reader_block(user_id: int):
    reader = get_managed_account(get_session(), current_user, user_id)
    form = BlockForm()
    form.validate_on_submit()
    block_account(get_session(), current_user, reader, reason=form.reason.data or "", now=utcnow())
    get_session().commit()
    flash(_("{name} is blocked.").format(name=reader.display_name), "info")
    return redirect(url_for("staff.reader_edit", user_id=user_id))


@routes.post("/readers/<int:user_id>/unblock")
@roles_required(*LIBRARIANS)
def reader_unblock(user_id: int):
    reader = get_managed_account(get_session(), current_user, user_id)
    form = BlockForm()
    form.validate_on_submit()
    unblock_account(get_session(), current_user, reader, reason=form.reason.data or "", now=utcnow())
    get_session().commit()
    flash(_("{name} is no longer blocked.").format(name=reader.display_name), "info")
    return redirect(url_for("staff.reader_edit", user_id=user_id))


@routes.post("/readers/<int:user_id>/password")
@roles_required(*LIBRARIANS)
def reader_password(user_id: int):
    reader = get_managed_account(get_session(), current_user, user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        flash(_("A password needs at least 8 characters."), "error")
        return redirect(url_for("staff.reader_edit", user_id=user_id))
    reset_password(get_session(), current_user, reader, password=form.password.data, now=utcnow())
    get_session().commit()
    if reader.id == current_user.id:  # a reset ends every session; keep this one
        login_user(reader)
    flash(_("New password set for {username}.").format(username=reader.username), "info")
    return redirect(url_for("staff.reader_edit", user_id=user_id))


@routes.get("/readers/<int:user_id>/card.pdf")
@roles_required(*LIBRARIANS)
def reader_card(user_id: int):
    reader = get_managed_account(get_session(), current_user, user_id)
    return send_file(card_pdf(reader), mimetype="application/pdf", as_attachment=True,
                     download_name=f"card-{reader.card_barcode or reader.username}.pdf")


@routes.get("/readers/<int:user_id>/history")
@roles_required(*LIBRARIANS)
def reader_history(user_id: int):
    reader = get_managed_account(get_session(), current_user, user_id)
    return render_template("staff/history.html", title=reader.display_name,
                           entries=history(get_session(), "user", user_id),
                           back=url_for("staff.reader_edit", user_id=user_id))


@routes.get("/accounts")
@roles_required()
def accounts():
    query = request.args.get("q", "")
    found = search_accounts(get_session(), current_user, query, readers_only=False)
    return render_template("staff/accounts.html", accounts=found, query=query, role_label=role_label)


@routes.route("/accounts/new", methods=["GET", "POST"])
@roles_required()
def account_new():
    form = StaffAccountForm()
    form.role.choices = choices([(r.value, role_label(r.value)) for r in grantable_roles(current_user)])
    form.library_id.choices = choices([(0, _("(none)"))] + _library_choices())
    if form.validate_on_submit():
        user = _register(form, form.role.data)
        if user is not None:
            return redirect(url_for("staff.reader_edit", user_id=user.id))
    return render_template("staff/account_form.html", form=form), 400 if request.method == "POST" else 200


@routes.post("/accounts/<int:user_id>/disable")
@roles_required()
def account_disable(user_id: int):
    account = _set_disabled(user_id, is_disabled=True)
    flash(_("{username} is disabled: it cannot sign in, and its sessions are ended.").format(
        username=account.username), "info")
    return redirect(url_for("staff.reader_edit", user_id=user_id))


@routes.post("/accounts/<int:user_id>/enable")
@roles_required()
def account_enable(user_id: int):
    account = _set_disabled(user_id, is_disabled=False)
    flash(_("{username} can sign in again.").format(username=account.username), "info")
    return redirect(url_for("staff.reader_edit", user_id=user_id))


def _set_disabled(user_id: int, *, is_disabled: bool):
    """Disable or enable the account (with the form's reason, audited) and commit."""
    account = get_user(get_session(), user_id)
    form = BlockForm()
    form.validate_on_submit()
    set_disabled(get_session(), current_user, account, is_disabled=is_disabled, reason=form.reason.data or "",
                 now=utcnow())
    get_session().commit()
    return account


@routes.post("/accounts/<int:user_id>/unlock")
@roles_required()
def account_unlock(user_id: int):
    account = get_user(get_session(), user_id)  # the form is only the CSRF token (checked app-wide)
    clear_sign_in_lock(get_session(), current_user, account, now=utcnow())
    get_session().commit()
    flash(_("Sign-in is unlocked for {username}.").format(username=account.username), "info")
    return redirect(url_for("staff.reader_edit", user_id=user_id))


@routes.get("/audit")
@roles_required()
def audit_log():
    action = request.args.get("action") or None
    return render_template("staff/audit.html", entries=entries(get_session(), action=action), action=action)
