"""Demo catalog of Đồng Tháp: 66 procedures of the province and its communes (and of the
districts before 1/7/2025), the announcement decisions of 2022-2026 that publish, amend,
replace and abolish them, and postings at a few desks with gaps left on purpose.

The data is ``data/demo_catalog.json``; every change goes through the services, decision by
decision, so the demo is also a test of the versioning. Idempotent: a decision already
recorded (by number) is skipped, and a desk that already has postings is left alone.
"""

import datetime
import json
from pathlib import Path

from django.db import transaction

from cchc.org.models import AdministrativeUnit, Agency, AgencyKind, Era, Level
from cchc.org.selectors import home_province

from . import services
from .importer import parse_components
from .models import AnnouncementDecision, DeskPosting, Procedure
from .selectors import posting_gaps

DATA_FILE = Path(__file__).parent / "data" / "demo_catalog.json"
DEMO_COMMUNE = "Phường Hồng Ngự"
DEMO_OLD_DISTRICT = "Thành phố Hồng Ngự"
DESK_KINDS = (AgencyKind.SERVICE_CENTRE, AgencyKind.RECEPTION_DESK)


def demo_data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def entry_to_data(entry: dict) -> dict:
    """A procedure of the demo file as version data."""
    fees = entry.get("fees", {})
    return {
        "name": entry["name"], "level": entry["level"], "field": entry["field"],
        "implementing_agency_name": entry.get("agency", ""),
        "online_level": entry.get("online_level", ""),
        "methods": [{"channel": channel, "days": days, "fee": fees.get(channel, entry.get("fee", 0))}
                    for channel, days in entry["times"].items()],
        "components": parse_components(entry.get("components", [])),
        **{key: entry.get(key, "") for key in services.TEXT_KEYS if key != "implementing_agency_name"},
    }


def _say(stdout, message):
    if stdout:
        stdout.write(message)


def catalog_agency(province: AdministrativeUnit) -> Agency | None:
    """The agency whose e-ID completes the local codes: the provincial people's committee."""
    return (Agency.objects.filter(unit=province, kind=AgencyKind.PEOPLES_COMMITTEE)
            .order_by("code").first())


def load(stdout=None):
    province = home_province()
    agency = catalog_agency(province) if province else None
    if agency is None:
        _say(stdout, "Bỏ qua danh mục thủ tục mẫu: chưa có tỉnh mẫu hoặc Ủy ban nhân dân tỉnh.")
        return None
    data = demo_data()
    for field in data["fields"]:
        services.ensure_field(field["code"], field["name"])
    entries = {entry["code"]: entry for entry in data["procedures"]}
    created = 0
    for decision in data["decisions"]:
        if AnnouncementDecision.objects.filter(number=decision["number"]).exists():
            continue
        _announce(decision, entries, agency)
        created += 1
    postings = load_postings(province, data["postings"]["desks"])
    if created or postings:
        _say(stdout, f"Đã nạp danh mục thủ tục mẫu: {len(entries)} thủ tục, {created} quyết định "
                     f"công bố, {postings} niêm yết.")
    return agency


def _announce(decision: dict, entries: dict, agency: Agency):
    items = []
    for item in decision["items"]:
        code = item["procedure"]
        procedure_code = f"{code}.{agency.code}"
        action = item["action"]
        if action == "new":
            items.append({"action": "new", "base_code": code, "agency": agency,
                          "data": entry_to_data(entries[code]), "note": item.get("note", "")})
        elif action == "amended":
            procedure = Procedure.objects.get(code=procedure_code)
            base = services.version_data(procedure.versions.order_by("-number").first())
            changes = item["changes"]
            data = {}
            if "times" in changes or "fee" in changes or "fees" in changes:
                fee = changes.get("fee")
                old_fees = {m["channel"]: m["fee"] for m in base["methods"]}
                times = changes.get("times") or {m["channel"]: m["days"] for m in base["methods"]}
                fees = changes.get("fees", {})
                data["methods"] = [{"channel": ch, "days": days,
                                    "fee": fees.get(ch, fee if fee is not None
                                                    else old_fees.get(ch, max(old_fees.values())))}
                                   for ch, days in times.items()]
            if "components" in changes:
                data["components"] = parse_components(changes["components"])
            if "agency" in changes:
                data["implementing_agency_name"] = changes["agency"]
            for key in ("level", "online_level", *services.TEXT_KEYS):
                if key in changes and key != "implementing_agency_name":
                    data[key] = changes[key]
            items.append({"action": "amended", "procedure": procedure, "data": data,
                          "note": item.get("note", "")})
        elif action == "replaced":
            by = entries[item["by"]]
            items.append({"action": "replaced", "procedure": procedure_code,
                          "replacement": {"base_code": by["code"], "agency": agency,
                                          "data": entry_to_data(by)},
                          "note": item.get("note", "")})
        else:
            items.append({"action": "abolished", "procedure": procedure_code,
                          "note": item.get("note", "")})
    date = datetime.date.fromisoformat
    services.announce(
        number=decision["number"], title=decision.get("title", ""),
        issued_on=date(decision["issued_on"]), effective_on=date(decision["effective_on"]),
        issuer=decision["issuer"], issuing_agency=agency,
        legal_text=decision.get("legal_text", ""),
        legal_effective_on=date(decision["legal_effective_on"]) if decision.get("legal_effective_on") else None,
        database_entered_on=date(decision["database_entered_on"]) if decision.get("database_entered_on") else None,
        items=items,
    )


def _desk_of(unit: AdministrativeUnit | None) -> Agency | None:
    if unit is None:
        return None
    return Agency.objects.filter(unit=unit, kind__in=DESK_KINDS, active=True).order_by(
        "kind", "code").first()


def demo_desks(province: AdministrativeUnit) -> dict:
    centre = Agency.objects.filter(unit=province, kind=AgencyKind.SERVICE_CENTRE).order_by(
        "code").first()
    communes = list(province.children.filter(level=Level.COMMUNE).order_by("path"))
    communes.sort(key=lambda unit: unit.name != DEMO_COMMUNE)  # the demo commune first
    commune_desks = [desk for desk in (_desk_of(unit) for unit in communes) if desk][:3]
    old_district = AdministrativeUnit.objects.filter(
        era=Era.PRE_2025, level=Level.DISTRICT, name=DEMO_OLD_DISTRICT,
        parent__in=province.predecessors.all()).first()
    return {"province_centre": centre, "commune": commune_desks,
            "old_district": _desk_of(old_district)}


def load_postings(province: AdministrativeUnit, specs: list[dict]) -> int:
    desks = demo_desks(province)
    count = 0
    for spec in specs:
        desk = desks.get(spec["desk"])
        if isinstance(desk, list):
            desk = desk[spec["index"]] if spec["index"] < len(desk) else None
        if desk is None or DeskPosting.objects.filter(agency=desk).exists():
            continue
        count += _post(desk, spec)
    return count


@transaction.atomic
def _post(desk: Agency, spec: dict) -> int:
    """Post what the desk must post on each date, except the gaps the spec leaves on purpose."""
    missing, stale, keep = (set(spec.get(key, [])) for key in
                            ("missing", "not_refreshed", "keep_obsolete"))
    count = 0
    for day in map(datetime.date.fromisoformat, spec["dates"]):
        gaps = posting_gaps(desk, day)
        for version in gaps.missing:
            if version.procedure.base_code not in missing:
                services.post_procedure(desk, version, day)
                count += 1
        for _posting, version in gaps.outdated:
            if version.procedure.base_code not in stale:
                services.post_procedure(desk, version, day)
                count += 1
        for posting in gaps.obsolete:
            if posting.version.procedure.base_code not in keep:
                services.remove_posting(posting, day)
    return count
