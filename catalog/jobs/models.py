"""Background jobs (imports, scan ingest, OCR): state and progress kept in the database.

A worker claims a job by taking a lease on its row (status running, lease_until) and renews it
while it works. A worker killed mid-job stops renewing: once the lease has expired the job is
queued again (up to a number of attempts) or marked failed with a plain message, never left
running for ever."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.db import Base, string_enum, utcnow
from catalog.errors import N_, CatalogError, NotFound

# Messages stored on a job when its worker stopped (shown translated on the job page).
RESTARTED = N_("The worker running this job stopped; the job is started again.")
GAVE_UP = N_("The worker running this job stopped before it finished, too many times: the job is marked failed. "
             "Retry it once the cause (a lack of memory, a machine restarted) is dealt with.")


class JobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[JobStatus] = mapped_column(
        string_enum(JobStatus, 16),
        default=JobStatus.QUEUED,
    )
    label: Mapped[str] = mapped_column(String(500), default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    # Arguments the job needs (paths, options) and what it produced (counts, report rows).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The worker holding the job renews this; past it, the job is taken back (see expire_leases).
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(100 * self.progress / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


def create_job(session: Session, kind: str, *, label: str = "", params: dict | None = None, user_id: int | None = None) -> Job:
    """Queue a job; the caller commits, then hands its id to the runner."""
    job = Job(kind=kind, label=label, params=params or {}, created_by_id=user_id)
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> Job:
    """The job with this id, or NotFound."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(N_("No job with id {job_id}."), job_id=job_id)
    return job


class JobNotRetryable(CatalogError):
    status = 409


def claim_job(session: Session, job_id: int, *, now: dt.datetime, lease: dt.timedelta) -> bool:
    """Take the job for this worker: True when it was queued (or its lease had expired) and is
    now running under a fresh lease; False when another worker holds it or it is finished."""
    taken = session.execute(
        update(Job).where(Job.id == job_id, or_(
            Job.status == JobStatus.QUEUED,
            (Job.status == JobStatus.RUNNING) & (Job.lease_until < now),
        )).values(status=JobStatus.RUNNING, lease_until=now + lease, attempts=Job.attempts + 1,
                  started_at=now).execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def renew_lease(session: Session, job_id: int, *, now: dt.datetime, lease: dt.timedelta) -> None:
    """The worker is alive and still on the job."""
    session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                    .values(lease_until=now + lease).execution_options(synchronize_session=False))


def expire_leases(session: Session, *, now: dt.datetime, max_attempts: int) -> tuple[list[int], list[int]]:
    """Jobs whose worker stopped renewing its lease: queued again while attempts remain, else
    failed with a plain message. Returns (ids to queue again, ids marked failed)."""
    lost = session.scalars(select(Job).where(Job.status == JobStatus.RUNNING, Job.lease_until < now)
                           .order_by(Job.id).with_for_update(skip_locked=True)).all()
    again, failed = [], []
    for job in lost:
        if job.attempts < max_attempts:
            job.status, job.lease_until, job.message = JobStatus.QUEUED, None, RESTARTED
            again.append(job.id)
        else:
            job.status, job.lease_until, job.finished_at, job.message = JobStatus.FAILED, None, now, GAVE_UP
            failed.append(job.id)
    session.flush()
    return again, failed


def retry_job(session: Session, job_id: int) -> Job:
    """Queue a failed job again from the start of its work (its finished parts are skipped)."""
    job = get_job(session, job_id)
    if job.status != JobStatus.FAILED:
        raise JobNotRetryable(N_("Only a failed job can be retried; this one is {status}."), status=job.status.value)
    job.status, job.attempts, job.finished_at, job.lease_until = JobStatus.QUEUED, 0, None, None
    job.message, job.result = "", None
    session.flush()
    return job


def active_job_params(session: Session) -> list[dict]:
    """The parameters of the jobs queued or running (their uploaded files are still needed)."""
    return [params or {} for params in session.scalars(
        select(Job.params).where(Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))))]


def end_job(session: Session, job_id: int, *, attempt: int | None, now: dt.datetime, **values) -> bool:
    """Record a running job's outcome (status, result, message); False when it is no longer this
    attempt's (its lease expired and another worker took it, or it ended already)."""
    where = [Job.id == job_id, Job.status == JobStatus.RUNNING]
    if attempt is not None:
        where.append(Job.attempts == attempt)
    ended = session.execute(update(Job).where(*where).values(finished_at=now, lease_until=None, **values)
                            .execution_options(synchronize_session=False))
    return ended.rowcount == 1


def add_progress(session: Session, job_id: int, *, attempt: int, done: int) -> None:
    """Count work done by one part of a job (parts on several workers add at once)."""
    session.execute(update(Job).where(Job.id == job_id, Job.attempts == attempt)
                    .values(progress=Job.progress + done).execution_options(synchronize_session=False))


def oldest_waiting(session: Session) -> dt.datetime | None:
    """When the oldest job still queued was created (None when none waits)."""
    return session.scalar(select(Job.created_at).where(Job.status == JobStatus.QUEUED)
                          .order_by(Job.created_at).limit(1))
