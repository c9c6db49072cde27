"""Targets managed by an admin, and copied records saved by a cataloguer with their source.

Services take a session and never commit; roles are checked here as well as in the routes."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.audit import log_change, snapshot
from catalog.records.cataloguing import save_record
from catalog.copycat.models import CHARSETS, PROTOCOLS, RECORD_SYNTAXES, SRU_VERSIONS, CopycatTarget
from catalog.errors import N_, DuplicateCode, NotFound, PermissionDenied, ValidationError
from catalog.accounts.permissions import require_cataloguer
from catalog.records.models import Record, RecordDraft
from catalog.accounts.users import Role, User

_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,253})$|^\[?[0-9a-fA-F:]+\]?$")
_DATABASE = re.compile(r"^[A-Za-z0-9_.~/?=&:;-]{0,255}$")
FIELDS = ("name", "protocol", "host", "port", "database", "record_syntax", "charset", "sru_version", "org_code",
          "is_enabled", "timeout")
MAX_TIMEOUT = 30


class TargetNotFound(NotFound):
    pass


@dataclasses.dataclass
class TargetDraft:
    """A target as the admin's form gives it."""

    name: str
    protocol: str
    host: str
    port: int
    database: str = ""
    record_syntax: str = "marc21"
    charset: str = "auto"
    sru_version: str = "1.2"
    org_code: str = ""
    is_enabled: bool = True
    timeout: int = 5


def require_admin(actor: User) -> None:
    """Only admins manage the targets (they decide whom the library talks to)."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(N_("Only administrators can manage copy-cataloguing targets."))


def checked_target(draft: TargetDraft) -> TargetDraft:
    """The draft trimmed and checked; ValidationError names the field."""
    draft = dataclasses.replace(draft, name=draft.name.strip(), host=draft.host.strip(),
                                database=draft.database.strip().strip("/"), org_code=draft.org_code.strip())
    if not draft.name:
        raise ValidationError(N_("Give the target a name."), field="name")
    if draft.protocol not in PROTOCOLS:
        raise ValidationError(N_("The protocol must be SRU or Z39.50."), field="protocol")
    if not _HOST.match(draft.host):
        raise ValidationError(N_("“{host}” is not a host name or IP address."), host=draft.host[:60], field="host")
    if not 1 <= (draft.port or 0) <= 65535:
        raise ValidationError(N_("The port must be a number from 1 to 65535."), field="port")
    if not _DATABASE.match(draft.database):
        raise ValidationError(N_("The database name has characters that cannot be sent."), field="database")
    if draft.record_syntax not in RECORD_SYNTAXES:
        raise ValidationError(N_("Unknown record syntax."), field="record_syntax")
    if draft.protocol == "z3950" and draft.record_syntax != "marc21":
        raise ValidationError(N_("Over Z39.50 records come as MARC21 (ISO 2709); MARCXML and Dublin Core are for "
                                 "SRU."), field="record_syntax")
    if draft.protocol == "sru" and draft.record_syntax == "marc21":
        draft.record_syntax = "marcxml"  # SRU sends MARC21 as MARCXML
    if draft.charset not in CHARSETS:
        raise ValidationError(N_("Unknown character set."), field="charset")
    if draft.sru_version not in SRU_VERSIONS:
        raise ValidationError(N_("The SRU version must be 1.2 or 2.0."), field="sru_version")
    if not 1 <= (draft.timeout or 0) <= MAX_TIMEOUT:
        raise ValidationError(N_("The time limit must be from 1 to {most} seconds."), most=MAX_TIMEOUT,
                              field="timeout")
    if len(draft.org_code) > 32 or any(c in draft.org_code for c in "()\x1e\x1f"):
        raise ValidationError(N_("The organisation code is at most 32 characters, without brackets."),
                              field="org_code")
    return draft


def list_targets(session: Session, *, enabled_only: bool = False) -> list[CopycatTarget]:
    """Targets by name (only the enabled ones when asked)."""
    query = select(CopycatTarget).order_by(CopycatTarget.name)
    if enabled_only:
        query = query.where(CopycatTarget.is_enabled.is_(True))
    return list(session.scalars(query))


def get_target(session: Session, target_id: int) -> CopycatTarget:
    """The target with this id, or TargetNotFound."""
    target = session.get(CopycatTarget, target_id)
    if target is None:
        raise TargetNotFound(N_("No copy-cataloguing target with id {target_id}."), target_id=target_id)
    return target


def save_target(session: Session, actor: User, draft: TargetDraft, *, target: CopycatTarget | None = None,
                now: dt.datetime) -> CopycatTarget:
    """Add a target, or change one (admins); audited."""
    require_admin(actor)
    draft = checked_target(draft)
    clash = session.scalar(select(CopycatTarget.id).where(CopycatTarget.name == draft.name))
    if clash is not None and (target is None or clash != target.id):
        raise DuplicateCode(N_("A target named “{name}” already exists."), name=draft.name, field="name")
    before = snapshot(target, FIELDS) if target is not None else None
    if target is None:
        target = CopycatTarget(created_at=now)
        session.add(target)
    for name in FIELDS:
        setattr(target, name, getattr(draft, name))
    target.updated_at = now
    session.flush()
    log_change(session, actor, "copycat_target", target.id, "create" if before is None else "update", before,
               snapshot(target, FIELDS), now)
    return target


def delete_target(session: Session, actor: User, target: CopycatTarget, *, now: dt.datetime) -> None:
    """Remove a target (admins); records copied from it keep their 003/035."""
    require_admin(actor)
    log_change(session, actor, "copycat_target", target.id, "delete", snapshot(target, FIELDS), None, now)
    session.delete(target)
    session.flush()


def record_test(session: Session, actor: User, target: CopycatTarget, *, is_ok: bool, message: str,
                now: dt.datetime) -> CopycatTarget:
    """Keep the outcome of the admin's test of a target (shown on the targets page)."""
    require_admin(actor)
    target.last_tested_at, target.last_test_ok, target.last_test_message = now, is_ok, message[:2000]
    return target


def save_copy(session: Session, actor: User, draft: RecordDraft, *, marc: dict, source: str,
              merge_into: Record | None = None, now: dt.datetime) -> Record:
    """Save a copied (and edited) record as a new record, or write it onto the record it matches
    (keeping that record's copies and digital objects); audited with its source."""
    require_cataloguer(actor)
    if merge_into is not None and merge_into.is_deleted:
        raise ValidationError(N_("Record {record_id} is deleted; it cannot be edited."), record_id=merge_into.id)
    note = f"copy cataloguing from {source}"
    return save_record(session, actor, draft, marc=marc, record=merge_into, now=now, note=note)
