"""Admin: dossiers and events are read-only and cannot be deleted; internal processes are
validated (shares add up to 1, a leader approves, the desk returns)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cchc.onestop import services
from cchc.onestop.models import Dossier, DossierEvent, ProcessTemplate
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    user = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_dossiers_can_be_read_but_not_changed_or_deleted(admin_client, receive):
    dossier = receive()
    event = dossier.events.get()
    changelist = admin_client.get(reverse("admin:onestop_dossier_changelist"))
    assert changelist.status_code == 200 and dossier.code in changelist.content.decode()
    assert "delete_selected" not in changelist.content.decode()
    page = admin_client.get(reverse("admin:onestop_dossier_change", args=[dossier.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and "deletelink" not in html
    assert admin_client.get(reverse("admin:onestop_dossier_add")).status_code == 403
    assert admin_client.get(reverse("admin:onestop_dossier_delete", args=[dossier.pk])).status_code == 403
    response = admin_client.post(reverse("admin:onestop_dossier_change", args=[dossier.pk]),
                                 {"applicant_name": "Đã sửa"})
    assert response.status_code == 403
    response = admin_client.post(reverse("admin:onestop_dossier_changelist"),
                                 {"action": "delete_selected", "_selected_action": [dossier.pk]})
    assert Dossier.objects.filter(pk=dossier.pk).exists()
    assert admin_client.get(reverse("admin:onestop_dossierevent_delete", args=[event.pk])).status_code == 403
    assert admin_client.get(reverse("admin:onestop_dossierevent_change", args=[event.pk])).status_code == 200
    dossier.refresh_from_db()
    assert dossier.applicant_name != "Đã sửa" and DossierEvent.objects.count() == 1


def test_staff_see_only_their_units_dossiers(client, world, receive):
    mine = receive()
    other = services.receive_dossier(agency=world.other_desk, procedure=world.five_days,
                                     applicant={"name": "Trần Thị Bình"}, actor=world.outsider)
    officer = UserFactory(username="noivu.xa", is_staff=True)
    MembershipFactory(user=officer, unit=world.commune, role="home_affairs_admin")
    officer.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_dossier", "view_dossierevent"]))
    client.force_login(officer)
    html = client.get(reverse("admin:onestop_dossier_changelist")).content.decode()
    assert mine.code in html and other.code not in html
    assert client.get(reverse("admin:onestop_dossier_change", args=[other.pk])).status_code in (302, 404)


def process_data(world, shares, roles=("desk_officer", "specialist", "leader", "desk_officer"),
                 positions=None):
    data = {
        "procedure": world.five_days.pk, "note": "",
        "steps-TOTAL_FORMS": len(shares), "steps-INITIAL_FORMS": 0,
        "steps-MIN_NUM_FORMS": 0, "steps-MAX_NUM_FORMS": 1000,
    }
    for index, (share, role) in enumerate(zip(shares, roles, strict=True)):
        data.update({
            f"steps-{index}-position": (positions or range(1, len(shares) + 1))[index],
            f"steps-{index}-name": f"Bước {index + 1}", f"steps-{index}-role": role,
            f"steps-{index}-agency": "", f"steps-{index}-share": share,
        })
    return data


def test_process_shares_must_add_up_to_one(admin_client, world):
    url = reverse("admin:onestop_processtemplate_add")
    response = admin_client.post(url, process_data(world, ["0.1", "0.5", "0.2", "0.1"]))
    assert response.status_code == 200
    assert "Tổng tỷ lệ thời gian của các bước phải bằng 1 (hiện là 0.9)" in response.content.decode()
    assert not ProcessTemplate.objects.exists()
    response = admin_client.post(url, process_data(world, ["0.1", "0.6", "0.2", "0.1"]))
    assert response.status_code == 302, response.content.decode()
    assert ProcessTemplate.objects.get().steps.count() == 4


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"shares": ["0.5", "0.5"], "roles": ("desk_officer", "leader")}, "ít nhất 3 bước"),
    ({"shares": ["0.2", "0.6", "0.2"], "roles": ("desk_officer", "specialist", "desk_officer")},
     "phê duyệt của lãnh đạo"),
    ({"shares": ["0.2", "0.6", "0.2"], "roles": ("desk_officer", "leader", "specialist")},
     "trả kết quả của cán bộ một cửa"),
    ({"shares": ["0.2", "0.6", "0.2"], "roles": ("desk_officer", "leader", "desk_officer"),
      "positions": [1, 2, 4]}, "liên tục từ 1"),
    ({"shares": ["0", "0.8", "0.2"], "roles": ("desk_officer", "leader", "desk_officer")},
     "lớn hơn 0"),
])
def test_process_must_be_runnable(admin_client, world, kwargs, message):
    response = admin_client.post(reverse("admin:onestop_processtemplate_add"),
                                 process_data(world, **kwargs))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProcessTemplate.objects.exists()


def test_a_saved_process_drives_new_dossiers(admin_client, world, receive):
    admin_client.post(reverse("admin:onestop_processtemplate_add"), process_data(
        world, ["0.2", "0.6", "0.2"], roles=("desk_officer", "leader", "desk_officer")))
    dossier = receive()
    services.transfer_dossier(dossier, actor=world.desk_officer)
    services.approve_dossier(dossier, actor=world.leader)
    dossier.refresh_from_db()
    assert dossier.status == 9
