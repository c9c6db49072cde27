"""Accounts from the command line: create-user (CONTRACT.md), unlock-user, disable-user, enable-user."""
from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from catalog.audit import log_change, snapshot
from catalog.db import utcnow
from catalog.errors import CatalogError
from catalog.libraries import get_library_by_code
from catalog.accounts.readers import ACCOUNT_FIELDS
from catalog.accounts.users import Role, clear_sign_in_lock, create_user, find_user, generate_password, set_disabled

ROLES = ", ".join(role.value for role in Role)


@click.command("create-user")
@click.argument("name")
@click.option("--role", required=True, help=f"One of: {ROLES}.")
@click.option("--library", "library_code", default=None, help="The library's code (librarians need one).")
@click.option("--password", default=None, help="Without it: asked for (or generated and printed when not interactive).")
@click.option("--display-name", default="", help="The person's full name.")
@click.option("--card", default="", help="Reader card number (readers).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@with_appcontext
def create_user_command(name: str, role: str, library_code: str | None, password: str | None, display_name: str,
                        card: str, as_json: bool) -> None:
    """Add an account NAME with a role (admin, cataloguer, librarian, reader)."""
    try:
        wanted = Role(role.strip().lower())
    except ValueError:
        raise click.UsageError(f"Unknown role {role!r}: use one of {ROLES}.") from None
    generated = False
    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password, generated = generate_password(), True
    try:
        with current_app.extensions["session_factory"].begin() as session:
            library = get_library_by_code(session, library_code) if library_code else None
            user = create_user(session, name, role=wanted, password=password, library=library,
                               display_name=display_name, card_barcode=card or None)
            log_change(session, None, "user", user.id, "create", None, snapshot(user, ACCOUNT_FIELDS), utcnow(),
                       note="create-user (command line)")
            summary = {"id": user.id, "username": user.username, "role": user.role.value,
                       "library": library.code if library else None}
    except CatalogError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created {summary['username']} ({summary['role']}"
               + (f", {summary['library']}" if summary["library"] else "") + ").")
    if generated:
        click.echo(f"Generated password: {password}")
        summary["password"] = password
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))


def _change_account(name: str, change, done: str) -> None:
    """Apply `change(session, user, now)` to the account NAME and audit it, or fail clearly."""
    with current_app.extensions["session_factory"].begin() as session:
        user = find_user(session, name)
        if user is None:
            raise click.ClickException(f"No account named {name!r}.")
        try:
            change(session, user, utcnow())
        except CatalogError as error:
            raise click.ClickException(error.message) from None
        click.echo(done.format(username=user.username))


@click.command("unlock-user")
@click.argument("name")
@with_appcontext
def unlock_user_command(name: str) -> None:
    """Lift a sign-in lock on account NAME (failed sign-ins so far stop counting)."""
    _change_account(name, lambda session, user, now: clear_sign_in_lock(
        session, None, user, now=now, note="unlock-user (command line)"), "Sign-in unlocked for {username}.")


@click.command("disable-user")
@click.argument("name")
@click.option("--reason", default="", help="Why (kept in the audit trail).")
@with_appcontext
def disable_user_command(name: str, reason: str) -> None:
    """Disable account NAME: it cannot sign in and its open sessions end."""
    _change_account(name, lambda session, user, now: set_disabled(
        session, None, user, is_disabled=True, reason=reason, now=now, note="(command line)"),
        "Disabled {username}; its sessions are ended.")


@click.command("enable-user")
@click.argument("name")
@with_appcontext
def enable_user_command(name: str) -> None:
    """Enable account NAME again."""
    _change_account(name, lambda session, user, now: set_disabled(
        session, None, user, is_disabled=False, now=now, note="(command line)"), "Enabled {username}.")


COMMANDS = (create_user_command, unlock_user_command, disable_user_command, enable_user_command)
