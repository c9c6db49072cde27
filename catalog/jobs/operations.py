"""What an operator watches, read from the database: the search index backlog and the job queue."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.jobs.models import Job, JobStatus
from catalog.records.models import Record


@dataclasses.dataclass(frozen=True)
class QueueState:
    """Jobs waiting and running, and the one waiting longest (None when nothing waits)."""

    waiting: int
    running: int
    oldest_id: int | None = None
    oldest_kind: str | None = None
    oldest_since: dt.datetime | None = None


def stale_record_count(session: Session) -> int:
    """Records whose index entry is behind the database (changed, added or deleted since indexed)."""
    return session.scalar(select(func.count()).select_from(Record).where(Record.index_stale.is_(True))) or 0


def queue_state(session: Session) -> QueueState:
    """How many jobs wait and run, and which has waited longest."""
    counts = {JobStatus(status): count for status, count in session.execute(
        select(Job.status, func.count()).where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])).group_by(Job.status)
    )}
    oldest = session.execute(
        select(Job.id, Job.kind, Job.created_at).where(Job.status == JobStatus.QUEUED).order_by(Job.created_at, Job.id)
        .limit(1)
    ).first()
    return QueueState(waiting=counts.get(JobStatus.QUEUED, 0), running=counts.get(JobStatus.RUNNING, 0),
                      **({"oldest_id": oldest[0], "oldest_kind": oldest[1], "oldest_since": oldest[2]} if oldest else {}))
