"""The intake's fast path (bench/README.md, "Intake through the API"): the officer's roles and
jurisdiction read once, the daily counter in one statement, the process in one query, and
a bounded number of queries per intake through the API."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.core.permissions import roles_of, visible_units
from cchc.core.privacy import can_see_contact
from cchc.errors import Forbidden, InvalidInput, OutsideJurisdiction
from cchc.onestop import services
from cchc.onestop.models import DailySequence, ProcessTemplate, ProcessTemplateStep
from cchc.onestop.selectors import actor_rights
from cchc.org.models import AdministrativeUnit, AgencyKind, Role
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, small_tree
from tests.onestop.api.conftest import token_client
from tests.onestop.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def test_actor_rights_agree_with_the_scoping_helpers_for_every_unit():
    """One query says what ``roles_of``, ``visible_units`` and ``can_see_contact`` say,
    including the units a new unit took over on 1/7/2025 (and not a split old district)."""
    t = small_tree()
    users = [MembershipFactory(unit=t[key], role=role).user for key, role in (
        ("p", Role.HOME_AFFAIRS_ADMIN), ("a", Role.DESK_OFFICER), ("b", Role.SPECIALIST),
        ("d", Role.LEADER), ("oc", Role.DESK_OFFICER))]
    both = MembershipFactory(unit=t["b"], role=Role.DESK_OFFICER).user
    MembershipFactory(user=both, unit=t["d"], role=Role.INSPECTOR)
    users += [both, UserFactory()]
    units = list(AdministrativeUnit.objects.all())
    seen = 0
    for user in users:
        visible = set(visible_units(user).values_list("pk", flat=True))
        for unit in units:
            with CaptureQueriesContext(connection) as queries:
                rights = actor_rights(user, unit)
            assert len(queries.captured_queries) == 1
            assert rights.roles == roles_of(user), (user, unit)
            assert rights.sees_unit == (unit.pk in visible), (user.username, unit.path)
            for other in units:
                assert rights.handles(other.pk) == can_see_contact(user, other.pk)
            seen += rights.sees_unit
    assert seen == sum(len(visible_units(u)) for u in users)  # both answers occur
    assert not actor_rights(users[-1], units[0]).roles  # no membership: no role, no unit


def test_intake_checks_the_role_and_the_jurisdiction(world):
    with pytest.raises(Forbidden):
        services.receive_dossier(agency=world.desk, procedure=world.five_days,
                                 applicant=APPLICANT, actor=world.specialist)
    with pytest.raises(OutsideJurisdiction):
        services.receive_dossier(agency=world.desk, procedure=world.five_days,
                                 applicant=APPLICANT, actor=world.outsider)
    # A province desk officer receives at a commune's desk below it.
    province_officer = UserFactory()
    MembershipFactory(user=province_officer, unit=world.province, role=Role.DESK_OFFICER)
    dossier = services.receive_dossier(agency=world.desk, procedure=world.five_days,
                                       applicant=APPLICANT, actor=province_officer)
    assert dossier.code.endswith("-0001")


def test_the_daily_counter_is_created_then_incremented_in_place(receive, world):
    first = receive("2026-04-24 09:00")
    second = receive("2026-04-24 10:00")
    other_day = receive("2026-04-27 08:00")
    assert [d.code[-11:] for d in (first, second, other_day)] == [
        "260424-0001", "260424-0002", "260427-0001"]
    assert dict(DailySequence.objects.values_list("day", "last")) == {
        datetime.date(2026, 4, 24): 2, datetime.date(2026, 4, 27): 1}


def test_an_exhausted_day_refuses_the_intake_and_keeps_its_counter(receive, world):
    DailySequence.objects.create(agency=world.desk, day=datetime.date(2026, 4, 24), last=9999)
    with pytest.raises(InvalidInput) as error:
        receive("2026-04-24 09:00")
    assert error.value.code == "sequence_exhausted"
    assert DailySequence.objects.get().last == 9999  # the failed intake rolled its number back


def test_the_procedures_own_process_is_used_from_the_first_step(receive, world):
    """The template's steps (one query with their agencies) replace the default process."""
    archive = AgencyFactory(unit=world.commune, code="000.10.52.H20",
                            kind=AgencyKind.DEPARTMENT, name="Văn phòng thẩm định")
    template = ProcessTemplate.objects.create(procedure=world.five_days)
    for position, (name, role, agency, share) in enumerate([
        ("Nhận hồ sơ", Role.DESK_OFFICER, None, "0.2"),
        ("Thẩm định tại văn phòng", Role.SPECIALIST, archive, "0.5"),
        ("Ký duyệt", Role.LEADER, None, "0.2"),
        ("Trả", Role.DESK_OFFICER, None, "0.1"),
    ], start=1):
        ProcessTemplateStep.objects.create(template=template, position=position, name=name,
                                           role=role, agency=agency, share=Decimal(share))
    dossier = receive()
    first = dossier.current_step
    assert (first.position, first.name, first.agency, first.role) == (
        1, "Nhận hồ sơ", world.desk, Role.DESK_OFFICER)
    # As stored: the dossier points at the step stored for it (its key reserved beforehand).
    stored = type(dossier).objects.select_related("current_step").get(pk=dossier.pk)
    assert stored.current_step == first and stored.current_step.dossier_id == dossier.pk
    assert (stored.current_agency, stored.current_role) == (world.desk, Role.DESK_OFFICER)
    # 0.2 of 5 working days of 8 hours.
    assert first.budget_seconds == 8 * 3600
    dossier = services.transfer_dossier(dossier, actor=world.desk_officer,
                                        at=at("2026-04-24 10:00"))
    assert (dossier.current_step.name, dossier.current_agency) == (
        "Thẩm định tại văn phòng", archive)


def test_intake_through_the_api_takes_few_queries(world, settings):
    """Token, agency, procedure with its version in force and that version's methods, the
    officer's rights, the counter, the dossier's and its first step's keys, the process, the
    dossier with its first step and its event (one statement on PostgreSQL) and, with
    production's database task queue, the notification's task row in the same transaction:
    9 statements besides the transaction's own on PostgreSQL, 11 on SQLite. It took 19, then
    a transaction of its own for the task row, then 12, then 11."""
    settings.TASKS = {"default": {"BACKEND": "cchc.core.taskqueue.DatabaseBackend"}}
    client = token_client(world.desk_officer)
    body = {"agency": world.desk.code, "procedure": world.five_days.code, "channel": 1,
            "applicant": dict(APPLICANT), "sets": 1}
    assert client.post("/api/v1/dossiers/", body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/dossiers/", body, format="json")
    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries
                  if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) <= (9 if connection.vendor == "postgresql" else 11), "\n".join(statements)
    assert any("django_tasks_database_dbtaskresult" in sql for sql in statements)
    # The dossier is written once, already pointing at its first step: no second version of
    # the row (and of each of its index entries) for the current step.
    assert not [sql for sql in statements if sql.startswith('UPDATE "onestop_dossier"')]
    body = response.json()
    # What the answer needs from the officer's rights, without reading them again.
    assert body["applicant"]["id_number"] == APPLICANT["id_number"]  # not masked for the desk
    assert {a["action"] for a in body["available_actions"]} >= {"transfer", "withdraw"}
