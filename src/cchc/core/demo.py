"""Demo province Đồng Tháp: units (new code 82; pre-2025 code 87 and Tiền Giang 82),
the usual agencies, and one demo account per role at province, district (pre-2025)
and commune level. Idempotent.
"""

from django.db import transaction

from cchc.org.models import (
    AdministrativeUnit,
    Agency,
    AgencyKind,
    Era,
    Level,
    Membership,
    Role,
    User,
)

DEMO_PASSWORD = "cchc-demo-2026"
DEMO_PROVINCE = "82"
DEMO_OLD_PROVINCE = "87"
DEMO_DISTRICT = "Thành phố Hồng Ngự"
DEMO_COMMUNE = "Phường Hồng Ngự"

# (username, full name, role, level, agency kind or None, home-affairs agency?)
ACCOUNTS = [
    ("quantri", "Quản trị hệ thống", Role.SYSTEM_ADMIN, "province", AgencyKind.PEOPLES_COMMITTEE, False),
    ("noivu.tinh", "Nguyễn Thị Thu Hà", Role.HOME_AFFAIRS_ADMIN, "province", AgencyKind.DEPARTMENT, True),
    ("kiemtra.tinh", "Trần Văn Minh", Role.INSPECTOR, "province", AgencyKind.DEPARTMENT, True),
    ("motcua.tinh", "Lê Thị Ngọc Ánh", Role.DESK_OFFICER, "province", AgencyKind.SERVICE_CENTRE, False),
    ("chuyenvien.tinh", "Phạm Quốc Bảo", Role.SPECIALIST, "province", AgencyKind.DEPARTMENT, False),
    ("lanhdao.tinh", "Võ Thanh Tùng", Role.LEADER, "province", AgencyKind.DEPARTMENT, False),
    ("bientap.tinh", "Huỳnh Mỹ Linh", Role.PORTAL_EDITOR, "province", AgencyKind.DEPARTMENT, True),
    ("noivu.hongngu", "Đặng Văn Phúc", Role.HOME_AFFAIRS_ADMIN, "district", AgencyKind.OFFICE, True),
    ("motcua.hongngu", "Bùi Thị Kim Yến", Role.DESK_OFFICER, "district", AgencyKind.RECEPTION_DESK, False),
    ("chuyenvien.hongngu", "Ngô Minh Tâm", Role.SPECIALIST, "district", AgencyKind.OFFICE, False),
    ("lanhdao.hongngu", "Lý Hoàng Nam", Role.LEADER, "district", AgencyKind.PEOPLES_COMMITTEE, False),
    ("bientap.hongngu", "Trương Thị Diễm", Role.PORTAL_EDITOR, "district", AgencyKind.OFFICE, True),
    ("motcua.xa", "Phan Thị Hồng Nhung", Role.DESK_OFFICER, "commune", AgencyKind.RECEPTION_DESK, False),
    ("chuyenvien.xa", "Đỗ Văn Hiếu", Role.SPECIALIST, "commune", AgencyKind.PEOPLES_COMMITTEE, False),
    ("lanhdao.xa", "Mai Thanh Sơn", Role.LEADER, "commune", AgencyKind.PEOPLES_COMMITTEE, False),
    ("bientap.xa", "Cao Thị Bích Trâm", Role.PORTAL_EDITOR, "commune", AgencyKind.PEOPLES_COMMITTEE, False),
]


def demo_units() -> dict[str, AdministrativeUnit]:
    province = AdministrativeUnit.objects.get(era=Era.CURRENT, code=DEMO_PROVINCE)
    district = AdministrativeUnit.objects.get(
        era=Era.PRE_2025, level=Level.DISTRICT, name=DEMO_DISTRICT,
        parent__code=DEMO_OLD_PROVINCE,
    )
    commune = AdministrativeUnit.objects.get(
        era=Era.CURRENT, level=Level.COMMUNE, name=DEMO_COMMUNE, parent=province
    )
    return {"province": province, "district": district, "commune": commune}


@transaction.atomic
def load_units_and_agencies(stdout=None):
    from cchc.org.services import ensure_standard_agencies, load_units

    if not AdministrativeUnit.objects.filter(era=Era.CURRENT, code=DEMO_PROVINCE).exists():
        result = load_units(DEMO_PROVINCE)
        if stdout:
            stdout.write(f"Đã nạp đơn vị hành chính: {result.summary()}")
    units = demo_units()
    province = units["province"]
    old_province = AdministrativeUnit.objects.get(era=Era.PRE_2025, code=DEMO_OLD_PROVINCE)
    for unit in [province, old_province, *old_province.children.all()]:
        ensure_standard_agencies(unit)
    for commune in province.children.all():
        ensure_standard_agencies(commune)
    return units


def _agency(unit, kind, home_affairs):
    # A commune's desk may be its public service centre rather than a reception desk.
    kinds = [kind, AgencyKind.SERVICE_CENTRE] if kind == AgencyKind.RECEPTION_DESK else [kind]
    agencies = Agency.objects.filter(unit=unit, kind__in=kinds)
    if home_affairs:
        agencies = agencies.filter(is_home_affairs=True)
    return agencies.order_by("code").first() or Agency.objects.filter(unit=unit).order_by("code").first()


@transaction.atomic
def load_accounts():
    units = demo_units()
    for username, full_name, role, level, kind, home_affairs in ACCOUNTS:
        unit = units[level]
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name, "is_active": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if role == Role.SYSTEM_ADMIN:
                user.is_staff = user.is_superuser = True
            elif role == Role.HOME_AFFAIRS_ADMIN:
                user.is_staff = True
            user.save()
        Membership.objects.get_or_create(
            user=user, unit=unit, agency=_agency(unit, kind, home_affairs), role=role
        )


def demo_accounts():
    """(username, role label, where) for printing."""
    rows = []
    for m in (
        Membership.objects.filter(user__username__in=[a[0] for a in ACCOUNTS])
        .select_related("user", "unit", "agency")
        .order_by("unit__era", "unit__path", "user__username")
    ):
        where = m.agency.name if m.agency else m.unit.name
        era = " (trước 1/7/2025)" if m.unit.era == Era.PRE_2025 else ""
        rows.append((m.user.username, m.get_role_display(), f"{where}{era}"))
    order = {a[0]: i for i, a in enumerate(ACCOUNTS)}
    return sorted(rows, key=lambda r: order[r[0]])


def load(stdout=None):
    load_units_and_agencies(stdout)
    load_accounts()
