import datetime

import pytest
from django.utils import timezone

from cchc.org.models import Era, Level, Role
from tests.factories import MembershipFactory, UnitFactory, UserFactory

OLD_END = datetime.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def news_urls(settings):
    settings.ROOT_URLCONF = "tests.news.urls"
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]


def _member(username, unit, role):
    user = UserFactory(username=username, full_name=username)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


def build_portal():
    """Province 82 with communes A and B; old province 87 with district D (successor: 82).
    Sections for A, B, D and the province; editors, leaders and Home Affairs accounts."""
    from cchc.news import services

    province = UnitFactory(era=Era.CURRENT, code="82", name="Đồng Tháp", level=Level.PROVINCE)
    a = UnitFactory(era=Era.CURRENT, code="29955", name="Phường Hồng Ngự", level=Level.COMMUNE,
                    parent=province)
    b = UnitFactory(era=Era.CURRENT, code="29926", name="Xã Tân Hồng", level=Level.COMMUNE,
                    parent=province)
    old = UnitFactory(era=Era.PRE_2025, code="87", name="Đồng Tháp", level=Level.PROVINCE,
                      valid_from=None, valid_to=OLD_END)
    district = UnitFactory(era=Era.PRE_2025, code="868", name="Thành phố Hồng Ngự",
                           level=Level.DISTRICT, parent=old, valid_from=None, valid_to=OLD_END)
    old.successors.add(province)
    users = {
        "editor_a": _member("bientap.a", a, Role.PORTAL_EDITOR),
        "leader_a": _member("lanhdao.a", a, Role.LEADER),
        "editor_b": _member("bientap.b", b, Role.PORTAL_EDITOR),
        "leader_b": _member("lanhdao.b", b, Role.LEADER),
        "editor_d": _member("bientap.d", district, Role.PORTAL_EDITOR),
        "province_editor": _member("bientap.tinh", province, Role.PORTAL_EDITOR),
        "ha_province": _member("noivu.tinh", province, Role.HOME_AFFAIRS_ADMIN),
        "ha_district": _member("noivu.d", district, Role.HOME_AFFAIRS_ADMIN),
        "desk_a": _member("motcua.a", a, Role.DESK_OFFICER),
    }
    home = services.ensure_portal(province)
    sections = {
        "province": services.ensure_unit_section(home, province),
        "a": services.ensure_unit_section(home, a),
        "b": services.ensure_unit_section(home, b),
        "d": services.ensure_unit_section(home, district),
    }
    services.sync_portal_permissions()
    categories = {c.slug: c for c in home.get_children().specific()
                  if c.specific_class.__name__ == "CategoryIndexPage"}
    return {"home": home, "sections": sections, "categories": categories, "users": users,
            "units": {"province": province, "a": a, "b": b, "old": old, "d": district}}


@pytest.fixture
def portal(db):
    return build_portal()


def make_article(portal, section="a", *, title="Cải cách hành chính ở phường", when=None,
                 category="tin-hoat-dong", **kwargs):
    from cchc.news import services

    defaults = {"summary": "Tóm tắt bài viết.", "author": "Thu Hà", "photo_credit": "Minh Tâm",
                "body": [{"type": "paragraph", "value": "<p>Nội dung về một cửa.</p>"}]}
    defaults.update(kwargs)
    return services.publish_article(
        portal["sections"][section], title=title, category=portal["categories"][category],
        published_at=when or timezone.now(), **defaults)
