"""Writes to the catalog. Every function is one transaction; views, the API, the import command
and the demo call these and nothing else changes the catalog.

Version data is a plain dict (see ``VERSION_KEYS``), validated by ``clean_version_data``:
``methods`` is a list of ``{"channel", "days", "fee", "description"}`` (at least one way of
filing), ``components`` a list of ``{"name", "originals", "certified_copies", "copies",
"form_template", "note"}``. An amendment carries only what changes; the rest is copied from
the version it amends.

Choices where the law is silent:
- Dates: a version opened on E closes the previous one on E - 1 day; an amendment or abolition
  must take effect after the current version began (an earlier date would rewrite a period
  that dossiers may already point at).
- District-level versions cannot take effect on or after 1/7/2025 (no district level since).
- ``register_procedure`` / ``correct_procedure`` record data without an announcement (import
  from the national database, data entry). A procedure that has an announcement history is
  changed only by announcements.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cchc.errors import InvalidInput, InvalidTransition
from cchc.org.models import REFORM_DATE, Agency, AgencyKind
from cchc.textfold import fold

from .models import (
    AnnouncementDecision,
    AnnouncementItem,
    Channel,
    DeskPosting,
    DossierComponent,
    Field,
    FilingMethod,
    IssuerKind,
    ItemAction,
    OnlineLevel,
    Procedure,
    ProcedureLevel,
    ProcedureVersion,
    VersionStatus,
    base_code_validator,
    validate_half_days,
)
from .selectors import posting_gaps

TEXT_KEYS = ("steps", "subjects", "conditions", "result", "legal_basis", "fee_note", "time_note",
             "implementing_agency_name")
VERSION_KEYS = ("name", "level", "field", "implementing_agency", "online_level", "methods",
                "components", *TEXT_KEYS)
COMPONENT_COUNT_KEYS = ("originals", "certified_copies", "copies")
DESK_KINDS = (AgencyKind.RECEPTION_DESK, AgencyKind.SERVICE_CENTRE)
MAX_DAYS = Decimal("999.5")
MAX_FEE = 10**12


# --- version data ------------------------------------------------------------------------


def _resolve_field(value) -> Field | None:
    if isinstance(value, Field):
        return value
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    return (Field.objects.filter(code=text).first()
            or Field.objects.filter(name_folded=fold(text)).first())


def _resolve_agency(value) -> Agency | None:
    if isinstance(value, Agency):
        return value
    if value is None or str(value).strip() == "":
        return None
    return Agency.objects.filter(code=str(value).strip()).first()


def _parse_days(value, errors: list) -> Decimal | None:
    try:
        days = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors.append(_("Thời hạn giải quyết phải là số ngày làm việc (0 = trong ngày)."))
        return None
    if not days.is_finite():
        errors.append(_("Thời hạn giải quyết phải là số ngày làm việc (0 = trong ngày)."))
        return None
    try:
        validate_half_days(days)
    except ValidationError as exc:
        errors.extend(exc.messages)
        return None
    if days > MAX_DAYS:
        errors.append(_("Thời hạn giải quyết quá lớn."))
        return None
    return days


def _parse_count(value, label: str, errors: list) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.append(_("Số %(label)s phải là số nguyên không âm.") % {"label": label})
        return 0
    if number < 0 or number > 100:
        errors.append(_("Số %(label)s phải từ 0 đến 100.") % {"label": label})
        return 0
    return number


def parse_fee(value, errors: list) -> int:
    """Whole VND; "50.000" and "50 000" are read as fifty thousand."""
    if value in (None, ""):
        return 0
    if isinstance(value, bool):
        errors.append(_("Phí, lệ phí phải là số tiền (đồng)."))
        return 0
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        if text.count(".") + text.count(",") and all(
            len(part) == 3 for part in text.replace(",", ".").split(".")[1:]
        ):
            text = text.replace(".", "").replace(",", "")
        if not text.lstrip("-").isdigit():
            errors.append(_("Phí, lệ phí phải là số tiền nguyên (đồng)."))
            return 0
        number = int(text)
    if number < 0:
        errors.append(_("Phí, lệ phí không được âm."))
        return 0
    if number > MAX_FEE:
        errors.append(_("Phí, lệ phí quá lớn."))
        return 0
    return number


def clean_version_data(data: dict) -> dict:
    """Validate and normalise version data. Raises ``InvalidInput`` naming each bad key."""
    errors: dict[str, list] = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    unknown = set(data) - set(VERSION_KEYS)
    for key in sorted(unknown):
        add(key, _("Thuộc tính không được hỗ trợ."))
    clean: dict = {}
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        add("name", _("Thiếu tên thủ tục."))
    elif len(name) > 500:
        add("name", _("Tên thủ tục dài quá 500 ký tự."))
    clean["name"] = name

    level = str(data.get("level") or "").strip()
    if level not in ProcedureLevel.values:
        add("level", _("Cấp thực hiện phải là một trong: %(choices)s.")
            % {"choices": ", ".join(ProcedureLevel.values)})
    clean["level"] = level

    field = _resolve_field(data.get("field"))
    if field is None:
        add("field", _("Không có lĩnh vực “%(value)s”.") % {"value": data.get("field") or ""})
    clean["field"] = field

    raw_agency = data.get("implementing_agency")
    agency = _resolve_agency(raw_agency)
    if raw_agency not in (None, "") and agency is None:
        add("implementing_agency", _("Không có cơ quan mã “%(code)s”.") % {"code": raw_agency})
    clean["implementing_agency"] = agency

    online_level = str(data.get("online_level") or "").strip()
    if online_level and online_level not in OnlineLevel.values:
        add("online_level", _("Mức độ trực tuyến phải là “full” (toàn trình), “partial” (một phần) "
                              "hoặc để trống."))
    clean["online_level"] = online_level

    for key in TEXT_KEYS:
        value = data.get(key)
        clean[key] = "" if value is None else str(value).strip()
    if len(clean["implementing_agency_name"]) > 300:
        add("implementing_agency_name", _("Tên cơ quan thực hiện dài quá 300 ký tự."))
    if not clean["implementing_agency_name"] and agency is not None:
        clean["implementing_agency_name"] = agency.name

    methods = data.get("methods") or []
    clean_methods = []
    seen = set()
    if not isinstance(methods, list | tuple) or not methods:
        add("methods", _("Cần ít nhất một cách thức nộp hồ sơ (trực tiếp, trực tuyến, bưu chính)."))
        methods = []
    for method in methods:
        method_errors: list = []
        channel = str((method or {}).get("channel") or "")
        if channel not in Channel.values:
            method_errors.append(_("Cách thức nộp phải là một trong: %(choices)s.")
                                 % {"choices": ", ".join(Channel.values)})
        elif channel in seen:
            method_errors.append(_("Cách thức nộp “%(channel)s” bị lặp.") % {"channel": channel})
        seen.add(channel)
        days = _parse_days(method.get("days"), method_errors) if method else None
        fee = parse_fee(method.get("fee"), method_errors) if method else 0
        for message in method_errors:
            add(f"methods.{channel or '?'}", message)
        if not method_errors:
            clean_methods.append({"channel": channel, "days": days, "fee": fee,
                                  "description": str(method.get("description") or "").strip()})
    clean["methods"] = sorted(clean_methods, key=lambda m: Channel.values.index(m["channel"]))

    components = data.get("components") or []
    clean_components = []
    if not isinstance(components, list | tuple):
        add("components", _("Thành phần hồ sơ phải là một danh sách."))
        components = []
    for index, component in enumerate(components, start=1):
        component_errors: list = []
        if not isinstance(component, dict):
            add(f"components.{index}", _("Thành phần hồ sơ không hợp lệ."))
            continue
        component_name = " ".join(str(component.get("name") or "").split())
        if not component_name:
            component_errors.append(_("Thiếu tên giấy tờ."))
        elif len(component_name) > 500:
            component_errors.append(_("Tên giấy tờ dài quá 500 ký tự."))
        labels = {"originals": _("bản chính"), "certified_copies": _("bản sao chứng thực"),
                  "copies": _("bản sao")}
        counts = {key: _parse_count(component.get(key), labels[key], component_errors)
                  for key in COMPONENT_COUNT_KEYS}
        for message in component_errors:
            add(f"components.{index}", message)
        if not component_errors:
            clean_components.append({
                "name": component_name, **counts,
                "form_template": str(component.get("form_template") or "").strip()[:300],
                "note": str(component.get("note") or "").strip(),
            })
    clean["components"] = clean_components

    if errors:
        raise InvalidInput(_("Dữ liệu thủ tục không hợp lệ."), fields=errors)
    return clean


def version_data(version: ProcedureVersion) -> dict:
    """A version as version data (the inverse of ``_write_version``)."""
    data = {key: getattr(version, key) for key in TEXT_KEYS}
    data.update(
        name=version.name, level=version.level, field=version.field,
        implementing_agency=version.implementing_agency, online_level=version.online_level,
        methods=[{"channel": m.channel, "days": m.days, "fee": m.fee, "description": m.description}
                 for m in version.methods.all()],
        components=[{"name": c.name, "originals": c.originals,
                     "certified_copies": c.certified_copies, "copies": c.copies,
                     "form_template": c.form_template, "note": c.note}
                    for c in version.components.all()],
    )
    return data


def comparable(data: dict) -> dict:
    """Version data in a form where equal content compares equal (used for idempotency)."""
    result = dict(data)
    result["field"] = getattr(data.get("field"), "pk", data.get("field"))
    result["implementing_agency"] = getattr(data.get("implementing_agency"), "pk",
                                            data.get("implementing_agency"))
    result["methods"] = [{**m, "days": Decimal(m["days"]).normalize()} for m in data["methods"]]
    return result


def _check_period(level: str, effective_from: datetime.date, key="level"):
    if level == ProcedureLevel.DISTRICT and effective_from >= REFORM_DATE:
        raise InvalidInput(
            _("Từ ngày 01/7/2025 không còn cấp huyện: không thể công bố thủ tục cấp huyện có hiệu "
              "lực từ %(date)s.") % {"date": effective_from.strftime("%d/%m/%Y")},
            fields={key: [_("Cấp huyện chỉ dùng cho dữ liệu trước 01/7/2025.")]},
        )


def _write_version(procedure: Procedure, clean: dict, *, number: int, status: str,
                   effective_from: datetime.date, item: AnnouncementItem | None
                   ) -> ProcedureVersion:
    _check_period(clean["level"], effective_from)
    version = ProcedureVersion(
        procedure=procedure, number=number, status=status, effective_from=effective_from,
        item=item,
        **{key: clean[key] for key in ("name", "level", "field", "implementing_agency",
                                       "online_level", *TEXT_KEYS)},
    )
    version.save()
    _write_children(version, clean)
    return version


def _write_children(version: ProcedureVersion, clean: dict):
    FilingMethod.objects.bulk_create(
        FilingMethod(version=version, **method) for method in clean["methods"]
    )
    DossierComponent.objects.bulk_create(
        DossierComponent(version=version, position=position, **component)
        for position, component in enumerate(clean["components"], start=1)
    )


def _new_procedure(base_code: str, agency, key_prefix="") -> Procedure:
    errors = {}
    try:
        base_code_validator(base_code or "")
    except ValidationError as exc:
        errors[f"{key_prefix}base_code"] = exc.messages
    resolved = _resolve_agency(agency)
    if resolved is None:
        errors[f"{key_prefix}agency"] = [_("Không có cơ quan mã “%(code)s”.") % {"code": agency or ""}]
    if errors:
        raise InvalidInput(_("Mã thủ tục không hợp lệ."), fields=errors)
    if Procedure.objects.filter(base_code=base_code, agency=resolved).exists():
        raise InvalidInput(
            _("Thủ tục %(code)s đã có trong danh mục.") % {"code": f"{base_code}.{resolved.code}"},
            code="duplicate_code",
            fields={f"{key_prefix}base_code": [_("Mã thủ tục đã tồn tại.")]},
        )
    return Procedure.objects.create(base_code=base_code, agency=resolved)


# --- procedures without an announcement -----------------------------------------------------


@transaction.atomic
def register_procedure(*, base_code: str, agency, data: dict,
                       effective_from: datetime.date) -> Procedure:
    """Record a procedure as published in the national database (import, data entry)."""
    clean = clean_version_data(data)
    procedure = _new_procedure(base_code, agency)
    _write_version(procedure, clean, number=1, status=VersionStatus.IN_FORCE,
                   effective_from=effective_from, item=None)
    return procedure


def has_announcement_history(procedure: Procedure) -> bool:
    return (procedure.items.exists() or procedure.replacing_items.exists()
            or procedure.versions.count() > 1)


@transaction.atomic
def correct_procedure(procedure: Procedure, data: dict, *, partial: bool = True) -> ProcedureVersion:
    """Correct the recorded data of a procedure that has no announcement history, in place."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if has_announcement_history(procedure):
        raise InvalidTransition(
            _("Thủ tục %(code)s đã có quyết định công bố: chỉ được thay đổi bằng quyết định công bố "
              "mới.") % {"code": procedure.code},
            code="announced_procedure",
        )
    version = procedure.versions.get()
    merged = {**version_data(version), **data} if partial else data
    clean = clean_version_data(merged)
    _check_period(clean["level"], version.effective_from)
    for key in ("name", "level", "field", "implementing_agency", "online_level", *TEXT_KEYS):
        setattr(version, key, clean[key])
    version.save()
    version.methods.all().delete()
    version.components.all().delete()
    _write_children(version, clean)
    return version


# --- announcements ---------------------------------------------------------------------------


def _resolve_procedure(value, key: str) -> Procedure:
    if isinstance(value, Procedure):
        return value
    procedure = Procedure.objects.filter(code=str(value or "")).first()
    if procedure is None:
        raise InvalidInput(_("Không có thủ tục mã “%(code)s”.") % {"code": value or ""},
                           code="unknown_procedure", fields={key: [_("Không có thủ tục này.")]})
    return procedure


def _latest_version(procedure: Procedure) -> ProcedureVersion:
    return procedure.versions.select_for_update().order_by("-number").first()


def _close_latest(procedure: Procedure, effective_on: datetime.date, key: str) -> ProcedureVersion:
    latest = _latest_version(procedure)
    if procedure.abolished_on is not None or latest is None or latest.effective_to is not None:
        raise InvalidTransition(
            _("Thủ tục %(code)s đã bị bãi bỏ hoặc thay thế.") % {"code": procedure.code},
            code="procedure_abolished", fields={key: [_("Thủ tục không còn hiệu lực.")]},
        )
    if effective_on <= latest.effective_from:
        raise InvalidInput(
            _("Ngày có hiệu lực %(date)s phải sau ngày hiệu lực của phiên bản hiện hành "
              "(%(current)s) của thủ tục %(code)s.")
            % {"date": effective_on.strftime("%d/%m/%Y"),
               "current": latest.effective_from.strftime("%d/%m/%Y"), "code": procedure.code},
            code="effective_date_order", fields={key: [_("Ngày có hiệu lực không hợp lệ.")]},
        )
    latest.effective_to = effective_on - datetime.timedelta(days=1)
    latest.save(update_fields=["effective_to"])
    return latest


def _prefixed(exc: InvalidInput, prefix: str) -> InvalidInput:
    exc.fields = {f"{prefix}{key}": value for key, value in exc.fields.items()}
    return exc


@transaction.atomic
def apply_announcement_item(decision: AnnouncementDecision, *, position: int, action: str,
                            procedure=None, base_code: str | None = None, agency=None,
                            data: dict | None = None, replacement: dict | None = None,
                            effective_on: datetime.date | None = None, note: str = ""
                            ) -> AnnouncementItem:
    """Apply one item of a decision.

    new       -> a procedure (``base_code``, ``agency``; default the issuing agency) and its
                 first version from ``data``;
    amended   -> close the current version the day before and open the next with ``data``
                 merged over it;
    replaced  -> abolish ``procedure`` and create ``replacement`` (``base_code``, ``agency``,
                 ``data`` merged over the replaced one), linked by ``replaced_by``;
    abolished -> close the current version; no version is in force from ``effective_on``.
    """
    effective_on = effective_on or decision.effective_on
    data = data or {}
    key = f"items.{position}."
    if action not in ItemAction.values:
        raise InvalidInput(_("Nội dung công bố không hợp lệ."),
                           fields={f"{key}action": [_("Phải là new, amended, replaced hoặc abolished.")]})
    try:
        if action == ItemAction.NEW:
            clean = clean_version_data(data)
            target = _new_procedure(base_code, agency or decision.issuing_agency, key)
            item = AnnouncementItem.objects.create(
                decision=decision, position=position, action=action, procedure=target,
                effective_on=effective_on, note=note)
            _write_version(target, clean, number=1, status=VersionStatus.IN_FORCE,
                           effective_from=effective_on, item=item)
            return item

        target = _resolve_procedure(procedure, f"{key}procedure")
        target = Procedure.objects.select_for_update().get(pk=target.pk)
        if action == ItemAction.AMENDED:
            current = _close_latest(target, effective_on, f"{key}effective_on")
            clean = clean_version_data({**version_data(current), **data})
            item = AnnouncementItem.objects.create(
                decision=decision, position=position, action=action, procedure=target,
                effective_on=effective_on, note=note)
            _write_version(target, clean, number=current.number + 1,
                           status=VersionStatus.AMENDED, effective_from=effective_on, item=item)
            return item

        if action == ItemAction.REPLACED:
            replacement = replacement or {}
            current = _close_latest(target, effective_on, f"{key}effective_on")
            clean = clean_version_data({**version_data(current), **(replacement.get("data") or {})})
            new = _new_procedure(replacement.get("base_code"),
                                 replacement.get("agency") or target.agency, f"{key}replacement.")
            target.abolished_on = effective_on
            target.replaced_by = new
            target.save(update_fields=["abolished_on", "replaced_by"])
            item = AnnouncementItem.objects.create(
                decision=decision, position=position, action=action, procedure=target,
                replacement=new, effective_on=effective_on, note=note)
            _write_version(new, clean, number=1, status=VersionStatus.IN_FORCE,
                           effective_from=effective_on, item=item)
            return item

        _close_latest(target, effective_on, f"{key}effective_on")
        target.abolished_on = effective_on
        target.save(update_fields=["abolished_on"])
        return AnnouncementItem.objects.create(
            decision=decision, position=position, action=action, procedure=target,
            effective_on=effective_on, note=note)
    except InvalidInput as exc:
        if exc.fields and not any(k.startswith("items.") for k in exc.fields):
            raise _prefixed(exc, f"{key}data.") from None
        raise


DECISION_KEYS = ("title", "issuer_kind", "issuing_agency", "legal_text", "legal_effective_on",
                 "legal_expedited", "legal_signed_on", "database_entered_on")


@transaction.atomic
def announce(*, number: str, issued_on: datetime.date, issuer: str, effective_on: datetime.date,
             items: list[dict], **decision_fields) -> AnnouncementDecision:
    """Record an announcement decision and apply its items, all or nothing.

    Each item is a dict of ``apply_announcement_item``'s keyword arguments (without
    ``position``, which follows the list order).
    """
    errors = {}
    number = " ".join(str(number or "").split())
    if not number:
        errors["number"] = [_("Thiếu số quyết định.")]
    elif AnnouncementDecision.objects.filter(number=number).exists():
        errors["number"] = [_("Quyết định số %(number)s đã được ghi nhận.") % {"number": number}]
    if not str(issuer or "").strip():
        errors["issuer"] = [_("Thiếu người ký, cơ quan ban hành.")]
    if not items:
        errors["items"] = [_("Quyết định công bố phải có ít nhất một thủ tục.")]
    unknown = set(decision_fields) - set(DECISION_KEYS)
    for key in unknown:
        errors[key] = [_("Thuộc tính không được hỗ trợ.")]
    issuer_kind = decision_fields.get("issuer_kind") or IssuerKind.PROVINCE
    if issuer_kind not in IssuerKind.values:
        errors["issuer_kind"] = [_("Thẩm quyền công bố không hợp lệ.")]
    if errors:
        raise InvalidInput(_("Quyết định công bố không hợp lệ."), fields=errors)
    issuing_agency = decision_fields.pop("issuing_agency", None)
    if issuing_agency is not None and not isinstance(issuing_agency, Agency):
        resolved = _resolve_agency(issuing_agency)
        if resolved is None:
            raise InvalidInput(_("Không có cơ quan mã “%(code)s”.") % {"code": issuing_agency},
                               fields={"issuing_agency": [_("Không có cơ quan này.")]})
        issuing_agency = resolved
    decision = AnnouncementDecision.objects.create(
        number=number, issued_on=issued_on, issuer=str(issuer).strip(), effective_on=effective_on,
        issuing_agency=issuing_agency, **{**decision_fields, "issuer_kind": issuer_kind},
    )
    for position, item in enumerate(items, start=1):
        apply_announcement_item(decision, position=position, **item)
    return decision


# --- fields ------------------------------------------------------------------------------------


@transaction.atomic
def ensure_field(code: str, name: str) -> Field:
    field = Field.objects.filter(code=code).first()
    if field is None:
        try:
            with transaction.atomic():
                field = Field.objects.create(code=code, name=name)
        except IntegrityError:
            raise InvalidInput(_("Lĩnh vực “%(name)s” đã có với mã khác.") % {"name": name},
                               fields={"name": [_("Tên lĩnh vực đã tồn tại.")]}) from None
    elif field.name != name:
        field.name = name
        field.save()
    return field


# --- postings --------------------------------------------------------------------------------


def _check_desk(agency: Agency):
    if agency.kind not in DESK_KINDS:
        raise InvalidInput(
            _("%(agency)s không phải Bộ phận Tiếp nhận và Trả kết quả hay Trung tâm Phục vụ hành "
              "chính công.") % {"agency": agency.name},
            fields={"agency": [_("Không phải nơi tiếp nhận hồ sơ.")]},
        )


@transaction.atomic
def post_procedure(agency: Agency, version: ProcedureVersion, posted_on: datetime.date
                   ) -> DeskPosting:
    """Post a version at a desk; an earlier posting of the same procedure there is taken down."""
    _check_desk(agency)
    active = DeskPosting.objects.select_for_update().filter(
        agency=agency, version__procedure=version.procedure, removed_on__isnull=True)
    for posting in active:
        if posting.version_id == version.pk:
            return posting
        if posting.posted_on > posted_on:
            raise InvalidInput(_("Đã có niêm yết sau ngày %(date)s.")
                               % {"date": posted_on.strftime("%d/%m/%Y")},
                               fields={"posted_on": [_("Ngày niêm yết không hợp lệ.")]})
        posting.removed_on = posted_on
        posting.save(update_fields=["removed_on"])
    return DeskPosting.objects.create(agency=agency, version=version, posted_on=posted_on)


@transaction.atomic
def remove_posting(posting: DeskPosting, removed_on: datetime.date) -> DeskPosting:
    posting = DeskPosting.objects.select_for_update().get(pk=posting.pk)
    if posting.removed_on is not None:
        raise InvalidTransition(_("Niêm yết này đã được gỡ."))
    if removed_on < posting.posted_on:
        raise InvalidInput(_("Ngày gỡ phải từ ngày niêm yết trở đi."),
                           fields={"removed_on": [_("Ngày gỡ không hợp lệ.")]})
    posting.removed_on = removed_on
    posting.save(update_fields=["removed_on"])
    return posting


@transaction.atomic
def update_postings(agency: Agency, on: datetime.date) -> dict:
    """Bring a desk's postings up to date on ``on``: post what is missing, replace outdated
    versions, take down what is no longer in force there. Returns the counts."""
    _check_desk(agency)
    gaps = posting_gaps(agency, on)
    for version in gaps.missing:
        post_procedure(agency, version, on)
    for _posting, version in gaps.outdated:
        post_procedure(agency, version, on)
    for posting in gaps.obsolete:
        remove_posting(posting, on)
    return {"posted": len(gaps.missing), "replaced": len(gaps.outdated),
            "removed": len(gaps.obsolete)}

