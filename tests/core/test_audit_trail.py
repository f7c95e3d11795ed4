"""What the audit log records besides logins and searches (``core.audittrail``): accounts,
roles and unit memberships, groups and permissions (admin and code alike), the working
calendar — each in the transaction of the change, so a rolled-back change leaves nothing."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from cchc.core.audittrail import acting_as
from cchc.core.models import AuditRecord
from cchc.org.models import Membership, Role
from cchc.workcal import services as workcal
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def records(prefix=""):
    return [(r.action, r.object_id, r.actor_id, r.data)
            for r in AuditRecord.objects.filter(action__startswith=prefix).order_by("seq")]


@pytest.fixture
def admin_user():
    return UserFactory(username="quantri", is_staff=True, is_superuser=True)


def test_account_creation_flags_password_and_personal_fields(admin_user):
    with acting_as(admin_user):
        user = UserFactory(username="canbo1", full_name="Nguyễn Văn A")
        user.is_staff = True
        user.phone = "0912000111"
        user.set_password("mật khẩu mới 2026")
        user.save()
    [created, changed] = AuditRecord.objects.filter(object_id=str(user.pk)).order_by("seq")
    assert created.action == "account.created" and created.actor_id == admin_user.pk
    assert created.data["username"] == "canbo1" and created.data["is_staff"] is False
    assert changed.action == "account.changed" and changed.actor_name == "quantri"
    assert changed.data["changed"] == {"is_staff": [False, True]}
    assert changed.data["personal_fields"] == ["phone"] and changed.data["password_changed"]
    # Only the names of personal fields: no phone number, no password hash in the log.
    assert "0912000111" not in str(changed.data) and user.password not in str(changed.data)


def test_saves_that_change_nothing_of_interest_are_not_recorded(admin_user):
    user = UserFactory()
    count = AuditRecord.objects.count()
    user.last_login = datetime.datetime.now(datetime.UTC)
    user.save(update_fields=["last_login"])
    user.save()  # nothing changed
    assert AuditRecord.objects.count() == count
    user.delete()
    assert records("account.deleted")[-1][3] == {"username": user.username}


def test_a_rolled_back_change_leaves_no_record(admin_user):
    user = UserFactory()
    count = AuditRecord.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        user.is_superuser = True
        user.save()
        MembershipFactory(user=user, role=Role.LEADER)
        user.groups.add(Group.objects.create(name="Lãnh đạo"))
        workcal.set_override(datetime.date(2026, 9, 1), "day_off", "Quyết định 1/QĐ-UBND")
        assert AuditRecord.objects.count() == count + 5  # recorded inside the transaction
        raise RuntimeError
    assert AuditRecord.objects.count() == count


def test_memberships_added_changed_removed(admin_user):
    user = UserFactory()
    unit = UnitFactory()
    with acting_as(admin_user):
        membership = Membership.objects.create(user=user, unit=unit, role=Role.DESK_OFFICER)
        membership.role = Role.LEADER
        membership.save()
        membership.save()  # unchanged: nothing
        pk = membership.pk
        membership.delete()
    assert [(a, o, actor) for a, o, actor, _d in records("membership.")] == [
        ("membership.added", str(pk), admin_user.pk), ("membership.changed", str(pk), admin_user.pk),
        ("membership.removed", str(pk), admin_user.pk)]
    changed = records("membership.changed")[0][3]
    assert changed["before"]["role"] == "desk_officer" and changed["after"]["role"] == "leader"
    assert changed["after"]["unit_id"] == unit.pk


def test_groups_and_permissions_of_users_and_groups(admin_user):
    user = UserFactory()
    permission = Permission.objects.get(content_type__app_label="onestop",
                                        codename="view_dossier")
    with acting_as(admin_user):
        group = Group.objects.create(name="Chuyên viên")
        group.permissions.add(permission)
        user.groups.add(group)
        user.user_permissions.add(permission)
        user.user_permissions.add(permission)  # already there: nothing new
        user.user_permissions.clear()
        group.user_set.remove(user)  # from the other side
    actions = [(a, d) for a, _o, _actor, d in records() if a.startswith(("account.", "group."))
               and a != "account.created"]
    assert actions == [
        ("group.created", {"name": "Chuyên viên"}),
        ("group.permissions.added", {"auth.permission": ["onestop.view_dossier"]}),
        ("account.groups.added", {"auth.group": ["Chuyên viên"]}),
        ("account.permissions.added", {"auth.permission": ["onestop.view_dossier"]}),
        ("account.permissions.removed", {"auth.permission": ["onestop.view_dossier"]}),
        ("account.groups.removed", {"org.user": [str(user.pk)]}),
    ]


def test_changes_through_the_admin_record_the_logged_in_user(client, admin_user):
    client.force_login(admin_user)
    target = UserFactory(username="bikhoa")
    response = client.post("/quan-tri/auth/group/add/", {"name": "Kiểm tra viên"})
    assert response.status_code == 302
    response = client.post(f"/quan-tri/org/user/{target.pk}/password/",
                           {"password1": "Mật-khẩu-mới-2026!", "password2": "Mật-khẩu-mới-2026!",
                            "usable_password": "true"})
    assert response.status_code == 302
    group = AuditRecord.objects.get(action="group.created")
    assert group.actor_id == admin_user.pk and group.data == {"name": "Kiểm tra viên"}
    changed = AuditRecord.objects.get(action="account.changed", object_id=str(target.pk))
    assert changed.actor_id == admin_user.pk and changed.data["password_changed"] is True


def test_calendar_overrides_and_office_hours(admin_user):
    with acting_as(admin_user):
        workcal.set_override(datetime.date(2026, 9, 1), "day_off", "Quyết định 1/QĐ-UBND")
        workcal.remove_override(datetime.date(2026, 9, 1))
    [(set_action, _o, actor, data), (removed, _o2, _a, _d)] = records("calendar.override")
    assert (set_action, removed, actor) == ("calendar.override_set", "calendar.override_removed",
                                            admin_user.pk)
    assert data["date"] == "2026-09-01" and data["kind"] == "day_off"


def test_office_hours_changes_are_recorded(admin_user):
    with acting_as(admin_user):
        workcal.update_office_hours(same_day_cutoff=datetime.time(16, 0))
    [record] = AuditRecord.objects.filter(action="calendar.office_hours_changed")
    assert record.actor_id == admin_user.pk and record.data["same_day_cutoff"] == "16:00:00"


def test_a_user_who_acted_cannot_be_deleted_and_the_dumpdata_backup_still_works(admin_user, tmp_path):
    from django.core.management import call_command
    from django.db.models import ProtectedError

    from cchc.core.services import append_audit

    officer = UserFactory()
    append_audit("test.action", actor=officer, data={"n": 1})
    with pytest.raises(ProtectedError):
        officer.delete()
    assert AuditRecord.objects.filter(actor=officer).exists()
    out = tmp_path / "dump.json"
    with open(out, "w", encoding="utf-8") as f:
        call_command("dumpdata", "core.auditrecord", natural_foreign=True, stdout=f, verbosity=0)
    assert officer.username in out.read_text(encoding="utf-8")
