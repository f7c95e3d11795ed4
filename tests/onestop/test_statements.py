"""The intake's hand-written statements (cchc.core.statements and the selectors built on it)
give what the ORM gives, field for field, on both databases."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import signals
from django.test.utils import CaptureQueriesContext

from cchc.catalog.models import FilingMethod, Procedure, ProcedureVersion
from cchc.catalog.selectors import get_procedure, version_for_intake, version_in_force
from cchc.core import statements
from cchc.errors import InvalidInput, NotFound
from cchc.onestop import services
from cchc.onestop.bulk import reserve_keys
from cchc.onestop.models import (
    Dossier,
    DossierEvent,
    DossierStep,
    ProcessTemplate,
    ProcessTemplateStep,
)
from cchc.onestop.selectors import process_template_steps
from cchc.org.models import Agency, AgencyKind, Role
from cchc.org.selectors import agency_with_unit
from tests.factories import AgencyFactory
from tests.onestop.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def field_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def read_back(model, pk):
    """The row through a hand-written select and ``statements.instance``."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {statements.select_list(model, 't')} FROM {model._meta.db_table} t "
                       f"WHERE t.id = %s", [pk])
        return statements.instance(model, cursor.fetchone())


def test_a_received_dossier_reads_back_the_same_through_both_paths(receive, world):
    dossier = receive("2026-04-24 09:00")
    for model, pk in ((Dossier, dossier.pk), (DossierStep, dossier.current_step_id),
                      (DossierEvent, DossierEvent.objects.get(dossier=dossier).pk)):
        by_orm = model.objects.get(pk=pk)
        by_hand = read_back(model, pk)
        assert field_values(by_hand) == field_values(by_orm), model
        assert not by_hand._state.adding
    # What the service wrote is what was stored: JSON, decimals, instants, foreign keys.
    stored = Dossier.objects.get(pk=dossier.pk)
    assert field_values(stored) == field_values(dossier)
    # Friday 24/4/2026 + 5 working days: Monday 27/4 is the Hùng Kings day off (26/4 is a
    # Sunday), 30/4 and 1/5 are holidays: 28, 29/4, 4, 5, 6/5.
    assert stored.due_explanation["due"] == "2026-05-06T09:00:00+07:00"
    assert stored.legal_days == Decimal("5")
    assert (stored.current_step_id, stored.current_agency_id, stored.current_role) == (
        dossier.current_step.pk, world.desk.pk, Role.DESK_OFFICER)


def test_insert_fills_the_pre_save_values_and_the_key(receive, world):
    dossier = receive()
    event = statements.insert(DossierEvent(dossier=dossier, action="note", at=at("2026-04-24 10:00"),
                                           status_before=2, status_after=2, data={"x": [1, "ă"]}))
    assert event.pk and not event._state.adding and event._state.db == "default"
    assert DossierEvent.objects.get(pk=event.pk).data == {"x": [1, "ă"]}
    step = statements.insert(DossierStep(dossier=dossier, position=9, name="Bước", role=Role.LEADER,
                                         agency=world.ubnd, budget_seconds=60,
                                         started_at=at("2026-04-24 10:00"),
                                         due_at=at("2026-04-24 10:01")))
    assert DossierStep.objects.get(pk=step.pk).agency == world.ubnd


def _new_rows(dossier, world, step_key):
    step = DossierStep(pk=step_key, dossier=dossier, position=7, name="Bước thêm",
                       role=Role.SPECIALIST, agency=world.ubnd, budget_seconds=60,
                       started_at=at("2026-04-24 10:00"), due_at=at("2026-04-24 10:01"))
    events = [DossierEvent(dossier=dossier, action=action, at=at("2026-04-24 10:00"),
                           status_before=2, status_after=2, data={"n": n, "chữ": "ư"})
              for n, action in enumerate(("note", "transfer"))]
    return step, events


def test_insert_all_writes_rows_of_several_tables_in_one_statement_on_postgresql(receive, world):
    dossier = receive()
    (step_key,) = reserve_keys(DossierStep)
    step, events = _new_rows(dossier, world, step_key)
    saved = []

    def on_saved(sender, instance, created, **kwargs):
        saved.append((sender, created, instance.pk))

    signals.post_save.connect(on_saved)
    try:
        with CaptureQueriesContext(connection) as queries:
            statements.insert_all(step, *events)
    finally:
        signals.post_save.disconnect(on_saved)
    assert len(queries.captured_queries) == (1 if connection.vendor == "postgresql" else 3)
    # The keyless rows got theirs back, in order; the keyed one kept its reserved key.
    assert step.pk == step_key and events[0].pk and events[1].pk > events[0].pk
    assert saved == [(DossierStep, True, step.pk), (DossierEvent, True, events[0].pk),
                     (DossierEvent, True, events[1].pk)]
    for obj in (step, *events):
        assert not obj._state.adding and obj._state.db == "default"
        assert field_values(type(obj).objects.get(pk=obj.pk)) == field_values(obj)


def test_insert_all_writes_every_row_or_none(receive, world):
    dossier = receive()
    step, events = _new_rows(dossier, world, dossier.current_step_id)  # a key already taken
    before = (DossierStep.objects.count(), DossierEvent.objects.count())
    with pytest.raises(IntegrityError), transaction.atomic():
        statements.insert_all(events[0], step, events[1])
    assert (DossierStep.objects.count(), DossierEvent.objects.count()) == before


def test_reserved_keys_are_new_and_distinct_per_table(receive, world):
    dossier = receive()
    dossier_key, step_key = reserve_keys(Dossier, DossierStep)
    assert dossier_key > dossier.pk and step_key > dossier.current_step_id
    assert not Dossier.objects.filter(pk=dossier_key).exists()
    if connection.vendor == "postgresql":
        # Drawn from the sequences: no later row can take them.
        later = receive()
        assert later.pk != dossier_key and later.current_step_id != step_key
    else:
        # After the largest keys: valid under the write lock of the caller's transaction.
        assert (dossier_key, step_key) == (dossier.pk + 1, dossier.current_step_id + 1)


def test_update_changes_one_row_and_says_so(receive):
    first, second = receive("2026-04-24 09:00"), receive("2026-04-24 09:30")
    assert statements.update(Dossier, first.pk, request="Đổi nội dung", sets=3) == 1
    assert statements.update(Dossier, 10**9, sets=3) == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.request, first.sets, second.sets) == ("Đổi nội dung", 3, 1)


def test_an_outer_joined_row_without_a_match_is_none(world):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {statements.select_list(Agency, 'a')} FROM {Procedure._meta.db_table} p "
                       f"LEFT JOIN {Agency._meta.db_table} a ON a.id = -1 WHERE p.id = %s",
                       [world.five_days.pk])
        assert statements.instance(Agency, cursor.fetchone()) is None


def test_agency_with_unit_is_the_orm_answer(world):
    for agency in Agency.objects.all():
        found = agency_with_unit(agency.code)
        assert field_values(found) == field_values(agency)
        assert field_values(found.unit) == field_values(agency.unit)
    assert agency_with_unit("000.99.99.H20") is None


def _intake_answer(code, on):
    procedure, version, methods = version_for_intake(code, on)
    return (procedure.pk, version and version.pk,
            {channel: (m.pk, m.days, m.version_id) for channel, m in methods.items()})


def _orm_answer(code, on):
    procedure = get_procedure(code, on)
    version = version_in_force(procedure, on)
    methods = version.methods_by_channel() if version else {}
    return (procedure.pk, version and version.pk,
            {channel: (m.pk, m.days, m.version_id) for channel, m in methods.items()})


def test_the_version_for_an_intake_is_the_catalogs_version_in_force(world):
    procedure = world.five_days
    first = procedure.versions.get()
    first.effective_to = datetime.date(2025, 12, 31)
    first.save()
    second = ProcedureVersion.objects.create(**{
        **{f.attname: getattr(first, f.attname) for f in ProcedureVersion._meta.concrete_fields
           if not f.primary_key},
        "number": 2, "effective_from": datetime.date(2026, 1, 1), "effective_to": None})
    FilingMethod.objects.create(version=second, channel="direct", days=Decimal("7"))
    without_methods = ProcedureVersion.objects.create(**{
        **{f.attname: getattr(first, f.attname) for f in ProcedureVersion._meta.concrete_fields
           if not f.primary_key},
        "procedure_id": world.same_day.pk, "number": 2,
        "effective_from": datetime.date(2030, 1, 1), "effective_to": None})
    world.same_day.versions.exclude(pk=without_methods.pk).update(
        effective_to=datetime.date(2029, 12, 31))
    days = [datetime.date(2019, 12, 31), datetime.date(2020, 1, 1), datetime.date(2025, 12, 31),
            datetime.date(2026, 1, 1), datetime.date(2030, 1, 1)]
    codes = [procedure.code, procedure.base_code, f"  {procedure.code} ", world.same_day.code,
             world.same_day.base_code]
    for code in codes:
        for day in days:
            assert _intake_answer(code, day) == _orm_answer(code, day), (code, day)
    assert _intake_answer(procedure.code, datetime.date(2026, 1, 1))[2]["direct"][1] == 7
    assert _intake_answer(world.same_day.code, datetime.date(2030, 1, 1))[2] == {}
    _procedure, version, methods = version_for_intake(procedure.code, datetime.date(2026, 1, 1))
    assert version.procedure.pk == procedure.pk and methods["direct"].version is version


def test_an_unknown_or_ambiguous_code_fails_as_before(world):
    with pytest.raises(NotFound):
        version_for_intake("9.999999", datetime.date(2026, 1, 1))
    with pytest.raises(NotFound):
        version_for_intake("", datetime.date(2026, 1, 1))
    twin = Procedure.objects.get(pk=world.five_days.pk)
    twin.pk, twin.code, twin.agency = None, world.five_days.code + ".X", world.other_desk
    twin.save()
    # Two procedures share the base code; only one is in force: that one.
    procedure, _version, _methods = version_for_intake(world.five_days.base_code,
                                                       datetime.date(2026, 1, 1))
    assert procedure.pk == world.five_days.pk
    version = world.five_days.versions.get()
    version.pk, version.procedure = None, twin
    version.save()
    with pytest.raises(InvalidInput) as error:
        version_for_intake(world.five_days.base_code, datetime.date(2026, 1, 1))
    assert error.value.code == "ambiguous_code"


def test_an_intake_outside_the_versions_period_is_refused(world):
    with pytest.raises(InvalidInput) as error:
        services.receive_dossier(agency=world.desk, procedure=world.five_days.code,
                                 applicant=APPLICANT, actor=world.desk_officer,
                                 at=at("2019-12-31 09:00"))
    assert error.value.code == "procedure_not_in_force"
    assert not Dossier.objects.exists()


def test_process_template_steps_are_the_orm_answer(world):
    archive = AgencyFactory(unit=world.commune, code="000.10.52.H20",
                            kind=AgencyKind.DEPARTMENT, name="Văn phòng")
    assert process_template_steps(world.five_days.pk) == []
    template = ProcessTemplate.objects.create(procedure=world.five_days)
    for position, agency in ((2, archive), (1, None), (3, None)):
        ProcessTemplateStep.objects.create(template=template, position=position, name=f"B{position}",
                                           role=Role.SPECIALIST, agency=agency,
                                           share=Decimal("0.3333"))
    by_hand = process_template_steps(world.five_days.pk)
    by_orm = list(ProcessTemplateStep.objects.filter(template__procedure=world.five_days)
                  .select_related("agency").order_by("position"))
    assert [field_values(s) for s in by_hand] == [field_values(s) for s in by_orm]
    assert [s.agency for s in by_hand] == [None, archive, None]
    assert by_hand[0].share == Decimal("0.3333")
    assert process_template_steps(world.same_day.pk) == []
