"""What the home page shows each role."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from cchc.org.models import Role

from .permissions import memberships, roles_of


@dataclass
class HomeSection:
    title: str
    description: str
    links: list[tuple[str, str]] = field(default_factory=list)


def _url(name: str) -> str | None:
    name, _sep, arg = name.partition(":arg=")
    try:
        return reverse(name, args=[arg] if arg else None)
    except NoReverseMatch:
        return None


# Each role's work, as (title, description, [(label, url name)]). Links whose URL is not
# installed yet are left out, so the page never points at nothing.
ROLE_SECTIONS = {
    Role.DESK_OFFICER: (
        _("Tiếp nhận và trả kết quả"),
        _("Tiếp nhận hồ sơ, hẹn ngày trả, trả kết quả cho công dân."),
        [(_("Hồ sơ một cửa"), "onestop:home"), (_("Tiếp nhận hồ sơ"), "onestop:intake"),
         (_("Hồ sơ quá hạn"), "onestop:queue:arg=overdue"), (_("Tra cứu hồ sơ"), "onestop:lookup"),
         (_("Lịch làm việc và tính hạn"), "workcal:calendar")],
    ),
    Role.SPECIALIST: (
        _("Giải quyết hồ sơ"),
        _("Hồ sơ được giao, hồ sơ sắp đến hạn và quá hạn."),
        [(_("Hồ sơ được giao"), "onestop:home"), (_("Sắp đến hạn"), "onestop:queue:arg=due_soon"),
         (_("Quá hạn"), "onestop:queue:arg=overdue"), (_("Lịch làm việc và tính hạn"), "workcal:calendar")],
    ),
    Role.LEADER: (
        _("Lãnh đạo đơn vị"),
        _("Phê duyệt kết quả, theo dõi tiến độ giải quyết của đơn vị."),
        [(_("Hồ sơ chờ phê duyệt"), "onestop:home"), (_("Hồ sơ quá hạn của đơn vị"), "onestop:queue:arg=overdue"),
         (_("Theo dõi kiến nghị"), "inspection:recommendations"), (_("Nhiệm vụ CCHC"), "inspection:tasks")],
    ),
    Role.INSPECTOR: (
        _("Kiểm tra cải cách hành chính"),
        _("Kế hoạch kiểm tra, đơn vị được kiểm tra, kết quả và kiến nghị."),
        [(_("Kiểm tra CCHC"), "inspection:home"), (_("Theo dõi kiến nghị"), "inspection:recommendations"),
         (_("Nhiệm vụ CCHC"), "inspection:tasks"), (_("Hồ sơ một cửa"), "onestop:queue:arg=all")],
    ),
    Role.HOME_AFFAIRS_ADMIN: (
        _("Quản trị Nội vụ"),
        _("Lịch làm việc của tỉnh, đơn vị hành chính, cơ quan, tài khoản."),
        [(_("Kiểm tra CCHC"), "inspection:home"), (_("Theo dõi kiến nghị"), "inspection:recommendations"),
         (_("Nhiệm vụ CCHC"), "inspection:tasks"),
         (_("Hồ sơ một cửa"), "onestop:queue:arg=all"), (_("Lịch làm việc và tính hạn"), "workcal:calendar"),
         (_("Quyết định công bố thủ tục"), "catalog:announcement_list"),
         (_("Trang quản trị"), "admin:index")],
    ),
    Role.PORTAL_EDITOR: (
        _("Cổng tin cải cách hành chính"),
        _("Viết, gửi duyệt và đăng tin CCHC của đơn vị."),
        [(_("Soạn tin (cổng tin)"), "wagtailadmin_home"), (_("Cổng tin CCHC"), "news_portal_home")],
    ),
    Role.SYSTEM_ADMIN: (
        _("Quản trị hệ thống"),
        _("Cấu hình, tài khoản, dữ liệu danh mục."),
        [(_("Trang quản trị"), "admin:index"), (_("Tài liệu API"), "api-docs"),
         (_("Quyết định công bố thủ tục"), "catalog:announcement_list")],
    ),
}


def home_sections_for(user) -> list[HomeSection]:
    sections = []
    for role in Role:
        if role not in roles_of(user):
            continue
        title, description, links = ROLE_SECTIONS[role]
        resolved = [(label, url) for label, name in links if (url := _url(name))]
        sections.append(HomeSection(str(title), str(description), resolved))
    return sections


def units_of(user):
    return sorted({m.unit for m in memberships(user)}, key=lambda u: u.path)
