"""The dossiers table partitioned by month of submission on PostgreSQL (onestop 0007,
cchc.onestop.partitions, docs/scaling.md 2.3): placement, pruning, and the integrity the
triggers keep now that no foreign key can point at it and ``code`` has no unique index."""

import datetime
import re
import threading

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cchc.onestop import partitions
from cchc.onestop.models import Dossier, DossierEvent, DossierStep, Status
from tests.onestop.conftest import at
from tests.onestop.test_partitions import expected_partition

pytestmark = pytest.mark.postgres


def _partition_of(dossier) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM onestop_dossier WHERE id = %s",
                       [dossier.pk])
        return cursor.fetchone()[0]


def _codes(*codes) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT code, dossier_id FROM {partitions.CODE_TABLE} WHERE code = ANY(%s)",
                       [list(codes)])
        return dict(cursor.fetchall())


def _check_deferred():
    """What a commit would check: the deferred constraint triggers, now."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _defer_again():
    """After a check failed inside a savepoint, the test's transaction defers again."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_the_dossiers_table_is_partitioned_with_every_index(db):
    assert partitions.is_partitioned(connection, partitions.DOSSIERS)
    names = set(partitions.existing_partitions(connection, partitions.DOSSIERS))
    assert {"onestop_dossier_y2020", "onestop_dossier_default"} <= names
    assert not {name for name in names if name.startswith("onestop_dossier_y2020m")}
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'onestop_dossier'")
        assert cursor.fetchone()[0] == "p"
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'onestop_dossier'::regclass AND contype = 'p'")
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, submitted_at)"
        cursor.execute("SELECT indexname, obj_description(to_regclass(indexname), 'pg_class') "
                       "FROM pg_indexes WHERE tablename = 'onestop_dossier'")
        indexes = dict(cursor.fetchall())
        # No foreign key can reference a partitioned table by id alone: none is left.
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE confrelid = "
                       "'onestop_dossier'::regclass")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgparentid = 0 "
                       "AND tgname LIKE 'cchc\\_%%\\_dossier\\_id\\_ins'")
        guarded = {row[0] for row in cursor.fetchall()}
    declared = {index.name for index in Dossier._meta.indexes}
    from importlib import import_module

    reports = {**import_module("cchc.reports.migrations.0002_report_indexes").INDEXES,
               **import_module("cchc.reports.migrations.0004_open_period_with_submission").INDEXES}
    for name, (definition, _concurrently) in reports.items():
        if " ON onestop_dossier " in definition:
            declared.add(name)
            assert indexes[name] == definition  # the comment the benchmark compares survived
    assert declared <= set(indexes)
    assert "onestop_dossier_code_idx" in indexes
    # Every table with a foreign key to Dossier in the models has its trigger.
    children = {f.model._meta.db_table for model in apps.get_models()
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is Dossier}
    assert children == guarded and len(children) >= 10


def test_a_dossier_lands_in_its_month_in_vietnam_time(receive):
    april, may = receive("2026-04-30 16:00"), receive("2026-04-30 16:10")
    # 00:30 on 1 May in Việt Nam is still 30 April in UTC: the month is Việt Nam's.
    Dossier.objects.filter(pk=may.pk).update(submitted_at=at("2026-05-01 00:30"))
    assert _partition_of(april) == expected_partition("onestop_dossier", "2026-04")
    assert _partition_of(may) == expected_partition("onestop_dossier", "2026-05")
    assert Dossier.objects.get(pk=may.pk).code == may.code
    assert _codes(april.code, may.code) == {april.code: april.pk, may.code: may.pk}


def test_a_period_of_submission_prunes_the_other_months(receive):
    receive("2026-04-24 09:00")
    query = Dossier.objects.filter(submitted_at__gte=at("2026-04-01 00:00"),
                                   submitted_at__lt=at("2026-05-01 00:00")).values("status")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert expected_partition("onestop_dossier", "2026-04") in plan
    assert "y2026m03" not in plan and "y2026m05" not in plan and "_default" not in plan
    assert "y2025" not in plan


def test_an_orphan_child_is_refused(receive):
    dossier = receive()
    step = dossier.steps.first()
    missing = dossier.pk + 10_000
    with pytest.raises(IntegrityError, match="onestop_dossier"), transaction.atomic():
        DossierEvent.objects.create(dossier_id=missing, action="note", at=at("2026-04-25 09:00"),
                                    status_after=Status.RECEIVED)
        _check_deferred()
    _defer_again()
    with pytest.raises(IntegrityError, match="onestop_dossier"), transaction.atomic():
        DossierStep.objects.filter(pk=step.pk).update(dossier_id=missing)
        _check_deferred()
    _defer_again()
    # A change that keeps the dossier is not checked, and passes.
    DossierStep.objects.filter(pk=step.pk).update(note="ok")
    _check_deferred()


def test_a_duplicate_code_is_refused(receive):
    first, second = receive(), receive()
    with pytest.raises(IntegrityError, match="onestop_dossier_code"), transaction.atomic():
        Dossier.objects.filter(pk=second.pk).update(code=first.code)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.create(**{f.attname: getattr(first, f.attname)
                                  for f in Dossier._meta.concrete_fields if f.name != "id"})
    # A new code for a dossier frees the old one and registers the new one.
    Dossier.objects.filter(pk=second.pk).update(code="X-NEW-CODE")
    assert _codes(second.code, "X-NEW-CODE") == {"X-NEW-CODE": second.pk}


def test_a_change_of_month_moves_the_row_and_keeps_code_and_children(receive):
    dossier = receive("2026-04-24 09:00")
    Dossier.objects.filter(pk=dossier.pk).update(submitted_at=at("2026-06-02 09:00"))
    _check_deferred()  # the steps and events still point at an existing dossier
    assert _partition_of(dossier) == expected_partition("onestop_dossier", "2026-06")
    assert _codes(dossier.code) == {dossier.code: dossier.pk}


def test_deleting_through_the_orm_cascades_as_before_and_a_raw_delete_is_refused(receive):
    kept, gone = receive(), receive()
    _check_deferred()  # the checks of the children's inserts, as at their commit
    with pytest.raises(IntegrityError, match="still referenced"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM onestop_dossier WHERE id = %s", [kept.pk])
        _check_deferred()
    _defer_again()
    assert Dossier.objects.filter(pk=kept.pk).exists()
    gone.delete()
    _check_deferred()
    assert not DossierEvent.objects.filter(dossier_id=gone.pk).exists()
    assert not DossierStep.objects.filter(dossier_id=gone.pk).exists()
    assert _codes(gone.code) == {}
    assert kept.events.exists()


def test_new_months_take_their_dossiers_from_the_default_partition(receive):
    far = receive("2026-04-24 09:00")
    Dossier.objects.filter(pk=far.pk).update(submitted_at=at("2031-03-10 09:00"))
    assert _partition_of(far) == "onestop_dossier_default"
    _check_deferred()  # a partition with pending trigger events cannot be altered or dropped
    created = partitions.ensure_dossier_partitions(0, today=datetime.date(2031, 3, 5))
    assert created[-1] == "onestop_dossier_y2031m03"
    assert _partition_of(far) == "onestop_dossier_y2031m03"
    _check_deferred()
    assert _codes(far.code) == {far.code: far.pk}  # registered again after the move
    assert partitions.ensure_dossier_partitions(0, today=datetime.date(2031, 3, 5)) == []


def test_the_command_creates_the_coming_months_of_both_tables(db, capsys):
    call_command("create-partitions", "--months", "30")
    out = capsys.readouterr().out
    assert f"Đã tạo {2 * (30 - partitions.MONTHS_AHEAD)} phân vùng" in out
    names = set(partitions.existing_partitions(connection, partitions.DOSSIERS))
    ahead = datetime.date.today().replace(day=1)
    for _ in range(30):
        ahead = (ahead + datetime.timedelta(days=32)).replace(day=1)
    assert partitions.DOSSIERS.partition_name(ahead) in names


def test_a_closed_years_months_roll_up_with_codes_and_references_kept(receive):
    year = timezone.localdate().year
    dossier = receive(f"{year}-03-02 09:00")
    stray = receive(f"{year}-03-02 09:10")
    _check_deferred()  # a partition with pending trigger events cannot be altered or dropped
    # A row of that year in the default partition (as if its month had been missing).
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE onestop_dossier DETACH PARTITION "onestop_dossier_y{year}m05"')
        cursor.execute(f'DROP TABLE "onestop_dossier_y{year}m05"')
    Dossier.objects.filter(pk=stray.pk).update(submitted_at=at(f"{year}-05-20 09:00"))
    assert _partition_of(stray) == "onestop_dossier_default"
    _check_deferred()
    created = partitions.ensure_dossier_partitions(today=datetime.date(year + 1, 1, 10))
    assert f"onestop_dossier_y{year}" in created
    assert _partition_of(dossier) == _partition_of(stray) == f"onestop_dossier_y{year}"
    _check_deferred()  # every step and event still points at an existing dossier
    assert _codes(dossier.code, stray.code) == {dossier.code: dossier.pk, stray.code: stray.pk}
    with pytest.raises(IntegrityError, match="onestop_dossier_code"), transaction.atomic():
        Dossier.objects.filter(pk=stray.pk).update(code=dossier.code)
    with pytest.raises(IntegrityError, match="still referenced"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM onestop_dossier WHERE id = %s", [dossier.pk])
        _check_deferred()
    _defer_again()


def test_a_lookup_by_code_plans_only_the_partition_of_its_day(receive):
    dossier = receive("2026-04-24 09:00")
    bounds = partitions.submission_day_bounds(dossier.code)
    assert bounds == (at("2026-04-24 00:00"), at("2026-04-25 00:00"))
    query = Dossier.objects.filter(code=dossier.code, submitted_at__gte=bounds[0],
                                   submitted_at__lt=bounds[1])
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    planned = [name for name in partitions.existing_partitions(connection, partitions.DOSSIERS)
               if re.search(rf"\b{name}\b", plan)]
    assert planned == [expected_partition("onestop_dossier", "2026-04")]


def test_seeding_registers_the_codes_its_copy_skipped(world):
    from cchc.onestop import seeding
    from cchc.org.models import AdministrativeUnit

    # The fixture's communes are post-2025 units; this history is from 2024 (bulk/conftest.py).
    AdministrativeUnit.objects.filter(pk__in=[world.commune.pk, world.other_commune.pk]).update(
        valid_from=None)
    report = seeding.seed_dossiers(300, datetime.date(2024, 1, 1), datetime.date(2024, 3, 31),
                                   now=at("2024-04-10 10:00"), seed=5)
    assert report.dossiers == 300 and "theo lô" in report.method  # the trigger-less path
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM onestop_dossier d JOIN {partitions.CODE_TABLE} c "
                       "ON c.code = d.code AND c.dossier_id = d.id")
        assert cursor.fetchone()[0] == Dossier.objects.count()
    some = Dossier.objects.order_by("id").first()
    with connection.cursor() as cursor:
        # The chunks' SET LOCAL outlives them inside the test's one transaction.
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.filter(pk=Dossier.objects.order_by("-id").first().pk).update(code=some.code)


def _raw_connection():
    settings = connection.settings_dict
    return psycopg.connect(dbname=settings["NAME"], user=settings["USER"] or None,
                           host=settings["HOST"] or None, port=settings["PORT"] or None,
                           password=settings["PASSWORD"] or None)


def test_two_concurrent_dossiers_with_one_code_fail_the_second(transactional_db, receive):
    model = receive()
    columns = [f'"{f.column}"' for f in Dossier._meta.concrete_fields if f.name not in ("id", "code")]
    copy = (f"INSERT INTO onestop_dossier (code, {', '.join(columns)}) "
            f"SELECT %s, {', '.join(columns)} FROM onestop_dossier WHERE id = %s")
    first, second = _raw_connection(), _raw_connection()
    outcome = {}
    try:
        first.execute(copy, ["DUP-CODE-1", model.pk])  # uncommitted: the code is taken

        def insert_same_code():
            try:
                second.execute(copy, ["DUP-CODE-1", model.pk])  # waits for the first
                second.commit()
                outcome["second"] = "committed"
            except psycopg.errors.UniqueViolation:
                second.rollback()
                outcome["second"] = "unique violation"

        waiter = threading.Thread(target=insert_same_code)
        waiter.start()
        waiter.join(timeout=1)
        assert waiter.is_alive()  # blocked on the first transaction's code
        first.commit()
        waiter.join(timeout=10)
        assert outcome == {"second": "unique violation"}
    finally:
        first.close()
        second.close()
    assert Dossier.objects.filter(code="DUP-CODE-1").count() == 1
