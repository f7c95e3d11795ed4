"""Timeliness of a dossier, as the national scorecard computes it (QĐ 766, indicator 2.1;
RULES.md §2). Pure functions of a dossier's recorded instants, shared with the reports.

- End of processing: processed, else returned, else stopped/refused/withdrawn
  (``Dossier.finished_at``). If the citizen had not returned the requested documents
  when it ended, the end is the moment of the request (``paused_since``).
- Supplement requests pause the clock; the paused office time extends the due instant.
- More than one supplement request makes the dossier late, whatever the dates.
- On time iff end <= (extended) due. "Early" (inside on time) when it ends on an earlier
  calendar day than the due day — the scorecard counts it as on time either way.
- An open dossier is measured at ``as_of``: past due = overdue; within one working day
  of the due = due soon; waiting for a supplement requested before the due = paused.
- An apology gives the citizen a new date but does not change any of this.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from cchc.workcal.calendar import VN_TZ
from cchc.workcal.deadlines import add_working_time, working_days_to_timedelta, working_time_between

from .models import Status, Timeliness

NOT_MEASURED = ""


@dataclass(frozen=True)
class Clock:
    """What timeliness needs of a dossier (a model instance or an imported record)."""

    status: int
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    supplement_count: int
    paused_seconds: int
    paused_since: datetime | None

    @classmethod
    def of(cls, dossier) -> "Clock":
        return cls(
            status=dossier.status, received_at=dossier.received_at, due_at=dossier.due_at,
            finished_at=dossier.finished_at, supplement_count=dossier.supplement_count,
            paused_seconds=dossier.paused_seconds, paused_since=dossier.paused_since,
        )


def effective_due(clock: Clock) -> datetime | None:
    if clock.due_at is None:
        return None
    if not clock.paused_seconds:
        return clock.due_at
    return add_working_time(clock.due_at, timedelta(seconds=clock.paused_seconds))


def end_of_processing(clock: Clock) -> datetime | None:
    if clock.paused_since is not None and clock.finished_at is not None:
        return min(clock.paused_since, clock.finished_at)
    return clock.finished_at


def classify(clock: Clock, as_of: datetime | None = None) -> str:
    """Early / on time / late for a finished dossier; within / due soon / paused / overdue
    for one open at ``as_of``; "" for a dossier that was never received."""
    if clock.received_at is None or clock.due_at is None:
        return NOT_MEASURED
    due = effective_due(clock)
    end = end_of_processing(clock)
    if end is not None and clock.status not in (Status.NEW, Status.RECEIVED, Status.PROCESSING,
                                                Status.SUPPLEMENT, Status.FINANCIAL):
        if clock.supplement_count > 1 or end > due:
            return Timeliness.LATE
        if end.astimezone(VN_TZ).date() < due.astimezone(VN_TZ).date():
            return Timeliness.EARLY
        return Timeliness.ON_TIME
    if as_of is None:
        raise ValueError("An open dossier is measured at an instant: pass as_of.")
    if clock.supplement_count > 1:
        return Timeliness.OVERDUE
    if clock.paused_since is not None:
        return Timeliness.OVERDUE if clock.paused_since > due else Timeliness.PAUSED
    if as_of > due:
        return Timeliness.OVERDUE
    if working_time_between(as_of, due) <= working_days_to_timedelta(1):
        return Timeliness.DUE_SOON
    return Timeliness.WITHIN


def is_on_time(value: str) -> bool:
    return value in (Timeliness.EARLY, Timeliness.ON_TIME)


def step_result(started_at: datetime, finished_at: datetime, due_at: datetime) -> str:
    """Per hand-over on the control sheet (form 06): trước hạn / đúng hạn / quá hạn."""
    if finished_at > due_at:
        return Timeliness.LATE
    if finished_at.astimezone(VN_TZ).date() < due_at.astimezone(VN_TZ).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME
