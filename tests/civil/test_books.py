"""Books and entry numbers: gap-free, per unit, type and year; closing; abolished units."""

import pytest

from cchc.civil import selectors, services
from cchc.civil.models import RegisterBook, RegisterEntry
from cchc.errors import Forbidden, InvalidInput, InvalidTransition, OutsideJurisdiction
from cchc.onestop.models import Dossier
from tests.civil.conftest import at, birth, death, marriage


def births(register, count, when="2026-04-24 09:00", **kwargs):
    born = f"{when[:7]}-01"
    return [register("birth", birth(full_name=f"Nguyễn Thị Bé {i + 1}", birth_date=born), when,
                     **kwargs) for i in range(count)]


def test_numbers_run_from_1_without_gap_in_volume_01_of_the_year(world, register):
    entries = births(register, 5)
    assert [e.number for e in entries] == [1, 2, 3, 4, 5]
    book = RegisterBook.objects.get()
    assert (book.unit, book.event_type, book.year, book.volume) == (world.commune, "birth", 2026,
                                                                    "01/2026")
    assert (book.first_number, book.last_number, book.entry_count) == (1, 5, 5)
    assert book.title == "Sổ đăng ký khai sinh"


def test_each_event_type_and_unit_has_its_own_numbers(world, register):
    register("birth", birth())
    register("marriage", marriage())
    register("death", death())
    other = register("birth", birth(), agency=world.other_desk, actor=world.outsider)
    assert [e.number for e in RegisterEntry.objects.order_by("pk")] == [1, 1, 1, 1]
    assert RegisterBook.objects.count() == 4
    assert other.unit == world.other_commune


def test_numbers_restart_with_the_year(world, register):
    last_of_2025 = register("birth", birth(birth_date="2025-12-20"), "2025-12-31 10:00")
    register("birth", birth(birth_date="2025-12-21"), "2025-12-31 15:00")
    first_of_2026 = register("birth", birth(birth_date="2025-12-22"), "2026-01-02 08:00")
    assert (last_of_2025.book.volume, last_of_2025.number) == ("01/2025", 1)
    assert (first_of_2026.book.volume, first_of_2026.number) == ("01/2026", 1)


def test_a_refused_registration_gives_no_number_away(world, register):
    register("birth", birth())
    with pytest.raises(InvalidInput):
        register("marriage", marriage(wife={"birth_date": "2010-01-01",
                                            "id_number": "087310013579"}))
    with pytest.raises(InvalidInput):
        register("birth", birth(birth_date="2026-05-01"))
    assert register("birth", birth(full_name="Nguyễn Văn Hai")).number == 2
    assert not RegisterBook.objects.filter(event_type="marriage").exists()


# -- closing ----------------------------------------------------------------------------------------

def test_closing_at_year_end_records_the_totals_and_who_closed(world, register):
    births(register, 3, "2025-12-30 09:00")
    book = RegisterBook.objects.get(year=2025)
    closed = services.close_book(book, actor=world.leader, at=at("2025-12-31 16:30"))
    assert closed.closed_at == at("2025-12-31 16:30")
    assert (closed.closed_by, closed.total_entries, closed.total_pages) == (world.leader, 3, 2)
    assert selectors.book_evidence([world.commune], 2025)[0].closed


def test_a_closed_book_takes_no_entry(world, register):
    register("birth", birth(birth_date="2025-12-20"), "2025-12-31 09:00")
    services.close_book(RegisterBook.objects.get(), actor=world.leader, at=at("2025-12-31 16:00"))
    with pytest.raises(InvalidTransition) as caught:
        register("birth", birth(birth_date="2025-12-21", full_name="Trần Văn Muộn"),
                 "2025-12-31 16:30")
    assert caught.value.code == "book_closed" and caught.value.status_code == 409
    assert "đã khóa ngày 31/12/2025" in caught.value.message
    assert RegisterEntry.objects.count() == 1
    assert Dossier.objects.count() == 1  # the refused one left no dossier
    assert register("birth", birth(birth_date="2025-12-21"), "2026-01-02 08:00").number == 1


def test_a_book_closes_on_the_last_day_of_the_year_not_before(world, register):
    register("birth", birth())
    book = RegisterBook.objects.get()
    with pytest.raises(InvalidTransition) as caught:
        services.close_book(book, actor=world.leader, at=at("2026-12-30 16:00"))
    assert caught.value.code == "book_not_due" and "31/12/2026" in caught.value.message
    with pytest.raises(InvalidTransition):
        services.close_book(services.close_book(book, actor=world.leader,
                                                at=at("2026-12-31 16:00")),
                            actor=world.leader, at=at("2026-12-31 17:00"))


def test_a_full_volume_is_closed_early_and_the_next_volume_continues_the_numbers(world, register):
    births(register, 2)
    services.close_book(RegisterBook.objects.get(), actor=world.leader, at=at("2026-04-24 11:00"),
                        volume_full=True, total_pages=200)
    entry = register("birth", birth(full_name="Nguyễn Văn Ba"), "2026-04-24 14:00")
    assert (entry.book.volume, entry.number, entry.book.first_number) == ("02/2026", 3, 3)
    first = RegisterBook.objects.get(volume="01/2026")
    assert (first.total_entries, first.total_pages, first.closed_full) == (2, 200, True)
    assert selectors.book_evidence([world.commune], 2026)[1].gaps == []


def test_only_the_units_leader_closes_its_books(world, register):
    register("birth", birth())
    book = RegisterBook.objects.get()
    with pytest.raises(Forbidden):
        services.close_book(book, actor=world.officer, at=at("2026-12-31 16:00"))
    with pytest.raises(OutsideJurisdiction):
        services.close_book(book, actor=world.outsider, at=at("2026-12-31 16:00"))


# -- the 1/7/2025 reorganisation ---------------------------------------------------------------------

def test_an_abolished_unit_registers_until_30_june_2025_and_not_after(world, register):
    old = dict(agency=world.old_desk, actor=world.old_officer)
    entry = register("birth", birth(birth_date="2025-06-01"), "2025-06-30 16:00", **old)
    assert (entry.unit, entry.book.volume, entry.number) == (world.old_commune, "01/2025", 1)
    with pytest.raises(InvalidTransition) as caught:
        register("birth", birth(birth_date="2025-06-02"), "2025-07-01 08:00", **old)
    assert caught.value.code == "unit_abolished" and caught.value.status_code == 409
    assert "30/06/2025" in caught.value.message and "Phường Hồng Ngự" in caught.value.message


def test_the_new_commune_starts_its_books_afresh_on_1_july_2025(world, register):
    register("birth", birth(birth_date="2025-06-01"), "2025-06-30 10:00",
             agency=world.old_desk, actor=world.old_officer)
    with pytest.raises(InvalidTransition) as caught:
        register("birth", birth(birth_date="2025-06-02"), "2025-06-30 11:00")
    assert caught.value.code == "unit_not_yet"
    entry = register("birth", birth(birth_date="2025-06-02"), "2025-07-01 08:00")
    assert (entry.unit, entry.book.volume, entry.number) == (world.commune, "01/2025", 1)


def test_books_of_abolished_units_stay_readable_by_the_successor(world, register):
    old = register("birth", birth(birth_date="2025-06-01"), "2025-06-30 10:00",
                   agency=world.old_desk, actor=world.old_officer)
    assert selectors.get_entry(world.officer, old.pk) == old
    assert old.book in selectors.visible_books(world.officer)
    assert old.book not in selectors.visible_books(world.outsider)
    # Its 2025 book is closed from its last day.
    closed = services.close_book(old.book, actor=world.leader, at=at("2025-07-02 09:00"))
    assert closed.total_entries == 1


def test_a_province_is_not_a_registry(world):
    with pytest.raises(InvalidInput) as caught:
        services.register_directly(event_type="birth", data=birth(), unit=world.province,
                                   actor=None, at=at("2026-04-24 09:00"))
    assert caught.value.code == "not_a_registry"


# -- inspection evidence -----------------------------------------------------------------------------

def test_evidence_reports_no_gap_and_counts_corrections(world, register):
    entries = births(register, 4)
    services.record_note_directly(entry=entries[0], kind="correction", actor=world.officer,
                                  changes={"child.full_name": "Nguyễn Thị Bé Một"},
                                  at=at("2026-04-25 09:00"))
    [row] = selectors.book_evidence([world.province], 2026, as_of=at("2026-11-27 09:00").date())
    assert (row.entries, row.first_number, row.last_number, row.gaps) == (4, 1, 4, [])
    assert (row.corrections, row.notes_by_kind, row.clean) == (1, {"correction": 1}, True)
    assert row.as_dict()["unit"] == "2025:30280"


def test_evidence_finds_gaps_and_unclosed_past_books(world, register):
    births(register, 6, "2025-09-01 09:00")
    # A gap can only come from outside the services (a damaged import): show it.
    RegisterEntry.objects.filter(number__in=[2, 4, 5]).delete()
    [row] = selectors.book_evidence([world.commune], 2025, as_of=at("2026-02-01 09:00").date())
    assert row.gaps == [(2, 2), (4, 5)]
    assert row.unclosed_past and not row.clean
    RegisterEntry.objects.filter(number=1).delete()
    [row] = selectors.book_evidence([world.commune], 2025, as_of=at("2026-02-01 09:00").date())
    assert row.gaps == [(1, 2), (4, 5)]
    assert list(selectors.unclosed_past_books([world.province],
                                              as_of=at("2026-02-01 09:00").date())) == [row.book]


def test_evidence_lists_books_of_earlier_years_left_open(world, register):
    register("birth", birth(birth_date="2025-09-01"), "2025-09-10 09:00")
    rows = selectors.book_evidence([world.commune], 2026, as_of=at("2026-11-27 09:00").date())
    assert [(r.book.year, r.unclosed_past) for r in rows] == [(2025, True)]


def test_monthly_counts_per_commune_and_event_type(world, register):
    register("birth", birth(), "2026-04-24 09:00")
    register("birth", birth(full_name="Nguyễn Văn Hai"), "2026-04-30 16:00")
    register("death", death(date="2026-04-28"), "2026-05-04 09:00")
    register("marriage", marriage(), "2026-05-04 10:00")
    register("birth", birth(), "2026-05-05 09:00", agency=world.other_desk, actor=world.outsider)
    rows = selectors.monthly_counts([world.province], 2026)
    assert [(r["unit"].name, r["month"], r["birth"], r["marriage"], r["death"], r["total"])
            for r in rows] == [("Phường Hồng Ngự", 4, 2, 0, 0, 2),
                               ("Phường Hồng Ngự", 5, 0, 1, 1, 2),
                               ("Xã Tân Hồng", 5, 1, 0, 0, 1)]
    assert selectors.monthly_counts([world.other_commune], 2026)[0]["total"] == 1
