"""Search (without diacritics, by birth date, ID number, book and number), always scoped to
the user's units and audited; ID numbers masked for users who do not keep the register."""

import pytest

from cchc.civil import selectors, services
from cchc.civil.models import RegisterBook
from cchc.core.models import AuditRecord, PersonalDataSearch
from cchc.errors import InvalidInput
from tests.civil.conftest import birth, death, marriage
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def registers(world, register):
    ngoc = register("birth", birth())
    wedding = register("marriage", marriage())
    gone = register("death", death())
    elsewhere = register("birth", birth(full_name="Nguyễn Thị Bảo Ngọc", birth_date="2026-04-11"),
                         agency=world.other_desk, actor=world.outsider)
    old = register("birth", birth(full_name="Đặng Thị Ngọc Điệp", birth_date="2025-06-01"),
                   "2025-06-30 10:00", agency=world.old_desk, actor=world.old_officer)
    return {"ngoc": ngoc, "wedding": wedding, "gone": gone, "elsewhere": elsewhere, "old": old}


def search(user, **params):
    return list(services.search_register(user, params).entries)


@pytest.mark.parametrize("name", ["nguyen thi bao ngoc", "NGUYỄN THỊ BẢO NGỌC", "bao ngoc",
                                  "Ngoc Nguyen", "bảo ngoc", "THI BAO"])
def test_names_are_found_without_diacritics_in_any_case_and_order(world, registers, name):
    assert search(world.officer, name=name) == [registers["ngoc"]]


def test_d_matches_dj_and_the_partner_of_a_marriage_is_found(world, registers):
    assert search(world.officer, name="dang thi ngoc diep") == [registers["old"]]
    assert search(world.officer, name="thu ha") == [registers["wedding"]]


def test_search_by_birth_date_id_number_book_and_number(world, registers):
    assert search(world.officer, birth_date="2026-04-10") == [registers["ngoc"]]
    assert search(world.officer, birth_date="02/09/2000") == [registers["wedding"]]
    assert search(world.officer, id_number="087300013579") == [registers["wedding"]]
    assert search(world.officer, id_number="087040000111") == [registers["gone"]]
    book = registers["gone"].book
    assert search(world.officer, book=str(book.pk), number="1") == [registers["gone"]]
    assert search(world.officer, book=str(book.pk), number="2") == []
    assert search(world.officer, name="nguyen", event_type="birth", year="2026") == \
        [registers["ngoc"]]


def test_every_search_is_scoped_to_the_users_units(world, registers):
    assert search(world.outsider, name="bao ngoc") == [registers["elsewhere"]]
    assert search(world.outsider, id_number="087300013579") == []
    assert search(world.outsider, book=str(registers["ngoc"].book_id)) == []
    # The new commune sees the books of the old commune it took over; the old one not the new.
    assert search(world.officer, name="ngoc diep") == [registers["old"]]
    assert search(world.old_officer, name="bao ngoc") == []
    # The province's inspector sees every commune of the province.
    assert len(search(world.inspector, name="bao ngoc")) == 2
    nobody = UserFactory(username="khach")
    assert search(nobody, name="bao ngoc") == []


def test_every_search_is_audited(world, registers):
    services.search_register(world.officer, {"name": "Bảo Ngọc", "birth_date": "2026-04-10"})
    services.search_register(world.outsider, {"id_number": "087300013579"}, source="api")
    first, second = PersonalDataSearch.objects.order_by("pk")
    assert (first.user, first.params, first.result_count, first.source) == (
        world.officer, {"name": "Bảo Ngọc", "birth_date": "2026-04-10"}, 1, "civil.page")
    assert (second.user, second.result_count, second.source) == (world.outsider, 0, "civil.api")
    assert first.at and not first.truncated
    # One place: the same record as every other search of people, each with its line in the
    # hash-chained audit log.
    assert list(AuditRecord.objects.filter(action="personal_data.search").order_by("seq")
                .values_list("object_id", "data")) == [
        (str(first.pk), {"source": "civil.page", "result_count": 1}),
        (str(second.pk), {"source": "civil.api", "result_count": 0})]


def test_bad_or_empty_searches_are_refused_and_name_the_field(world):
    with pytest.raises(InvalidInput) as caught:
        services.search_register(world.officer, {})
    assert "name" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        services.search_register(world.officer, {"id_number": "12345", "birth_date": "31/02/2026",
                                                 "number": "3"})
    assert set(caught.value.fields) == {"id_number", "birth_date", "book"}
    with pytest.raises(InvalidInput):
        services.search_register(world.officer, {"name": "a"})
    assert not PersonalDataSearch.objects.exists()


def test_the_count_stops_at_the_limit(world, registers, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_RESULTS", 1)
    result = services.search_register(world.inspector, {"name": "nguyen"})
    assert (result.count, result.truncated) == (1, True)
    assert PersonalDataSearch.objects.get().truncated


# -- masking ------------------------------------------------------------------------------------

def test_full_numbers_only_for_the_civil_status_officers_of_the_unit(world, registers):
    entry = registers["ngoc"]
    for user in (world.officer, world.desk_officer, world.leader):
        assert selectors.can_see_id_numbers(user, entry.unit_id)
    for user in (world.inspector, world.outsider, world.old_officer):
        assert not selectors.can_see_id_numbers(user, entry.unit_id)
    # The successor commune's officers keep the old commune's books.
    assert selectors.can_see_id_numbers(world.officer, registers["old"].unit_id)
    # A province specialist sees the commune but is not its civil-status officer.
    provincial = UserFactory(username="chuyenvien.tinh")
    MembershipFactory(user=provincial, unit=world.province, role="specialist")
    assert not selectors.can_see_id_numbers(provincial, entry.unit_id)
    admin = UserFactory(username="quantri", is_superuser=True)
    assert not selectors.can_see_id_numbers(admin, entry.unit_id)


def test_books_are_scoped_too(world, registers):
    assert set(selectors.visible_books(world.outsider)) == {registers["elsewhere"].book}
    assert RegisterBook.objects.count() == 5


def test_a_search_reads_its_scope_in_one_query_and_writes_its_record_without_savepoints(
        world, registers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cchc.core.permissions import visible_unit_ids

    for user in (world.officer, world.old_officer, world.inspector, world.outsider):
        unit_ids, officer_ids = selectors.search_units(user)
        assert sorted(unit_ids) == sorted(visible_unit_ids(user))
        assert officer_ids == selectors.officer_unit_ids(user)
    # The commune officer keeps the new commune's and the old commune's books.
    assert selectors.search_units(world.officer)[1] == {world.commune.pk, world.old_commune.pk}
    assert selectors.search_units(world.inspector)[1] == set()
    with CaptureQueriesContext(connection) as queries:
        result = services.search_register(world.officer, {"name": "bao ngoc"})
    sql = [q["sql"] for q in queries.captured_queries]
    assert result.officer_ids == {world.commune.pk, world.old_commune.pk}
    assert sum('"org_membership"' in q for q in sql) == 1  # scope and ID visibility together
    # One transaction for the record and its audit line (here a savepoint, as the test runs
    # in a transaction; outside, BEGIN): the audit line adds none of its own.
    assert [q.split()[0] for q in sql if q.startswith("SAVEPOINT")] == ["SAVEPOINT"]
    # scope, notes, ids, then the record of the search and its audit line (insert, chain
    # head, insert, head update).
    writes = [q.split()[0] for q in sql if q.split()[0] in ("INSERT", "UPDATE")]
    assert writes == ["INSERT", "INSERT", "UPDATE"]
    assert len([q for q in sql if q.lstrip("(").startswith("SELECT")]) == 4
