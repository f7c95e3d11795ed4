"""Demo: the 2022 CCHC inspection of Thành phố Hồng Ngự, Huyện Hồng Ngự, Huyện Tân Hồng and
Huyện Tam Nông (old Đồng Tháp, code 87), adopted at the online conference of 16/8/2022 with
evidence computed from the demo data, its follow-up, and a 2026 inspection of post-reform
communes that succeeded those districts (it shows the 2022 recommendations and whether the
same limitation recurs). Also the province's 2026 CCHC plan with a few tasks. Idempotent.
"""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from cchc.org.models import AdministrativeUnit, Era, Level, User

from . import services
from .models import EvidenceKind, FindingKind, InspectionPlan, ReformPlan

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DISTRICTS = ["Thành phố Hồng Ngự", "Huyện Hồng Ngự", "Huyện Tân Hồng", "Huyện Tam Nông"]
DECISION_2022 = "245/QĐ-SNV"
DECISION_2026 = "112/QĐ-SNV"


def _at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=VN)


def _item(plan, kind):
    return plan.criteria_set.areas.filter(items__evidence_kind=kind).first().items.filter(
        evidence_kind=kind).first()


@transaction.atomic
def load_2022(inspector, home_affairs, old_province):
    if InspectionPlan.objects.filter(decision_number=DECISION_2022).exists():
        return None
    districts = list(AdministrativeUnit.objects.filter(
        era=Era.PRE_2025, level=Level.DISTRICT, parent=old_province, name__in=DISTRICTS))
    if not districts:
        return None
    plan = services.create_inspection_plan(
        actor=inspector, province=old_province, year=2022,
        title="Kế hoạch kiểm tra công tác cải cách hành chính năm 2022",
        decision_number=DECISION_2022, decision_date=datetime.date(2022, 7, 15),
        issuer="Sở Nội vụ tỉnh Đồng Tháp", units=districts,
        period_start=datetime.date(2022, 1, 1), period_end=datetime.date(2022, 7, 31),
        team=[{"name": "Trần Văn Minh", "role": "leader", "user": inspector,
               "position": "Phó Giám đốc Sở Nội vụ"},
              {"name": "Nguyễn Thị Thu Hà", "role": "member",
               "position": "Chuyên viên Phòng CCHC"}],
        schedule={d.pk: datetime.date(2022, 8, 1) + datetime.timedelta(days=i)
                  for i, d in enumerate(districts)})
    timeliness, news = _item(plan, EvidenceKind.TIMELINESS), _item(plan, EvidenceKind.NEWS)
    for inspection in plan.inspections.all():
        services.start_inspection(inspection, actor=inspector, at=_at("2022-08-01 08:00"))
        for result in inspection.results.select_related("item"):
            if result.suggested_score is not None:
                services.score_item(inspection, result.item, actor=inspector)
            else:
                services.score_item(inspection, result.item, actor=inspector,
                                    score=result.item.max_points * 8 / 10)
        for text in ("Đơn vị đã ban hành kế hoạch CCHC năm 2022 đầy đủ, kịp thời.",
                     "Niêm yết, công khai TTHC đúng quy định.",
                     "Sổ hộ tịch ghi chép đầy đủ, sạch sẽ."):
            services.add_finding(inspection, actor=inspector, kind=FindingKind.STRENGTH,
                                 text=text)
        late = services.add_finding(
            inspection, actor=inspector, kind=FindingKind.LIMITATION, item=timeliness,
            text="Còn hồ sơ trễ hạn, quá hạn trên phần mềm một cửa điện tử.")
        quiet = services.add_finding(
            inspection, actor=inspector, kind=FindingKind.LIMITATION, item=news,
            text="Chưa thường xuyên đăng tin bài CCHC trên cổng thông tin điện tử.")
        services.add_recommendation(inspection, actor=inspector, finding=late,
                                    text="Chấn chỉnh, giải quyết hồ sơ đúng hạn; phát hành "
                                         "phiếu xin lỗi đối với hồ sơ trễ hạn.",
                                    deadline=datetime.date(2022, 12, 31))
        services.add_recommendation(inspection, actor=inspector, finding=quiet,
                                    text="Đăng tin bài CCHC thường xuyên, tối thiểu 2 bài mỗi "
                                         "tháng.", deadline=datetime.date(2022, 10, 31))
        services.finalise_inspection(inspection, actor=inspector, at=_at("2022-08-10 16:00"))
    conference = services.hold_conference(
        plan, actor=inspector, held_on=datetime.date(2022, 8, 16),
        chair="Giám đốc Sở Nội vụ", online=True,
        sites=[{"unit": d, "name": f"Điểm cầu {d.name}",
                "participants": "Lãnh đạo UBND, Phòng Nội vụ, Bộ phận một cửa"}
               for d in districts])
    services.adopt_inspection_results(
        conference, actor=inspector, at=_at("2022-08-16 11:00"),
        minutes="Hội nghị trực tuyến thống nhất thông qua kết quả kiểm tra; Phòng Nội vụ các "
                "huyện, thành phố theo dõi, báo cáo kết quả khắc phục.")
    # Follow-up: Thành phố Hồng Ngự remedied the late dossiers; the news recommendation was
    # reported but reopened.
    city = plan.inspections.filter(unit__name=DISTRICTS[0]).first()
    if city is not None:
        for rec in city.recommendations.all():
            services.report_remediation(rec, actor=home_affairs, text="Đơn vị đã khắc phục.",
                                        at=_at("2022-11-15 09:00"))
            if rec.item_id == timeliness.pk:
                services.verify_remediation(rec, actor=inspector, text="Đã kiểm tra, đạt.",
                                            at=_at("2022-12-05 09:00"))
            else:
                services.reopen_recommendation(rec, actor=inspector,
                                               text="Số tin bài vẫn dưới mức tối thiểu.",
                                               at=_at("2022-12-05 09:00"))
    return plan


@transaction.atomic
def load_2026(inspector, province, old_province):
    if InspectionPlan.objects.filter(decision_number=DECISION_2026).exists():
        return None
    communes = []
    for district in AdministrativeUnit.objects.filter(
            era=Era.PRE_2025, level=Level.DISTRICT, parent=old_province, name__in=DISTRICTS):
        successor = district.successors.filter(era=Era.CURRENT, level=Level.COMMUNE).order_by(
            "code").first()
        if successor is not None and successor not in communes:
            communes.append(successor)
    if not communes:
        return None
    plan = services.create_inspection_plan(
        actor=inspector, province=province, year=2026,
        title="Kế hoạch kiểm tra công tác cải cách hành chính năm 2026",
        decision_number=DECISION_2026, decision_date=datetime.date(2026, 3, 2),
        issuer="Sở Nội vụ tỉnh Đồng Tháp", units=communes,
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31),
        team=[{"name": "Trần Văn Minh", "role": "leader", "user": inspector}])
    news = _item(plan, EvidenceKind.NEWS)
    first = plan.inspections.order_by("unit__path").first()
    services.start_inspection(first, actor=inspector)
    services.add_finding(first, actor=inspector, kind=FindingKind.LIMITATION, item=news,
                         text="Tin bài CCHC vẫn chưa đăng thường xuyên.")
    return plan


@transaction.atomic
def load_reform_plan(inspector, province):
    if ReformPlan.objects.filter(year=2026, province=province).exists():
        return None
    plan = services.create_reform_plan(actor=inspector, province=province, year=2026,
                                       title="Kế hoạch cải cách hành chính năm 2026",
                                       number="25/KH-UBND", issued_on=datetime.date(2026, 1, 10))
    communes = list(province.children.order_by("code")[:3])
    tasks = [("Cải cách thể chế", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật",
              datetime.date(2026, 3, 31)),
             ("Cải cách TTHC", "Rà soát, đơn giản hóa thủ tục hành chính cấp xã",
              datetime.date(2026, 6, 30)),
             ("Tuyên truyền", "Tuyên truyền CCHC trên cổng thông tin", datetime.date(2026, 12, 15))]
    for unit, (area, content, deadline) in zip(communes, tasks, strict=False):
        services.add_reform_task(plan, actor=inspector, area=area, content=content,
                                 lead_unit=unit, deadline=deadline,
                                 expected_output="Báo cáo kết quả")
    return plan


def load(stdout=None):
    inspector = User.objects.filter(username="kiemtra.tinh").first()
    home_affairs = User.objects.filter(username="noivu.tinh").first()
    district_ha = User.objects.filter(username="noivu.hongngu").first() or home_affairs
    old_province = AdministrativeUnit.objects.filter(era=Era.PRE_2025, code="87").first()
    province = AdministrativeUnit.objects.filter(era=Era.CURRENT, code="82").first()
    if not (inspector and home_affairs and old_province and province):
        if stdout:
            stdout.write("Kiểm tra CCHC: thiếu đơn vị hoặc tài khoản demo, bỏ qua.")
        return
    done = [load_2022(inspector, district_ha, old_province), load_2026(inspector, province,
                                                                       old_province),
            load_reform_plan(inspector, province)]
    if stdout:
        stdout.write(f"Kiểm tra CCHC: đã nạp {sum(d is not None for d in done)} kế hoạch mới.")
