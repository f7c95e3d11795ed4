import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.core.permissions import has_role, roles_of, scope, visible_unit_ids, visible_units
from cchc.org.models import AdministrativeUnit, Membership, Role
from tests.factories import MembershipFactory, UserFactory, small_tree

pytestmark = pytest.mark.django_db


def codes(queryset):
    return sorted(f"{u.era}:{u.code}" for u in queryset)


def test_commune_user_sees_only_their_commune():
    t = small_tree()
    m = MembershipFactory(unit=t["b"])
    assert codes(visible_units(m.user)) == ["2025:B1"]


def test_province_user_sees_the_province_below_and_its_predecessors_tree():
    t = small_tree()
    m = MembershipFactory(unit=t["p"], role=Role.HOME_AFFAIRS_ADMIN)
    assert codes(visible_units(m.user)) == [
        "2025:A1", "2025:B1", "2025:P1", "pre2025:C1", "pre2025:D1", "pre2025:P1",
    ]


def test_new_commune_user_sees_the_old_communes_it_took_over_but_not_siblings():
    t = small_tree()
    m = MembershipFactory(unit=t["a"])
    # A took over the old commune C1 and part of the old district D1: it sees C1's records,
    # not the whole old district's.
    assert codes(visible_units(m.user)) == ["2025:A1", "pre2025:C1"]
    other = MembershipFactory(unit=t["b"])
    assert "pre2025:C1" not in codes(visible_units(other.user))


def test_old_district_user_sees_the_district_tree_only():
    t = small_tree()
    m = MembershipFactory(unit=t["d"])
    assert codes(visible_units(m.user)) == ["pre2025:C1", "pre2025:D1"]


def test_anonymous_and_unassigned_users_see_nothing():
    small_tree()
    assert not visible_units(AnonymousUser()).exists()
    assert not visible_units(UserFactory()).exists()


def test_visible_unit_ids_are_the_visible_units_in_one_query():
    t = small_tree()
    users = [MembershipFactory(unit=t[key]).user for key in ("p", "a", "b", "d")]
    both = MembershipFactory(unit=t["b"]).user
    MembershipFactory(user=both, unit=t["d"])
    users += [both, UserFactory(), UserFactory(is_superuser=True), AnonymousUser()]
    for user in users:
        with CaptureQueriesContext(connection) as queries:
            ids = visible_unit_ids(user)
        expected = visible_units(user).values_list("pk", flat=True)
        assert sorted(ids) == sorted(expected)
        assert len(queries.captured_queries) == (0 if user.is_anonymous else 1)
    assert len(visible_unit_ids(users[0])) == 6  # the province: both trees
    assert len(visible_unit_ids(users[1])) == 2  # A1 and the old commune it took over


def test_scope_filters_any_queryset_by_unit():
    t = small_tree()
    m = MembershipFactory(unit=t["a"])
    MembershipFactory(unit=t["b"])
    visible = scope(Membership.objects.all(), m.user)
    assert [x.unit.code for x in visible] == ["A1"]
    superuser = UserFactory(is_superuser=True)
    assert scope(Membership.objects.all(), superuser).count() == 2


def test_roles():
    t = small_tree()
    m = MembershipFactory(unit=t["a"], role=Role.LEADER)
    MembershipFactory(user=m.user, unit=t["b"], role=Role.SPECIALIST)
    assert roles_of(m.user) == {Role.LEADER, Role.SPECIALIST}
    assert has_role(m.user, Role.LEADER, Role.INSPECTOR)
    assert not has_role(m.user, Role.INSPECTOR)
    assert roles_of(AnonymousUser()) == set()
    assert AdministrativeUnit.objects.count() == 6
