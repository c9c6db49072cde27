"""create-user: add an account from the command line (CONTRACT.md)."""
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
from catalog.readers import ACCOUNT_FIELDS
from catalog.users import Role, create_user, generate_password

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
