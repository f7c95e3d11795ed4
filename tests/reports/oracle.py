"""Dossier histories played through the real one-stop services, and the oracle the report is
checked against: each dossier's clock is photographed at every period end (before the first
action at or after it), and classified there with ``onestop.timeliness.classify``."""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from cchc.onestop import services
from cchc.onestop.models import Dossier, Timeliness
from cchc.onestop.timeliness import Clock, classify
from cchc.workcal.calendar import VN_TZ
from tests.onestop.conftest import APPLICANT


def local(text) -> datetime.datetime:
    if isinstance(text, datetime.datetime):
        return text
    return datetime.datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


@dataclass
class History:
    """``steps``: [(when, action, params)]; the first action is "receive" or "submit"."""

    agency: object
    procedure: object
    steps: list
    channel: int = 1
    label: str = ""
    dossier: Dossier | None = None
    unit_key: str = ""
    snapshots: dict = field(default_factory=dict)  # cut -> Clock | None


def _apply(history: History, when: datetime.datetime, action: str, params: dict):
    d = history.dossier
    kw = {"actor": None, "at": when}
    if action == "receive":
        history.dossier = services.receive_dossier(
            agency=history.agency, procedure=history.procedure, applicant=APPLICANT,
            channel=history.channel, **kw)
    elif action == "submit":
        history.dossier = services.submit_online(agency=history.agency, procedure=history.procedure,
                                                 applicant=APPLICANT, at=when)
    elif action == "accept":
        services.accept_dossier(d, **kw)
    elif action == "refuse":
        services.refuse_dossier(d, reason="Không thuộc thẩm quyền", **kw)
    elif action == "transfer":
        services.transfer_dossier(d, **kw)
    elif action == "supplement":
        services.request_supplement(d, reason="Thiếu giấy tờ",
                                    documents=params.get("documents", ["Giấy tờ tùy thân"]), **kw)
    elif action == "resume":
        services.receive_supplement(d, **kw)
    elif action == "financial":
        services.request_financial(d, **kw)
    elif action == "paid":
        services.receive_financial(d, **kw)
    elif action == "approve":
        services.approve_dossier(d, **kw)
    elif action == "return":
        services.return_result(d, **kw)
    elif action == "stop":
        services.stop_processing(d, reason="Không đủ điều kiện", **kw)
    elif action == "withdraw":
        services.withdraw_dossier(d, reason="Công dân xin rút", **kw)
    elif action == "apologize":
        d.refresh_from_db()
        new_due = max(d.due_at, when) + datetime.timedelta(days=params.get("days", 5))
        services.issue_apology(d, reason="Chờ xác minh", new_due_at=new_due, **kw)
    else:  # pragma: no cover
        raise ValueError(action)


def _snapshot(history: History):
    if history.dossier is None:
        return None
    history.dossier.refresh_from_db()
    return Clock.of(history.dossier)


def play(histories: list[History], cuts: list[datetime.datetime]):
    """Run every history through the services; photograph each dossier at each cut."""
    cuts = sorted(set(cuts))
    for history in histories:
        pending = list(cuts)
        for when, action, params in history.steps:
            when = local(when)
            while pending and pending[0] <= when:
                history.snapshots[pending.pop(0)] = _snapshot(history)
            _apply(history, when, action, params or {})
        for cut in pending:
            history.snapshots[cut] = _snapshot(history)
        history.dossier.refresh_from_db()
        history.unit_key = f"{history.dossier.unit.era}:{history.dossier.unit.code}"


MEASURE_NAMES = ("received", "online", "carried_over", "new_direct_postal", "resolved", "on_time",
                 "late", "pending", "within", "overdue")


def expected(histories: list[History], start: datetime.date, end: datetime.date, key=None):
    """{row key: {measure: set of dossier codes}} for the period [start, end], by ``classify``."""
    start_at = datetime.datetime.combine(start, datetime.time(0), tzinfo=VN_TZ)
    end_at = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(0), tzinfo=VN_TZ)
    result = defaultdict(lambda: {m: set() for m in MEASURE_NAMES})
    for history in histories:
        clock = history.snapshots[end_at]
        if clock is None or clock.received_at is None:
            continue
        if clock.finished_at is not None and clock.finished_at < start_at:
            continue
        code = history.dossier.code
        row = result[key(history) if key else history.unit_key]
        row["received"].add(code)
        if clock.received_at < start_at:
            row["carried_over"].add(code)
        elif history.dossier.channel == 2:
            row["online"].add(code)
        else:
            row["new_direct_postal"].add(code)
        if clock.finished_at is not None:
            row["resolved"].add(code)
            value = classify(clock)
            row["late" if value == Timeliness.LATE else "on_time"].add(code)
        else:
            row["pending"].add(code)
            value = classify(clock, end_at)
            row["overdue" if value == Timeliness.OVERDUE else "within"].add(code)
    return result


def period_ends(periods):
    return [datetime.datetime.combine(e + datetime.timedelta(days=1), datetime.time(0), tzinfo=VN_TZ)
            for _s, e in periods]


# -- random histories ---------------------------------------------------------------------------


def random_history(rng: random.Random, agency, procedure, start: datetime.datetime,
                   *, max_gap_hours: float = 120) -> History:
    """A plausible random walk through the transitions table, at any hour (nights and
    week-ends included, which the calendar must absorb)."""
    t = start
    steps = []

    def later():
        nonlocal t
        t = t + datetime.timedelta(minutes=rng.randint(5, int(max_gap_hours * 60)))
        return t

    channel = rng.choice([1, 1, 2, 2, 3])
    if channel == 2:
        steps.append((t, "submit", None))
        fate = rng.random()
        if fate < 0.1:
            steps.append((later(), "refuse", None))
            return History(agency, procedure, steps, channel=channel, label="refused")
        if fate < 0.15:
            steps.append((later(), "withdraw", None))
            return History(agency, procedure, steps, channel=channel, label="withdrawn unreceived")
        if fate < 0.2:
            return History(agency, procedure, steps, channel=channel, label="never accepted")
        steps.append((later(), "accept", None))
    else:
        steps.append((t, "receive", None))
    status, position, apologised = "received", 1, False
    for _ in range(rng.randint(0, 9)):
        if rng.random() < 0.08:
            break  # left open
        options = []
        if status in ("received", "processing"):
            options += ["supplement"] * 2 + ["stop", "withdraw"]
            options += ["approve"] * 4 if position == 3 else ["transfer"] * 4
            if status == "processing":
                options.append("financial")
        elif status == "supplement":
            options += ["resume"] * 5 + ["stop", "withdraw"]
        elif status == "financial":
            options += ["paid"] * 3 + ["withdraw"]
        elif status == "processed":
            options.append("return")
        else:
            break
        if status in ("received", "processing", "supplement", "financial") and not apologised:
            options.append("apologize")
        action = rng.choice(options)
        steps.append((later(), action, None))
        if action == "transfer":
            status, position = "processing", position + 1
        elif action == "supplement":
            status = "supplement"
        elif action == "resume" or action == "paid":
            status = "processing"
        elif action == "financial":
            status = "financial"
        elif action == "approve":
            status = "processed"
        elif action == "apologize":
            apologised = True
        elif action in ("return", "stop", "withdraw"):
            status = "done"
    return History(agency, procedure, steps, channel=channel, label="random")
