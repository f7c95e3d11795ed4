"""The searches recorded by the former ``civil.SearchAudit`` move into core's record of
searches of people (migration civil 0003), and back when the migration is reversed."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import UserFactory

BEFORE = [("civil", "0002_search_word_indexes"), ("core", "0003_personaldatasearch_truncated")]
AFTER = [("civil", "0003_search_audit_to_core")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_civil_search_audits_move_into_core_and_back():
    user = UserFactory(username="hotich.cu")
    at = datetime.datetime(2026, 3, 2, 8, 15, tzinfo=datetime.UTC)
    try:
        apps = _migrate(BEFORE)
        old = apps.get_model("civil", "SearchAudit")
        core = apps.get_model("core", "PersonalDataSearch")
        core.objects.create(at=at, source="onestop.queue", params={"q": "An"}, result_count=2)
        old.objects.create(user_id=user.pk, at=at, params={"name": "bao ngoc", "book": 3},
                           result_count=201, truncated=True, source="page")
        old.objects.create(user_id=None, at=at, params={"id_number": "087300013579"},
                           result_count=0, source="api")

        apps = _migrate(AFTER)
        core = apps.get_model("core", "PersonalDataSearch")
        rows = list(core.objects.order_by("pk").values_list(
            "user_id", "at", "source", "params", "result_count", "truncated"))
        assert rows == [
            (None, at, "onestop.queue", {"q": "An"}, 2, False),
            (user.pk, at, "civil.page", {"name": "bao ngoc", "book": 3}, 201, True),
            (None, at, "civil.api", {"id_number": "087300013579"}, 0, False)]
        assert "civil_searchaudit" not in connection.introspection.table_names()

        apps = _migrate(BEFORE)
        old = apps.get_model("civil", "SearchAudit")
        core = apps.get_model("core", "PersonalDataSearch")
        assert sorted(old.objects.values_list("source", "result_count", "truncated")) == [
            ("api", 0, False), ("page", 201, True)]
        assert list(core.objects.values_list("source", flat=True)) == ["onestop.queue"]
    finally:
        _migrate(AFTER)
