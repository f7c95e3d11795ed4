"""Historical dossiers from a JSON Lines file (``cchc import-dossiers FILE.jsonl``).

One dossier per line::

    {"code": "000.02.62.H87-240215-0007",        (optional: allocated when absent)
     "procedure": "1.001612" | "1.001612.000.00.00.H87",
     "agency": "000.02.62.H87", "channel": "direct" | "online" | "postal",
     "applicant": {"name": ..., "id_number": ..., "phone": ..., "address": ..., "email": ...},
     "received_at": "2024-02-15T09:00:00+07:00", "due_at": optional,
     "request": optional, "sets": optional,
     "events": [{"type": "transferred", "at": ...}, ...]}

Event types and the live action each one is: accepted (accept), refused (refuse),
transferred (transfer), supplement_requested (request_supplement; optional "reason",
"documents"), supplement_received (receive_supplement), financial_requested
(request_financial; optional "amount"), financial_received (receive_financial), processed
(approve; optional "result"), returned (return_result; optional "rating": a level or
{"level", "comment", "at"}), stopped (stop), withdrawn (withdraw), apology (apologize;
"new_due_at" required). Every event may carry "note" or "reason".

Each line is checked (bad JSON, unknown fields, unknown procedure or agency, an agency
that is not a receiving desk or did not exist that day, a procedure not in force that day,
bad or future instants, events out of order or impossible in the lifecycle according to
``transitions.TRANSITIONS``, a supplement received without a request, a code of the wrong
format, of another desk or day, or already used) and every error names the line and the
field. The dossiers are then classified exactly like live ones: the same replay of the
events as the services do (clock start, due from the version in force at reception and the
working calendar with its explanation, paused office time of each supplement interval,
end of processing, ``timeliness.classify``), with ``imported=True`` and one
``DossierEvent`` per event (no actor, ``data["imported"] = True``).

Choices where the issue is silent:
- ``received_at`` is when the dossier reached the desk. An online dossier whose events
  contain "accepted" or "refused" waited in status 1 until then (the clock starts at
  "accepted"); otherwise the old system recorded the acceptance only, and the clock starts
  at ``received_at``. Direct and postal dossiers start received.
- ``due_at``, when given, is kept as it is (the explanation then only says so).
- The old system's internal hand-overs need not match the province's internal process:
  the steps are rebuilt on the current process (``ProcessTemplate`` or the default), a
  transfer past the approval step runs that step again, and "processed" may come from any
  step; the transition table still applies.
- Historical dossiers may belong to desks that are no longer active; the desk's unit must
  however have existed on the reception day.
- Codes: absent ones come from the daily counters, after the largest code given in the
  file for that desk and day (so a later given code cannot collide); the counters end at
  the largest number stored. In ``--skip-bad`` mode a rejected line's given code can thus
  leave a number unused below allocated ones; the old system's own gaps stay as they were.

Writing: rows are built in Python and written with ``bulk_create`` in batches, in one
transaction; without ``skip_bad`` any bad line rolls everything back.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalog.models import Procedure, ProcedureVersion
from cchc.errors import DomainError
from cchc.org.models import Agency, Role
from cchc.workcal.calendar import VN_TZ
from cchc.workcal.deadlines import (
    add_working_time,
    explain_due,
    working_days_to_timedelta,
    working_time_between,
)

from . import bulk
from .models import Channel, Dossier, DossierEvent, DossierStep, ProcessTemplate, Rating, Status
from .services import DEFAULT_PROCESS, Applicant, legal_days
from .timeliness import Clock, classify, step_result
from .transitions import TRANSITIONS

EVENT_ACTIONS = {
    "accepted": "accept", "refused": "refuse", "transferred": "transfer",
    "supplement_requested": "request_supplement", "supplement_received": "receive_supplement",
    "financial_requested": "request_financial", "financial_received": "receive_financial",
    "processed": "approve", "returned": "return_result", "stopped": "stop",
    "withdrawn": "withdraw", "apology": "apologize",
}
CHANNELS = {"direct": Channel.DIRECT, "online": Channel.ONLINE, "postal": Channel.POSTAL}
LINE_KEYS = {"code", "procedure", "agency", "channel", "applicant", "received_at", "due_at",
             "events", "request", "sets"}
EVENT_KEYS = {"type", "at", "note", "reason", "documents", "amount", "new_due_at", "rating",
              "result"}
RATING_LEVELS = ("very_satisfied", "satisfied", "dissatisfied")
TEXT_LIMIT = 2000
MAX_LINE_LENGTH = 1_000_000


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    message: str

    def __str__(self):
        where = _("Dòng %(line)s") % {"line": self.line}
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


class Rejected(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))


def _reject(field_name, message):
    raise Rejected([(field_name, str(message))])


@dataclass
class ImportReport:
    lines: int = 0
    loaded: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)  # LineError, the first ``max_errors`` ones
    events: int = 0
    allocated_codes: int = 0
    seconds: float = 0.0
    committed: bool = False


# -- reading the catalog and the desks once ---------------------------------------------------


class _Catalog:
    """Procedures, their versions with methods, and the internal processes, cached."""

    def __init__(self):
        self.by_code: dict = {}
        self.by_base: dict = {}
        for procedure in Procedure.objects.all():
            self.by_code[procedure.code] = procedure
            self.by_base.setdefault(procedure.base_code, []).append(procedure)
        self.versions: dict = {}
        for version in ProcedureVersion.objects.prefetch_related("methods").order_by("effective_from"):
            self.versions.setdefault(version.procedure_id, []).append(version)
        self.plans: dict = {}
        for template in ProcessTemplate.objects.prefetch_related("steps"):
            steps = [(s.name, s.role, s.share, s.agency_id) for s in template.steps.all()]
            if steps:
                self.plans[template.procedure_id] = steps
        self.default_plan = [(name, role, share, None) for name, role, share in DEFAULT_PROCESS]

    def version_on(self, procedure, day):
        for version in self.versions.get(procedure.pk, []):
            if version.is_in_force_on(day):
                return version
        return None

    def resolve(self, code: str, day):
        procedure = self.by_code.get(code)
        if procedure is not None:
            return procedure
        candidates = self.by_base.get(code, [])
        if len(candidates) > 1:
            in_force = [p for p in candidates if self.version_on(p, day) is not None]
            if len(in_force) == 1:
                return in_force[0]
            _reject("procedure", _("Mã %(code)s ứng với nhiều thủ tục; hãy dùng mã tại địa "
                                   "phương: %(codes)s.")
                    % {"code": code, "codes": ", ".join(p.code for p in candidates)})
        if not candidates:
            _reject("procedure", _("Không có thủ tục mã “%(code)s”.") % {"code": code})
        return candidates[0]

    def plan(self, procedure_id):
        return self.plans.get(procedure_id, self.default_plan)


class _Agencies:
    def __init__(self):
        self.by_code = {a.code: a for a in Agency.objects.select_related("unit")}

    def get(self, code):
        return self.by_code.get(code)


# -- parsing ------------------------------------------------------------------------------------


def _instant(value, field_name, *, now):
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        _reject(field_name, _("Cần một thời điểm ISO 8601, ví dụ 2024-02-15T09:00:00+07:00."))
    try:
        instant = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        _reject(field_name, _("Thời điểm không hợp lệ: “%(value)s” (ISO 8601, ví dụ "
                              "2024-02-15T09:00:00+07:00).") % {"value": value[:40]})
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=VN_TZ)
    try:
        local = instant.astimezone(VN_TZ)
    except (OverflowError, ValueError):
        _reject(field_name, _("Thời điểm nằm ngoài phạm vi cho phép."))
    if not 2000 <= local.year <= 2100:
        _reject(field_name, _("Thời điểm nằm ngoài phạm vi lịch làm việc (năm 2000–2100)."))
    if local > now:
        _reject(field_name, _("Thời điểm ở tương lai (sau %(now)s).")
                % {"now": now.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")})
    return local


def _string(data, key, field_name, *, limit=TEXT_LIMIT, required=False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            _reject(field_name, _("Bắt buộc."))
        return ""
    if not isinstance(value, str):
        _reject(field_name, _("Phải là một chuỗi ký tự."))
    value = value.strip()
    if required and not value:
        _reject(field_name, _("Bắt buộc."))
    if len(value) > limit:
        _reject(field_name, _("Quá dài (tối đa %(n)s ký tự).") % {"n": limit})
    if not _storable(value):
        _reject(field_name, _("Chứa ký tự không hợp lệ."))
    return value


def _storable(text: str) -> bool:
    """No NUL and no lone surrogate (JSON allows both; the database stores neither)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_code(code: str):
    """(agency code, date, sequence) of a dossier code, or None if malformed."""
    match = bulk.CODE_PATTERN.match(code)
    if match is None:
        return None
    agency, yy, mm, dd, sequence = match.groups()
    try:
        day = datetime.date(2000 + int(yy), int(mm), int(dd))
    except ValueError:
        return None
    return agency, day, int(sequence)


# -- the replay ---------------------------------------------------------------------------------


class _Replay:
    """One dossier played through its events the way the services would (see services.py)."""

    def __init__(self, *, line, catalog: _Catalog, agency, procedure, version, channel,
                 applicant: Applicant, request, sets, submitted, due_given):
        self.line = line
        self.catalog = catalog
        self.agency = agency
        self.procedure = procedure
        self.version = version
        self.plan = catalog.plan(procedure.pk)
        self.due_given = due_given
        self.fields = dict(
            receiving_agency=agency, unit_id=agency.unit_id, procedure=procedure,
            procedure_version=version, channel=channel, status=None,
            applicant_name=applicant.name, applicant_id_number=applicant.id_number,
            applicant_phone=applicant.phone, applicant_email=applicant.email,
            applicant_address=applicant.address, request=request or version.name, sets=sets,
            submitted_at=submitted, received_at=None, legal_days=legal_days(version, channel),
            due_at=None, due_explanation={}, supplement_count=0, paused_since=None,
            paused_seconds=0, finished_at=None, returned_at=None, timeliness="",
            apology_issued_at=None, apology_reason="", apology_new_due_at=None,
            current_agency_id=None, current_role="", result_note="", imported=True, version=0,
        )
        self.steps: list[dict] = []
        self.current = None  # index into steps
        self.events: list[dict] = []
        self.events_after: list[dict] = []  # the rating's, after the return
        self.rating = None

    # as in services
    def _start_clock(self, at):
        f = self.fields
        f["received_at"] = at
        if self.due_given is not None:
            if self.due_given <= at:
                _reject("due_at", _("Hạn trả phải sau thời điểm bắt đầu tính thời hạn (%(at)s).")
                        % {"at": at.strftime("%H:%M %d/%m/%Y")})
            f["due_at"] = self.due_given
            f["due_explanation"] = {"imported": True, "due": self.due_given.isoformat(),
                                    "note": _("Hạn trả lấy từ hệ thống cũ.")}
        else:
            explanation = explain_due(at, f["legal_days"])
            f["due_at"] = explanation.due
            f["due_explanation"] = explanation.as_dict()

    def _step_agency(self, role, agency_id):
        if agency_id is not None:
            return agency_id
        if role == Role.DESK_OFFICER:
            return self.agency.pk
        return self.version.implementing_agency_id or self.agency.pk

    def _start_step(self, position, at):
        f = self.fields
        name, role, share, agency_id = self.plan[position - 1]
        total = working_time_between(f["received_at"], f["due_at"])
        budget = total * float(share)
        step = dict(position=position, name=name, agency_id=self._step_agency(role, agency_id),
                    role=role, budget_seconds=int(budget.total_seconds()), started_at=at,
                    due_at=add_working_time(at, budget), finished_at=None, result="", note="")
        self.steps.append(step)
        self.current = len(self.steps) - 1
        f["current_agency_id"] = step["agency_id"]
        f["current_role"] = role

    def _finish_step(self, at, note=""):
        if self.current is None:
            return None
        step = self.steps[self.current]
        if step["finished_at"] is not None:
            return None
        step["finished_at"] = at
        step["result"] = step_result(step["started_at"], at, step["due_at"])
        step["note"] = note
        return step

    def _clear_current(self):
        self.fields["current_agency_id"] = None
        self.fields["current_role"] = ""
        self.current = None

    def _classify(self):
        f = self.fields
        return classify(Clock(status=f["status"], received_at=f["received_at"], due_at=f["due_at"],
                              finished_at=f["finished_at"], supplement_count=f["supplement_count"],
                              paused_seconds=f["paused_seconds"], paused_since=f["paused_since"]))

    def _record(self, action, at, before, note="", **data):
        self.events.append(dict(action=action, at=at, status_before=before,
                                status_after=self.fields["status"], note=note,
                                data={"imported": True, **data}))

    def start(self, at, channel, waits_for_desk):
        f = self.fields
        if waits_for_desk:
            f["status"] = Status.NEW
            f["current_agency_id"] = self.agency.pk
            f["current_role"] = Role.DESK_OFFICER
            self._record("submit", at, None, channel=channel)
        else:
            f["status"] = Status.RECEIVED
            self._start_clock(at)
            self._start_step(1, at)
            self._record("receive", at, None, channel=channel)

    def apply(self, index, event, at, now):
        f = self.fields
        where = f"events[{index}]"
        kind = event["type"]
        action = EVENT_ACTIONS[kind]
        transition = TRANSITIONS[action]
        status = f["status"]
        if status not in transition.sources:
            if action == "receive_supplement":
                _reject(f"{where}.type", _("Nhận hồ sơ bổ sung khi chưa có yêu cầu bổ sung."))
            if action == "receive_financial":
                _reject(f"{where}.type", _("Xác nhận nghĩa vụ tài chính khi chưa có yêu cầu."))
            _reject(f"{where}.type", _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái "
                                       "“%(status)s”.")
                    % {"action": transition.label, "status": Status(status).label})
        note = _string(event, "reason", f"{where}.reason") or _string(event, "note", f"{where}.note")
        before = status
        f["version"] += 1
        data = {"type": kind}
        if action == "accept":
            f["status"] = Status.RECEIVED
            self._start_clock(at)
            self._start_step(1, at)
        elif action == "refuse":
            f["status"] = Status.NOT_RECEIVED
            f["finished_at"] = at
            self._clear_current()
        elif action == "transfer":
            position = self.steps[self.current]["position"] if self.current is not None else 0
            finished = self._finish_step(at, note)
            f["status"] = Status.PROCESSING
            target = min(position + 1, len(self.plan) - 1) if len(self.plan) > 1 else 1
            self._start_step(target, at)
            data.update(to_step=target, step_result=finished["result"] if finished else "")
        elif action == "request_supplement":
            documents = event.get("documents", [])
            if not isinstance(documents, list) or not all(
                    isinstance(d, str) and len(d) <= 300 and _storable(d) for d in documents):
                _reject(f"{where}.documents", _("Cần một danh sách tên giấy tờ (mỗi tên tối đa "
                                                "300 ký tự)."))
            counts_late = f["supplement_count"] >= 1
            f["status"] = Status.SUPPLEMENT
            f["supplement_count"] += 1
            f["paused_since"] = at
            data.update(documents=[d.strip() for d in documents], counts_late=counts_late)
        elif action == "receive_supplement":
            paused = int(working_time_between(f["paused_since"], at).total_seconds())
            f["paused_seconds"] += paused
            f["paused_since"] = None
            f["status"] = Status.PROCESSING
            data.update(paused_seconds=paused)
        elif action == "request_financial":
            amount = event.get("amount")
            if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)
                                       or amount < 0 or amount > 10**15):
                _reject(f"{where}.amount", _("Số tiền phải là số nguyên không âm (đồng)."))
            f["status"] = Status.FINANCIAL
            data.update(amount=amount)
        elif action == "receive_financial":
            f["status"] = Status.PROCESSING
        elif action == "approve":
            self._finish_step(at)
            f["status"] = Status.PROCESSED
            f["result_note"] = _string(event, "result", f"{where}.result")
            note = f["result_note"] or note
            f["finished_at"] = at
            f["timeliness"] = self._classify()
            self._start_step(len(self.plan), at)
        elif action == "stop":
            self._finish_step(at, note)
            f["status"] = Status.STOPPED
            f["finished_at"] = at
            f["timeliness"] = self._classify()
            self._clear_current()
        elif action == "withdraw":
            self._finish_step(at, note)
            f["status"] = Status.WITHDRAWN
            f["finished_at"] = at
            if f["received_at"] is not None:
                f["timeliness"] = self._classify()
            self._clear_current()
        elif action == "return_result":
            self._finish_step(at, note)
            f["status"] = Status.RETURNED
            f["returned_at"] = at
            self._clear_current()
            if event.get("rating") is not None:
                self._rating(event["rating"], f"{where}.rating", at, now)
        elif action == "apologize":
            if f["apology_issued_at"] is not None:
                _reject(f"{where}.type", _("Hồ sơ đã có văn bản xin lỗi; ngày hẹn chỉ được điều "
                                           "chỉnh một lần."))
            if "new_due_at" not in event:
                _reject(f"{where}.new_due_at", _("Bắt buộc: ngày hẹn trả mới."))
            new_due = _instant(event["new_due_at"], f"{where}.new_due_at",
                               now=datetime.datetime.max.replace(tzinfo=VN_TZ))
            if new_due <= max(f["due_at"], at):
                _reject(f"{where}.new_due_at", _("Ngày hẹn mới phải sau ngày hẹn cũ và sau thời "
                                                 "điểm xin lỗi."))
            f["apology_issued_at"] = at
            f["apology_reason"] = note
            f["apology_new_due_at"] = new_due
            timely = at <= add_working_time(f["due_at"], -working_days_to_timedelta(1))
            data.update(new_due_at=new_due.isoformat(), timely=timely)
        if action != "return_result" and event.get("rating") is not None:
            _reject(f"{where}.rating", _("Đánh giá chỉ ghi kèm sự kiện returned."))
        self._record(action, at, before, note, **data)

    def _rating(self, value, field_name, returned_at, now):
        if isinstance(value, str):
            value = {"level": value}
        if not isinstance(value, dict) or set(value) - {"level", "comment", "at"}:
            _reject(field_name, _("Cần một mức đánh giá hoặc {\"level\", \"comment\", \"at\"}."))
        level = value.get("level")
        if level not in RATING_LEVELS:
            _reject(f"{field_name}.level", _("Mức đánh giá phải là một trong: %(levels)s.")
                    % {"levels": ", ".join(RATING_LEVELS)})
        comment = _string(value, "comment", f"{field_name}.comment")
        at = _instant(value["at"], f"{field_name}.at", now=now) if "at" in value else returned_at
        if at < returned_at:
            _reject(f"{field_name}.at", _("Đánh giá phải sau khi trả kết quả."))
        self.rating = dict(level=level, comment=comment, at=at)
        self.events_after = [dict(action="rate", at=at, status_before=Status.RETURNED,
                                  status_after=Status.RETURNED, note=comment,
                                  data={"imported": True, "level": level})]


# -- a line --------------------------------------------------------------------------------------


@dataclass
class _Built:
    line: int
    replay: _Replay
    code: str | None
    key: tuple  # (agency id, reception day)


class _Validator:
    def __init__(self, *, now, catalog: _Catalog, agencies: _Agencies):
        self.now = now
        self.catalog = catalog
        self.agencies = agencies

    def line(self, number: int, text: str) -> _Built:
        if len(text) > MAX_LINE_LENGTH:
            _reject("", _("Dòng quá dài."))
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            _reject("", _("Không phải JSON hợp lệ (lỗi ở ký tự thứ %(pos)s).") % {"pos": exc.pos + 1})
        except (ValueError, RecursionError):
            _reject("", _("Không phải JSON hợp lệ."))
        if not isinstance(data, dict):
            _reject("", _("Mỗi dòng phải là một đối tượng JSON {...}."))
        errors = []
        unknown = sorted(str(k) for k in set(data) - LINE_KEYS)
        if unknown:
            errors.append(("", _("Trường không được hỗ trợ: %(names)s.") % {"names": ", ".join(unknown)[:200]}))

        def check(function, *args, **kwargs):
            try:
                return function(*args, **kwargs)
            except Rejected as exc:
                errors.extend(exc.errors)
                return None

        received = check(self._received, data)
        day = received.date() if received else None
        agency = check(self._agency, data, day)
        procedure, version = check(self._procedure, data, day) or (None, None)
        channel = check(self._channel, data)
        applicant = check(self._applicant, data)
        request = check(_string, data, "request", "request")
        sets = check(self._sets, data)
        code = check(self._code, data, agency, day)
        due_given = check(self._due, data)
        events = check(self._events, data)
        if errors:
            raise Rejected(errors)
        replay = _Replay(line=number, catalog=self.catalog, agency=agency, procedure=procedure,
                         version=version, channel=channel, applicant=applicant, request=request,
                         sets=sets, submitted=received, due_given=due_given)
        kinds = [e["type"] for e, _at in events]
        waits = channel == Channel.ONLINE and ("accepted" in kinds or "refused" in kinds)
        try:
            replay.start(received, int(channel), waits)
            for index, (event, at) in enumerate(events):
                replay.apply(index, event, at, self.now)
        except DomainError as exc:  # the calendar's own checks (range of years ...)
            raise Rejected([("events", str(exc.message))]) from None
        if due_given is not None and replay.fields["received_at"] is None:
            raise Rejected([("due_at", _("Hồ sơ chưa được tiếp nhận thì không có hạn trả."))])
        return _Built(number, replay, code, (agency.pk, day))

    def _received(self, data):
        if "received_at" not in data:
            _reject("received_at", _("Bắt buộc."))
        return _instant(data["received_at"], "received_at", now=self.now)

    def _agency(self, data, day):
        code = _string(data, "agency", "agency", limit=13, required=True)
        agency = self.agencies.get(code)
        if agency is None:
            _reject("agency", _("Không có cơ quan mã “%(code)s”.") % {"code": code})
        if agency.kind not in bulk.RECEIVING_KINDS:
            _reject("agency", _("%(agency)s không phải là nơi tiếp nhận hồ sơ.") % {"agency": agency.name})
        if day is not None and not agency.unit.is_valid_on(day):
            _reject("agency", _("%(agency)s không hoạt động vào ngày %(day)s (đơn vị hành chính "
                                "chưa có hoặc đã giải thể).")
                    % {"agency": agency.name, "day": day.strftime("%d/%m/%Y")})
        return agency

    def _procedure(self, data, day):
        code = _string(data, "procedure", "procedure", limit=40, required=True)
        if day is None:
            return None
        procedure = self.catalog.resolve(code, day)
        version = self.catalog.version_on(procedure, day)
        if version is None:
            _reject("procedure", _("Thủ tục %(code)s không có hiệu lực vào ngày %(day)s.")
                    % {"code": procedure.code, "day": day.strftime("%d/%m/%Y")})
        if not version.methods.all():
            _reject("procedure", _("Thủ tục %(code)s chưa được công bố thời hạn giải quyết.")
                    % {"code": procedure.code})
        return procedure, version

    def _channel(self, data):
        value = data.get("channel")
        if not isinstance(value, str) or value not in CHANNELS:
            _reject("channel", _("Kênh nộp phải là direct, online hoặc postal."))
        return CHANNELS[value]

    def _applicant(self, data):
        value = data.get("applicant")
        if not isinstance(value, dict):
            _reject("applicant", _("Cần một đối tượng gồm name, id_number, phone, address."))
        unknown = set(value) - {"name", "id_number", "phone", "email", "address"}
        if unknown:
            _reject("applicant", _("Trường không được hỗ trợ: %(names)s.")
                    % {"names": ", ".join(sorted(map(str, unknown)))[:200]})
        for key, item in value.items():
            if item is not None and not isinstance(item, str):
                _reject(f"applicant.{key}", _("Phải là một chuỗi ký tự."))
            if item and not _storable(item):
                _reject(f"applicant.{key}", _("Chứa ký tự không hợp lệ."))
        try:
            return Applicant.from_dict(value)
        except DomainError as exc:
            raise Rejected([(name, " ".join(map(str, messages)))
                            for name, messages in exc.fields.items()] or [("applicant", str(exc.message))]) from None

    def _sets(self, data):
        value = data.get("sets", 1)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 20:
            _reject("sets", _("Số bộ hồ sơ phải là số nguyên từ 1 đến 20."))
        return value

    def _code(self, data, agency, day):
        if data.get("code") is None:
            return None
        code = data["code"]
        parsed = parse_code(code) if isinstance(code, str) else None
        if parsed is None:
            _reject("code", _("Mã hồ sơ phải có dạng xxx.xx.xx.Hnn-YYMMDD-NNNN (25 ký tự), ví "
                              "dụ 000.02.62.H87-240215-0001."))
        agency_code, code_day, sequence = parsed
        if sequence < 1:
            _reject("code", _("Số thứ tự trong mã hồ sơ phải từ 0001 đến 9999."))
        if agency is not None and agency_code != agency.code:
            _reject("code", _("Mã hồ sơ phải bắt đầu bằng mã nơi tiếp nhận %(code)s.")
                    % {"code": agency.code})
        if day is not None and code_day != day:
            _reject("code", _("Phần ngày của mã hồ sơ (%(code_day)s) khác ngày tiếp nhận (%(day)s).")
                    % {"code_day": code_day.strftime("%d/%m/%Y"), "day": day.strftime("%d/%m/%Y")})
        return code

    def _due(self, data):
        if data.get("due_at") is None:
            return None
        return _instant(data["due_at"], "due_at", now=datetime.datetime.max.replace(tzinfo=VN_TZ))

    def _events(self, data):
        events = data.get("events", [])
        if not isinstance(events, list):
            _reject("events", _("Cần một danh sách sự kiện."))
        received = None
        try:
            received = self._received(data)
        except Rejected:
            pass
        parsed, previous = [], received
        for index, event in enumerate(events):
            where = f"events[{index}]"
            if not isinstance(event, dict):
                _reject(where, _("Mỗi sự kiện phải là một đối tượng {\"type\", \"at\", ...}."))
            unknown = sorted(str(k) for k in set(event) - EVENT_KEYS)
            if unknown:
                _reject(where, _("Trường không được hỗ trợ: %(names)s.") % {"names": ", ".join(unknown)[:200]})
            kind = event.get("type")
            if not isinstance(kind, str) or kind not in EVENT_ACTIONS:
                _reject(f"{where}.type", _("Loại sự kiện không hợp lệ: “%(type)s”. Dùng một trong: "
                                           "%(types)s.") % {"type": str(kind)[:40],
                                                            "types": ", ".join(EVENT_ACTIONS)})
            if "at" not in event:
                _reject(f"{where}.at", _("Bắt buộc."))
            at = _instant(event["at"], f"{where}.at", now=self.now)
            if previous is not None and at < previous:
                if previous is received:
                    _reject(f"{where}.at", _("Sự kiện trước thời điểm tiếp nhận hồ sơ."))
                _reject(f"{where}.at", _("Các sự kiện phải theo thứ tự thời gian: sự kiện này "
                                         "sớm hơn sự kiện trước."))
            previous = at
            parsed.append((event, at))
        return parsed


# -- the import -----------------------------------------------------------------------------------


def _lines(source) -> Iterable[tuple[int, str]]:
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8", errors="replace", newline="") as handle:
            for number, text in enumerate(handle, 1):
                yield number, text.rstrip("\r\n")
    else:
        for number, text in enumerate(source, 1):
            yield number, text.rstrip("\r\n")


def _scan(source, agencies: _Agencies):
    """First pass: the number of lines, and the largest sequence given per desk and day."""
    count, given = 0, {}
    for _number, text in _lines(source):
        count += 1
        if '"code"' not in text:
            continue
        try:
            code = json.loads(text).get("code")
        except (ValueError, AttributeError, RecursionError):
            continue
        parsed = parse_code(code) if isinstance(code, str) else None
        if parsed is None or agencies.get(parsed[0]) is None:
            continue
        key = (agencies.get(parsed[0]).pk, parsed[1])
        given[key] = max(given.get(key, 0), parsed[2])
    return count, given


def import_dossiers(source, *, skip_bad: bool = False, progress: bool = False, now=None,
                    batch_size: int = 1000, max_errors: int = 1000) -> ImportReport:
    """Import the dossiers of ``source`` (a path, or a list of lines); see the module doc."""
    started = time.perf_counter()
    now = now or timezone.now()
    report = ImportReport()
    agencies = _Agencies()
    validator = _Validator(now=now, catalog=_Catalog(), agencies=agencies)
    total, given = _scan(source, agencies)
    seen: dict = {}  # code -> line
    bar = bulk.progress_bar(total=total, desc=_("Nhập hồ sơ"), unit=" dòng", enabled=progress)
    try:
        with transaction.atomic():
            writer = _Writer(given, agencies)
            batch: list[_Built] = []

            def reject(number, errors):
                report.rejected += 1
                for name, message in errors:
                    if len(report.errors) < max_errors:
                        report.errors.append(LineError(number, name, message))

            for number, text in _lines(source):
                report.lines += 1
                bar.update(1)
                if not text.strip():
                    reject(number, [("", _("Dòng trống."))])
                    continue
                try:
                    built = validator.line(number, text)
                except Rejected as exc:
                    reject(number, exc.errors)
                    continue
                if built.code is not None:
                    if built.code in seen:
                        reject(number, [("code", _("Mã hồ sơ %(code)s trùng với dòng %(line)s.")
                                         % {"code": built.code, "line": seen[built.code]})])
                        continue
                    seen[built.code] = number
                batch.append(built)
                if len(batch) >= batch_size:
                    for number_, errors in writer.flush(batch, write=skip_bad or not report.rejected):
                        reject(number_, errors)
                    batch = []
            for number_, errors in writer.flush(batch, write=skip_bad or not report.rejected):
                reject(number_, errors)
            if report.rejected and not skip_bad:
                transaction.set_rollback(True)
            else:
                writer.finish()
                report.committed = True
            report.loaded = writer.loaded if report.committed else 0
            report.events = writer.events if report.committed else 0
            report.allocated_codes = writer.allocated if report.committed else 0
    finally:
        bar.close()
    report.errors.sort(key=lambda error: error.line)
    report.seconds = time.perf_counter() - started
    return report


class _Writer:
    """Codes, ids and ``bulk_create`` for validated dossiers, batch by batch."""

    def __init__(self, given: dict, agencies: _Agencies):
        self.agency_codes = {a.pk: a.code for a in agencies.by_code.values()}
        keys = list(given)
        self.counters: dict = {}  # next numbers start after these (given codes included)
        self.before: dict = {}  # the database's counters when the import started
        self.top: dict = {}  # the largest number used by a stored dossier
        self.given = given
        self.dossier_ids = bulk.IdAllocator(Dossier)
        self.step_ids = bulk.IdAllocator(DossierStep)
        self.loaded = self.events = self.allocated = 0
        if keys:
            self._load([k[0] for k in keys], [k[1] for k in keys])

    def _load(self, agency_ids, days):
        known = bulk.read_counters(set(agency_ids), min(days), max(days))
        for key in zip(agency_ids, days, strict=True):
            if key not in self.before:
                current = known.get(key, 0)
                self.before[key] = self.top[key] = current
                self.counters[key] = max(current, self.given.get(key, 0))

    def flush(self, batch: list[_Built], *, write: bool):
        """Codes for the batch (and the batch written if ``write``); returns rejected lines."""
        if not batch:
            return []
        missing = [b.key for b in batch if b.key not in self.before]
        if missing:
            self._load([k[0] for k in missing], [k[1] for k in missing])
        given = [b.code for b in batch if b.code]
        taken = set(Dossier.objects.filter(code__in=given).values_list("code", flat=True)) if given else set()
        rejected, good = [], []
        for built in batch:
            if built.code is not None:
                if built.code in taken:
                    rejected.append((built.line, [("code", _("Mã hồ sơ %(code)s đã có trong hệ "
                                                             "thống.") % {"code": built.code})]))
                    continue
            good.append(built)
        if not write:
            return rejected
        for built in good:
            if built.code is None:
                number = self.counters[built.key] + 1
                if number > bulk.MAX_DAILY_SEQUENCE:
                    rejected.append((built.line, [("code", _(
                        "Nơi tiếp nhận đã dùng hết 9.999 số hồ sơ của ngày %(day)s.")
                        % {"day": built.key[1].strftime("%d/%m/%Y")})]))
                    continue
                self.counters[built.key] = number
                built.code = f"{built.replay.agency.code}-{built.key[1]:%y%m%d}-{number:04d}"
                self.allocated += 1
        good = [b for b in good if b.code is not None]
        for built in good:
            sequence = int(built.code[-4:])
            self.counters[built.key] = max(self.counters[built.key], sequence)
            self.top[built.key] = max(self.top[built.key], sequence)
        self._write(good)
        return rejected

    def _write(self, good: list[_Built]):
        dossier_ids = self.dossier_ids.take(len(good))
        step_ids = self.step_ids.take(sum(len(b.replay.steps) for b in good))
        dossiers, steps, events, ratings = [], [], [], []
        step_iter = iter(step_ids)
        for built, dossier_id in zip(good, dossier_ids, strict=True):
            replay = built.replay
            fields = dict(replay.fields)
            ids = [next(step_iter) for _s in replay.steps]
            current_step_id = ids[replay.current] if replay.current is not None else None
            dossiers.append(Dossier(id=dossier_id, code=built.code, current_step_id=current_step_id,
                                    **fields))
            for step_id, step in zip(ids, replay.steps, strict=True):
                steps.append(DossierStep(id=step_id, dossier_id=dossier_id, **step))
            for event in replay.events + replay.events_after:
                events.append(DossierEvent(dossier_id=dossier_id, **event))
            if replay.rating is not None:
                ratings.append(Rating(dossier_id=dossier_id, **replay.rating))
        Dossier.objects.bulk_create(dossiers, batch_size=1000)
        DossierStep.objects.bulk_create(steps, batch_size=1000)
        DossierEvent.objects.bulk_create(events, batch_size=1000)
        Rating.objects.bulk_create(ratings, batch_size=1000)
        self.loaded += len(dossiers)
        self.events += len(events)

    def finish(self):
        touched = {key: (self.before[key], self.top[key]) for key in self.before
                   if self.top[key] != self.before[key]}
        bulk.write_counters(touched, self.agency_codes)
