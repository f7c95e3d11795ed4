"""The rules on the facts, with real dates (no database)."""

import datetime

import pytest

from cchc.civil import rules
from cchc.civil.documents import date_in_words, number_words
from cchc.errors import InvalidInput
from tests.civil.conftest import birth, d, death, marriage


def validate(event_type, data, on, kind=None, registered_on=None):
    return rules.validate(event_type, data, declared_on=d(on),
                          registered_on=d(registered_on or on), requested_kind=kind)


# -- birth: 60 days (Luật Hộ tịch Art. 15) ----------------------------------------------------------

def test_birth_declared_on_the_60th_day_is_on_time_and_the_61st_is_late():
    data = birth(birth_date="2026-01-01")
    assert validate("birth", data, "2026-03-02")[1] == rules.NORMAL
    assert validate("birth", data, "2026-03-03")[1] == rules.LATE


def test_asking_for_a_timely_birth_registration_after_60_days_points_to_the_late_path():
    with pytest.raises(InvalidInput) as caught:
        validate("birth", birth(birth_date="2026-01-01"), "2026-03-03", kind=rules.NORMAL)
    assert caught.value.code == "late_registration"
    assert "60 ngày" in caught.value.message and "02/03/2026" in caught.value.message
    assert "quá hạn" in caught.value.message
    assert "kind" in caught.value.fields


def test_a_late_registration_within_the_deadline_is_refused():
    with pytest.raises(InvalidInput) as caught:
        validate("birth", birth(birth_date="2026-01-01"), "2026-03-02", kind=rules.LATE)
    assert "đúng hạn" in caught.value.message


def test_birth_after_the_declaration_is_refused():
    with pytest.raises(InvalidInput) as caught:
        validate("birth", birth(birth_date="2026-04-25"), "2026-04-24")
    assert "child.birth_date" in caught.value.fields


def test_required_birth_fields_are_named_in_vietnamese():
    data = birth()
    del data["child"]["birth_date"], data["child"]["sex"]
    data["declarant"]["full_name"] = ""
    with pytest.raises(InvalidInput) as caught:
        validate("birth", data, "2026-04-24")
    fields = caught.value.fields
    assert set(fields) >= {"child.birth_date", "child.sex", "declarant.full_name"}
    assert fields["child.birth_date"] == ["Cần nhập ngày sinh của người được khai sinh."]


def test_a_named_parent_needs_year_ethnicity_nationality_and_residence():
    data = birth()
    data["father"] = {"full_name": "Nguyễn Văn Hùng"}
    with pytest.raises(InvalidInput) as caught:
        validate("birth", data, "2026-04-24")
    assert {"father.birth_year", "father.ethnicity", "father.nationality",
            "father.residence"} <= set(caught.value.fields)


def test_a_child_without_known_parents_can_be_registered():
    data = birth()
    del data["father"], data["mother"]
    facts, kind = validate("birth", data, "2026-04-24")
    assert kind == rules.NORMAL and facts["father_name"] == "" and facts["mother_name"] == ""


def test_dates_are_read_in_iso_and_vietnamese_order_and_bad_ones_are_named():
    facts, _kind = validate("birth", birth(birth_date="10/04/2026"), "2026-04-24")
    assert facts["birth_date"] == datetime.date(2026, 4, 10)
    with pytest.raises(InvalidInput) as caught:
        validate("birth", birth(birth_date="31/02/2026"), "2026-04-24")
    assert caught.value.fields["child.birth_date"] == ["Ngày không hợp lệ (dd/mm/yyyy)."]


# -- marriage ages (Luật HN&GĐ Art. 8) ---------------------------------------------------------------

def test_a_woman_born_10_march_2006_is_refused_on_9_march_2024_and_accepted_on_10_march():
    data = marriage(wife={"birth_date": "2006-03-10", "id_number": "087306013579"})
    with pytest.raises(InvalidInput) as caught:
        validate("marriage", data, "2024-03-09")
    message = caught.value.message
    assert "Bên nữ" in message and "10/03/2006" in message and "17 tuổi" in message
    assert "đủ 18 tuổi" in message and "10/03/2024" in message
    assert list(caught.value.fields) == ["wife.birth_date"]
    assert validate("marriage", data, "2024-03-10")[1] == rules.NORMAL


def test_a_man_must_be_full_20_on_the_registration_date():
    data = marriage(husband={"birth_date": "2004-03-10", "id_number": "087204002468"},
                    wife={"birth_date": "2004-01-01", "id_number": "087304013579"})
    with pytest.raises(InvalidInput) as caught:
        validate("marriage", data, "2024-03-09")
    assert list(caught.value.fields) == ["husband.birth_date"]
    assert "đủ 20 tuổi" in caught.value.message
    validate("marriage", data, "2024-03-10")


def test_someone_born_on_29_february_comes_of_age_on_1_march():
    data = marriage(wife={"birth_date": "2004-02-29", "id_number": "087304013579"})
    with pytest.raises(InvalidInput):
        validate("marriage", data, "2022-02-28")
    validate("marriage", data, "2022-03-01")
    assert rules.full_years(d("2004-02-29"), d("2022-02-28")) == 17
    assert rules.full_years(d("2004-02-29"), d("2022-03-01")) == 18


def test_age_is_measured_at_the_registration_date_not_the_declaration():
    data = marriage(wife={"birth_date": "2006-03-10", "id_number": "087306013579"})
    validate("marriage", data, "2024-03-08", registered_on="2024-03-11")
    with pytest.raises(InvalidInput):
        validate("marriage", data, "2024-03-08", registered_on="2024-03-09")


def test_marriage_parties_need_identity_numbers():
    data = marriage()
    data["wife"]["id_number"] = ""
    with pytest.raises(InvalidInput) as caught:
        validate("marriage", data, "2026-04-24")
    assert "wife.id_number" in caught.value.fields


def test_marriage_has_no_late_path():
    with pytest.raises(InvalidInput):
        validate("marriage", marriage(), "2026-04-24", kind=rules.LATE)


# -- death ------------------------------------------------------------------------------------------

def test_death_declared_within_15_days_is_on_time_and_after_is_late():
    data = death(date="2026-03-01")
    assert validate("death", data, "2026-03-16")[1] == rules.NORMAL
    assert validate("death", data, "2026-03-17")[1] == rules.LATE
    with pytest.raises(InvalidInput) as caught:
        validate("death", data, "2026-03-17", kind=rules.NORMAL)
    assert "15 ngày" in caught.value.message and "Điều 33" in caught.value.message


def test_death_before_birth_is_refused():
    data = death(deceased={"birth_date": "2026-03-05", "id_number": ""}, date="2026-03-04")
    with pytest.raises(InvalidInput) as caught:
        validate("death", data, "2026-03-10")
    assert "trước ngày sinh" in caught.value.message
    assert "death.date" in caught.value.fields
    # Born and died the same day: allowed.
    validate("death", death(deceased={"birth_date": "2026-03-05", "id_number": ""},
                            date="2026-03-05"), "2026-03-10")


def test_death_after_the_declaration_is_refused():
    with pytest.raises(InvalidInput) as caught:
        validate("death", death(date="2026-04-25"), "2026-04-24")
    assert "death.date" in caught.value.fields


def test_required_death_fields():
    data = death()
    data["death"]["cause"] = ""
    data["deceased"]["residence"] = ""
    with pytest.raises(InvalidInput) as caught:
        validate("death", data, "2026-04-24")
    assert {"death.cause", "deceased.residence"} <= set(caught.value.fields)


# -- re-registration -------------------------------------------------------------------------------

def test_reregistration_only_for_events_registered_before_2016():
    data = birth(birth_date="1990-05-01", id_number="")
    data["original_registered_on"] = "2016-01-01"
    with pytest.raises(InvalidInput) as caught:
        validate("birth", data, "2026-04-24", kind=rules.REREGISTRATION)
    assert "01/01/2016" in caught.value.message
    data["original_registered_on"] = "1990-05-20"
    data["father"]["birth_year"], data["mother"]["birth_year"] = "1960", "1962"
    data["father"]["id_number"] = data["mother"]["id_number"] = ""
    assert validate("birth", data, "2026-04-24", kind=rules.REREGISTRATION)[1] == \
        rules.REREGISTRATION


def test_reregistration_needs_the_original_date():
    with pytest.raises(InvalidInput) as caught:
        validate("death", death(date="2010-01-01", deceased={"id_number": ""}), "2026-04-24",
                 kind=rules.REREGISTRATION)
    assert "original_registered_on" in caught.value.fields


# -- personal ID numbers (CCCD) -------------------------------------------------------------------

@pytest.mark.parametrize("value", ["08709500123", "0870950012345", "08709500123A", "", "0870 95"])
def test_id_numbers_have_exactly_12_digits(value):
    assert rules.check_id_number(value) == ["Số định danh cá nhân phải gồm đúng 12 chữ số."]


@pytest.mark.parametrize("prefix", ["000", "003", "099", "187", "097", "013"])
def test_the_prefix_must_be_one_of_the_63_old_province_codes(prefix):
    errors = rules.check_id_number(f"{prefix}095001234")
    assert len(errors) == 1 and f"“{prefix}”" in errors[0] and "63" in errors[0]


@pytest.mark.parametrize("prefix", ["001", "087", "082", "079", "096", "092"])
def test_old_province_codes_are_accepted(prefix):
    assert rules.check_id_number(f"{prefix}095001234", birth_year=1995, sex="M") == []


def test_the_new_2025_province_list_is_not_the_id_prefix_list():
    assert len(rules.legacy_province_codes()) == 63
    assert "087" in rules.legacy_province_codes() and "082" in rules.legacy_province_codes()


def test_century_and_sex_digit_and_year_digits_must_match_the_birth():
    assert rules.check_id_number("087095001234", birth_date=d("1995-06-01"), sex="M") == []
    assert rules.check_id_number("087195001234", birth_date=d("1995-06-01"), sex="F") == []
    assert rules.check_id_number("087226001234", birth_date=d("2026-04-10"), sex="M") == []
    assert rules.check_id_number("087326001234", birth_date=d("2026-04-10"), sex="F") == []
    century = rules.check_id_number("087295001234", birth_date=d("1995-06-01"), sex="M")
    assert len(century) == 1 and "2000-2099" in century[0] and "1995" in century[0]
    sex = rules.check_id_number("087195001234", birth_date=d("1995-06-01"), sex="M")
    assert len(sex) == 1 and "giới tính Nữ" in sex[0] and "giới tính Nam" in sex[0]
    year = rules.check_id_number("087096001234", birth_date=d("1995-06-01"), sex="M")
    assert len(year) == 1 and "“96”" in year[0] and "1995" in year[0]


def test_inconsistent_child_and_parent_numbers_are_refused_at_registration():
    data = birth(id_number="087226001234")  # a boy's number for a girl
    data["mother"]["id_number"] = "087097004321"  # a man's number for the mother
    with pytest.raises(InvalidInput) as caught:
        validate("birth", data, "2026-04-24")
    assert {"child.id_number", "mother.id_number"} == set(caught.value.fields)


def test_masking_keeps_the_first_four_and_last_two_digits():
    assert rules.mask_id("087090001234") == "0870******34"
    assert rules.mask_id("") == ""


# -- numbers in words, as on the certificate ------------------------------------------------------

@pytest.mark.parametrize(("n", "words"), [
    (2026, "hai nghìn không trăm hai mươi sáu"), (2005, "hai nghìn không trăm linh năm"),
    (2015, "hai nghìn không trăm mười lăm"), (2021, "hai nghìn không trăm hai mươi mốt"),
    (2024, "hai nghìn không trăm hai mươi tư"), (1998, "một nghìn chín trăm chín mươi tám"),
    (2000, "hai nghìn"), (1910, "một nghìn chín trăm mười"), (15, "mười lăm"), (1, "một"),
])
def test_number_words(n, words):
    assert number_words(n) == words


def test_date_in_words():
    assert date_in_words(d("2026-04-10")) == \
        "Ngày mười, tháng tư, năm hai nghìn không trăm hai mươi sáu"
    assert date_in_words(d("2005-01-21")) == \
        "Ngày hai mươi mốt, tháng một, năm hai nghìn không trăm linh năm"
