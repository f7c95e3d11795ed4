"""Two communes of one province, A (Phường Hồng Ngự) and B (Xã Tân Hồng), each with records
of every unit-scoped kind: dossiers with a document, civil-status books, entries, copies and
requests, an inspection with findings and recommendations, a reform task, a simplification
proposal. ``world.a_user`` holds every staff role of commune A (desk officer, specialist,
leader) and nothing else: whatever of B it reaches is a leak."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.org.models import Role
from tests.civil.conftest import at, birth, build_world
from tests.factories import MembershipFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Records:
    """One unit's records (primary keys and codes), as an attacker would guess them."""

    dossier: object
    document: object
    book: object
    entry: object
    copy: object
    civil_request: object
    inspection: object
    recommendation: object
    task: object
    proposal: object
    marker: str  # the name of a person only in this unit's records


@dataclass
class TwoUnits:
    w: object  # tests.civil.conftest.World
    a_user: object
    b_staff: object
    inspector: object
    plan: object
    reform: object
    conference: object
    a: Records
    b: Records


def _records(w, unit, desk, staff, proposer, inspector, plan, reform, child_name, marker_applicant):
    from cchc.catalog.models import Procedure
    from cchc.civil.services import notes, registration
    from cchc.inspection import services as inspection
    from cchc.onestop import services as onestop
    from cchc.onestop.uploads import attach_documents
    from cchc.reports import services as reports

    procedure = Procedure.objects.get(base_code="1.004884")
    dossier = onestop.receive_dossier(
        agency=desk, procedure=procedure, actor=staff, at=at("2026-04-24 09:00"),
        applicant={"name": marker_applicant, "id_number": "087090009999", "phone": "0912000111"})
    document = attach_documents(dossier, [SimpleUploadedFile("giay-to.pdf", PDF)])[0]
    entry = registration.register_directly(
        event_type="birth", data=birth(full_name=child_name), agency=desk, actor=staff,
        at=at("2026-04-24 10:00"))
    copy = notes.issue_extract_copy(entry=entry, actor=staff, agency=desk,
                                    applicant={"name": marker_applicant},
                                    at=at("2026-04-24 11:00"))
    from cchc.civil.models import CivilRequest

    civil_request = CivilRequest.objects.filter(unit=unit).first()
    ins = plan.inspections.get(unit=unit)
    inspection.start_inspection(ins, actor=inspector)
    rec = inspection.add_recommendation(ins, actor=inspector, text=f"Khắc phục tại {unit.name}",
                                        deadline=datetime.date(2026, 9, 30))
    task = inspection.add_reform_task(reform, actor=inspector, area="Cải cách TTHC",
                                      content=f"Rà soát thủ tục {unit.name}", lead_unit=unit,
                                      deadline=datetime.date(2026, 10, 31))
    proposal = reports.create_proposal(actor=proposer, procedure=procedure, unit=unit,
                                       kind="cut_time", proposed_days=2,
                                       justification=f"Rút ngắn thời gian {marker_applicant}")
    return Records(dossier=dossier, document=document, book=entry.book, entry=entry, copy=copy,
                   civil_request=civil_request, inspection=ins, recommendation=rec, task=task,
                   proposal=proposal, marker=marker_applicant)


def build_two_units(settings, tmp_path) -> TwoUnits:
    from cchc.inspection import services as inspection

    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_world()
    a_user = UserFactory(username="toan.quyen.a", full_name="Toàn Quyền A")
    for role, agency in ((Role.DESK_OFFICER, w.desk), (Role.SPECIALIST, w.ubnd),
                         (Role.LEADER, w.ubnd)):
        MembershipFactory(user=a_user, unit=w.commune, agency=agency, role=role)
    b_staff = w.outsider
    MembershipFactory(user=b_staff, unit=w.other_commune, agency=w.other_desk,
                      role=Role.DESK_OFFICER)
    MembershipFactory(user=b_staff, unit=w.other_commune, role=Role.LEADER)
    plan = inspection.create_inspection_plan(
        actor=w.inspector, province=w.province, year=2026, title="Kế hoạch kiểm tra CCHC 2026",
        decision_number="123/QĐ-SNV", decision_date=datetime.date(2026, 4, 1),
        issuer="Sở Nội vụ", units=[w.commune, w.other_commune],
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31),
        team=[{"name": "Trần Văn Minh", "role": "leader", "user": w.inspector}])
    reform = inspection.create_reform_plan(actor=w.inspector, province=w.province, year=2026,
                                           title="Kế hoạch CCHC năm 2026")
    a = _records(w, w.commune, w.desk, w.desk_officer, w.leader, w.inspector, plan, reform,
                 "Nguyễn Thị Ánh Dương", "Hồ Sơ Bên A")
    b = _records(w, w.other_commune, w.other_desk, b_staff, b_staff, w.inspector, plan, reform,
                 "Lâm Bích Tuyền", "Quách Bí Mật")
    conference = inspection.hold_conference(plan, actor=w.inspector,
                                            held_on=datetime.date(2026, 6, 1), chair="Giám đốc Sở")
    return TwoUnits(w=w, a_user=a_user, b_staff=b_staff, inspector=w.inspector, plan=plan,
                    reform=reform, conference=conference, a=a, b=b)


@pytest.fixture
def two_units(db, settings, tmp_path) -> TwoUnits:
    return build_two_units(settings, tmp_path)
