"""Harvest sources and runs: registering a partner (admins only), planning the next harvest,
and keeping track of how far a run has come."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import N_, NotFound, PermissionDenied, ValidationError
from catalog.jobs.models import Job
from catalog.harvest.models import PREFIXES, SCHEDULES, HarvestLink, HarvestRun, HarvestSource
from catalog.libraries import get_library
from catalog.accounts.users import Role, User

SCHEDULE_DAYS = {"daily": 1, "weekly": 7}


def require_admin(user: User | None) -> None:
    """Raise PermissionDenied unless the user is an admin (None is the system: the schedule)."""
    if user is not None and user.role != Role.ADMIN:
        raise PermissionDenied(N_("Only an administrator can manage harvest sources."))


def checked_url(base_url: str) -> str:
    """The base URL, if it is http(s)://host/...; ValidationError otherwise."""
    url = (base_url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(ch.isspace() for ch in url):
        raise ValidationError(N_("The base URL must start with http:// or https:// and name a server, for example "
                                 "https://thuvien.example.vn/oai."), field="base_url")
    if parts.username or parts.password:
        raise ValidationError(N_("The base URL must not hold a user name or password."), field="base_url")
    if parts.query or parts.fragment:
        raise ValidationError(N_("The base URL is the address without ?verb=…: leave out what follows “?”."),
                              field="base_url")
    return url[:1000]


def _apply(session: Session, source: HarvestSource, *, name: str, base_url: str, metadata_prefix: str,
           set_spec: str, schedule: str, library_id: int | None) -> None:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(N_("Give the source a name."), field="name")
    if metadata_prefix not in PREFIXES:
        raise ValidationError(N_("The metadata format must be oai_dc or marc21."), field="metadata_prefix")
    if schedule not in SCHEDULES:
        raise ValidationError(N_("The schedule must be manual, daily or weekly."), field="schedule")
    set_spec = (set_spec or "").strip()
    if len(set_spec) > 200 or any(ch.isspace() for ch in set_spec):
        raise ValidationError(N_("A set is a setSpec without spaces, such as library:TTVH."), field="set_spec")
    url = checked_url(base_url)
    if library_id is not None:
        get_library(session, library_id)
    if source.id and (url != source.base_url or metadata_prefix != source.metadata_prefix
                      or set_spec != source.set_spec):
        source.harvested_until = ""  # another list: the next harvest starts from its beginning
    source.name, source.base_url, source.metadata_prefix = name[:200], url, metadata_prefix
    source.set_spec, source.schedule, source.library_id = set_spec, schedule, library_id


def create_source(session: Session, actor: User | None, *, now: dt.datetime, **fields) -> HarvestSource:
    """Register an OAI-PMH source (name, base_url, metadata_prefix, set_spec, schedule, library_id)."""
    require_admin(actor)
    source = HarvestSource(created_at=now)
    _apply(session, source, **fields)
    session.add(source)
    session.flush()
    return source


def update_source(session: Session, actor: User | None, source: HarvestSource, **fields) -> HarvestSource:
    """Change a source's settings; a new address, format or set starts the next harvest afresh."""
    require_admin(actor)
    _apply(session, source, **fields)
    session.flush()
    return source


def get_source(session: Session, source_id: int) -> HarvestSource:
    """The source with this id, or NotFound."""
    source = session.get(HarvestSource, source_id)
    if source is None:
        raise NotFound(N_("No harvest source with id {source_id}."), source_id=source_id)
    return source


def list_sources(session: Session) -> list[HarvestSource]:
    """Every source, by name."""
    return list(session.scalars(select(HarvestSource).order_by(HarvestSource.name, HarvestSource.id)))


def record_identify(source: HarvestSource, *, repository_name: str, granularity: str) -> None:
    """Keep what the partner's Identify said (its name, and the granularity of from/until)."""
    source.repository_name = (repository_name or "")[:500]
    source.granularity = granularity if granularity in ("YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ") else ""


def from_value(source: HarvestSource) -> str:
    """The "from" of the next harvest: the last finished one's responseDate, at the partner's
    granularity (a day when it only knows days); '' for a first harvest."""
    if not source.harvested_until:
        return ""
    return source.harvested_until[:10] if source.granularity != "YYYY-MM-DDThh:mm:ssZ" else source.harvested_until


def open_run(session: Session, source_id: int) -> HarvestRun | None:
    """The source's harvest still running, if any (one whose job has ended, say given up after
    its worker died too often, no longer counts)."""
    runs = session.scalars(select(HarvestRun).where(HarvestRun.source_id == source_id, HarvestRun.status == "running")
                           .order_by(HarvestRun.id.desc()))
    for run in runs:
        job = session.get(Job, run.job_id) if run.job_id else None
        if job is None or not job.is_finished:
            return run
    return None


def start_run(session: Session, actor: User | None, source: HarvestSource, *, now: dt.datetime,
              import_run_id: int | None = None) -> HarvestRun:
    """A new harvest of the source from where the last one ended; refused while one runs."""
    require_admin(actor)
    if open_run(session, source.id) is not None:
        raise ValidationError(N_("A harvest of this source is already running; wait for it to finish."))
    run = HarvestRun(source_id=source.id, import_run_id=import_run_id, from_value=from_value(source), created_at=now,
                     counts={})
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, run_id: int) -> HarvestRun:
    """The harvest run with this id, or NotFound."""
    run = session.get(HarvestRun, run_id)
    if run is None:
        raise NotFound(N_("No harvest with id {run_id}."), run_id=run_id)
    return run


def recent_runs(session: Session, source_id: int, limit: int = 20) -> list[HarvestRun]:
    """The source's latest harvests, newest first."""
    return list(session.scalars(select(HarvestRun).where(HarvestRun.source_id == source_id)
                                .order_by(HarvestRun.id.desc()).limit(limit)))


def finish_run(session: Session, run: HarvestRun, *, now: dt.datetime) -> None:
    """The list was harvested to its end: the next harvest starts from this one's responseDate."""
    run.status, run.finished_at, run.resumption_token = "done", now, ""
    source = session.get(HarvestSource, run.source_id)
    if run.response_date:
        source.harvested_until = run.response_date
    source.last_finished_at = now


def fail_run(session: Session, run_id: int, *, message: str, now: dt.datetime) -> None:
    """The harvest stopped (its token is kept: a retry goes on from there)."""
    run = get_run(session, run_id)
    run.status, run.message, run.finished_at = "failed", message[:2000], now


def sources_due(session: Session, now: dt.datetime) -> list[HarvestSource]:
    """Scheduled sources whose last harvest finished a day (daily) or a week (weekly) ago or
    never, and that have no harvest running."""
    due = []
    for source in session.scalars(select(HarvestSource).where(HarvestSource.schedule.in_(tuple(SCHEDULE_DAYS)))
                                  .order_by(HarvestSource.id)):
        last = source.last_finished_at
        if last is not None and now - last < dt.timedelta(days=SCHEDULE_DAYS[source.schedule], minutes=-10):
            continue
        if open_run(session, source.id) is None:
            due.append(source)
    return due


def links_by_identifier(session: Session, source_id: int, identifiers: list[str]) -> dict[str, HarvestLink]:
    """This source's links for these OAI identifiers."""
    found: dict[str, HarvestLink] = {}
    wanted = sorted(set(identifiers))
    for start in range(0, len(wanted), 500):
        for link in session.scalars(select(HarvestLink).where(
                HarvestLink.source_id == source_id, HarvestLink.oai_identifier.in_(wanted[start:start + 500]))):
            found[link.oai_identifier] = link
    return found

