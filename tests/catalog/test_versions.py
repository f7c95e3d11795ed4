"""Versions in force across the demo decisions, replacements, abolitions, publication lead times."""

import datetime

import pytest

from cchc.catalog import selectors, services
from cchc.catalog.models import AnnouncementDecision, Procedure, VersionStatus
from cchc.errors import InvalidInput, InvalidTransition

D = datetime.date
AGENCY = "000.00.00.H20"


def code(base):
    return f"{base}.{AGENCY}"


def in_force(base, on):
    return selectors.version_in_force(Procedure.objects.get(code=code(base)), on)


CASES = [  # (base code, date, version number in force, status that day)
    ("1.001193", D(2022, 1, 19), None, None),                      # before the first decision
    ("1.001193", D(2022, 1, 20), 1, VersionStatus.IN_FORCE),        # effective on the day
    ("1.001193", D(2026, 3, 15), 1, VersionStatus.IN_FORCE),        # day before the amendment
    ("1.001193", D(2026, 3, 16), 2, VersionStatus.AMENDED),         # amended from 16/3/2026
    ("1.004873", D(2022, 8, 31), 1, VersionStatus.IN_FORCE),
    ("1.004873", D(2022, 9, 1), 2, VersionStatus.AMENDED),          # fee changed 1/9/2022
    ("1.004873", D(2026, 3, 16), 3, VersionStatus.AMENDED),
    ("2.000806", D(2025, 6, 30), 1, VersionStatus.IN_FORCE),        # district, 15 days
    ("2.000806", D(2025, 7, 1), 2, VersionStatus.AMENDED),          # commune from 1/7/2025
    ("1.009974", D(2024, 12, 29), 1, VersionStatus.IN_FORCE),
    ("1.009974", D(2024, 12, 30), 2, VersionStatus.AMENDED),
    ("1.009974", D(2025, 6, 30), 2, VersionStatus.AMENDED),
    ("1.009974", D(2025, 7, 1), None, VersionStatus.ABOLISHED),     # replaced by 1.013225
    ("1.013225", D(2025, 6, 30), None, None),
    ("1.013225", D(2025, 7, 1), 1, VersionStatus.IN_FORCE),
    ("1.001743", D(2023, 5, 31), 1, VersionStatus.IN_FORCE),
    ("1.001743", D(2023, 6, 1), None, VersionStatus.ABOLISHED),
    ("1.000105", D(2025, 8, 6), 1, VersionStatus.IN_FORCE),
    ("1.000105", D(2025, 8, 7), None, VersionStatus.ABOLISHED),
    ("1.014199", D(2025, 8, 7), 1, VersionStatus.IN_FORCE),
]


def test_version_in_force_across_demo_decisions(demo_catalog):
    for base, on, number, status in CASES:
        version = in_force(base, on)
        assert (version.number if version else None) == number, (base, on)
        assert selectors.status_on(Procedure.objects.get(code=code(base)), on) == status, (base, on)


def test_amended_version_content_and_level_change(demo_catalog):
    before, after = in_force("2.000806", D(2025, 6, 30)), in_force("2.000806", D(2025, 7, 1))
    assert (before.level, after.level) == ("district", "commune")
    assert [m.days for m in before.methods.all()] == [15]
    assert sorted(m.days for m in after.methods.all()) == [5, 5]
    assert before.effective_to == D(2025, 6, 30)
    assert after.item.decision.number == "1632/QĐ-UBND"
    # what is not amended is carried over
    assert [c.name for c in after.components.all()] == [c.name for c in before.components.all()]
    fees = {v.number: [m.fee for m in v.methods.all()]
            for v in Procedure.objects.get(code=code("1.004873")).versions.all()}
    assert fees[1] == [5000, 5000, 5000] and fees[2] == [3000, 3000, 3000]


def test_civil_status_same_day_times(demo_catalog):
    for base in ("1.001193", "1.000894", "1.000656", "2.000635"):
        version = in_force(base, D(2026, 11, 27))
        assert {m.days for m in version.methods.all()} == {0}, base
    assert "05 ngày làm việc" in in_force("1.000894", D(2026, 11, 27)).time_note


def test_replaced_procedures_are_linked(demo_catalog):
    old = Procedure.objects.get(code=code("1.009974"))
    assert old.replaced_by.code == code("1.013225")
    assert old.abolished_on == D(2025, 7, 1)
    assert old.versions.order_by("-number").first().effective_to == D(2025, 6, 30)
    new = old.replaced_by
    assert new.replaces.get() == old
    assert new.items.count() == 0 and new.replacing_items.get().action == "replaced"


def test_procedures_in_force_counts(demo_catalog):
    assert selectors.procedures_in_force(D(2021, 12, 31)).count() == 0
    assert selectors.procedures_in_force(D(2022, 3, 15)).count() == 54
    assert selectors.procedures_in_force(D(2025, 6, 30)).count() == 53
    assert selectors.procedures_in_force(D(2025, 7, 1)).count() == 57
    assert selectors.procedures_in_force(D(2026, 11, 27)).count() == 59
    # one version per procedure on any day
    for day in (D(2022, 9, 1), D(2025, 7, 1), D(2026, 3, 16)):
        versions = selectors.procedures_in_force(day)
        assert versions.count() == versions.values("procedure").distinct().count()


def test_publication_lead_times(demo_catalog):
    late = {d.number: (d.published_late, d.database_entry_late)
            for d in AnnouncementDecision.objects.all()}
    assert late["812/QĐ-UBND-HC"] == (False, False)     # 7 days before the resolution
    assert late["1020/QĐ-UBND-HC"] == (False, False)    # 6 days before the Land Law
    assert late["1632/QĐ-UBND"] == (True, False)        # 4 days before 1/7/2025
    assert late["2104/QĐ-UBND"] == (True, True)         # 2 days; entered after 5 working days
    assert late["52/QĐ-UBND-HC"] == (None, False)       # republication: no lead time applies
    assert late["215/QĐ-UBND-HC"] == (None, True)


def _decision(**kwargs):
    return AnnouncementDecision(number="x", issuer="x", effective_on=D(2025, 1, 1), **kwargs)


def test_published_late_rules(db):
    province = _decision(issued_on=D(2025, 6, 26), legal_effective_on=D(2025, 7, 1))
    assert province.publication_deadline == D(2025, 6, 26)
    ministry = _decision(issued_on=D(2025, 6, 26), legal_effective_on=D(2025, 7, 1),
                         issuer_kind="ministry")
    assert ministry.publication_deadline == D(2025, 6, 11)
    expedited = _decision(issued_on=D(2025, 7, 4), legal_signed_on=D(2025, 7, 1),
                          legal_expedited=True)
    assert expedited.publication_deadline == D(2025, 7, 4)
    # database entry: 5 working days (Monday-Friday) from the signing
    friday = _decision(issued_on=D(2025, 6, 27), database_entered_on=D(2025, 7, 4))
    assert friday.database_entry_deadline == D(2025, 7, 4)


def test_late_flags_are_stored_on_save(dong_thap):
    agency = dong_thap["agencies"]["ubnd"]
    services.ensure_field("ho-tich", "Hộ tịch")
    decision = services.announce(
        number="1/QĐ", issued_on=D(2025, 6, 27), issuer="Chủ tịch UBND tỉnh",
        effective_on=D(2025, 7, 1), legal_effective_on=D(2025, 7, 1), issuing_agency=agency,
        database_entered_on=D(2025, 7, 7),
        items=[{"action": "new", "base_code": "1.000001", "data": _data()}])
    assert decision.published_late is True and decision.database_entry_late is True
    assert AnnouncementDecision.objects.filter(published_late=True).count() == 1


def _data(**overrides):
    return {"name": "Thủ tục thử", "level": "commune", "field": "ho-tich",
            "methods": [{"channel": "direct", "days": "0.5", "fee": 0}],
            "components": [{"name": "Tờ khai", "originals": 1}], **overrides}


@pytest.fixture
def one_procedure(dong_thap):
    services.ensure_field("ho-tich", "Hộ tịch")
    services.announce(number="1/QĐ", issued_on=D(2024, 1, 1), issuer="UBND tỉnh",
                      effective_on=D(2024, 1, 10), issuing_agency=dong_thap["agencies"]["ubnd"],
                      items=[{"action": "new", "base_code": "1.000001", "data": _data()}])
    return Procedure.objects.get(base_code="1.000001")


def test_amendment_must_follow_current_version(one_procedure):
    with pytest.raises(InvalidInput) as error:
        services.announce(number="2/QĐ", issued_on=D(2024, 1, 5), issuer="UBND tỉnh",
                          effective_on=D(2024, 1, 10),
                          items=[{"action": "amended", "procedure": one_procedure.code,
                                  "data": {"name": "Tên mới"}}])
    assert error.value.code == "effective_date_order"
    assert "items.1.effective_on" in error.value.fields
    assert not AnnouncementDecision.objects.filter(number="2/QĐ").exists()  # all or nothing


def test_abolished_procedure_cannot_be_amended(one_procedure):
    services.announce(number="2/QĐ", issued_on=D(2024, 2, 1), issuer="UBND tỉnh",
                      effective_on=D(2024, 3, 1),
                      items=[{"action": "abolished", "procedure": one_procedure.code}])
    with pytest.raises(InvalidTransition):
        services.announce(number="3/QĐ", issued_on=D(2024, 4, 1), issuer="UBND tỉnh",
                          effective_on=D(2024, 4, 1),
                          items=[{"action": "amended", "procedure": one_procedure.code,
                                  "data": {"name": "Tên mới"}}])
    assert selectors.version_in_force(one_procedure, D(2024, 2, 29)).number == 1
    assert selectors.version_in_force(one_procedure, D(2024, 3, 1)) is None


def test_district_level_after_reform_is_refused(one_procedure):
    with pytest.raises(InvalidInput) as error:
        services.announce(number="2/QĐ", issued_on=D(2025, 7, 1), issuer="UBND tỉnh",
                          effective_on=D(2025, 7, 10),
                          items=[{"action": "amended", "procedure": one_procedure.code,
                                  "data": {"level": "district"}}])
    assert "items.1.data.level" in error.value.fields


def test_invalid_item_data_names_the_fields(one_procedure):
    with pytest.raises(InvalidInput) as error:
        services.announce(number="2/QĐ", issued_on=D(2024, 5, 1), issuer="UBND tỉnh",
                          effective_on=D(2024, 5, 10),
                          items=[{"action": "new", "base_code": "1.00000X",
                                  "agency": one_procedure.agency,
                                  "data": _data(methods=[{"channel": "direct", "days": "-1"}])}])
    assert "items.1.data.methods.direct" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        services.announce(number="2/QĐ", issued_on=D(2024, 5, 1), issuer="UBND tỉnh",
                          effective_on=D(2024, 5, 10),
                          items=[{"action": "new", "base_code": "1.00000X",
                                  "agency": one_procedure.agency, "data": _data()}])
    assert "items.1.base_code" in error.value.fields


def test_half_days_allowed_quarter_days_refused(dong_thap):
    services.ensure_field("ho-tich", "Hộ tịch")
    clean = services.clean_version_data(_data(methods=[{"channel": "online", "days": "1,5"}]))
    assert str(clean["methods"][0]["days"]) == "1.5"
    with pytest.raises(InvalidInput):
        services.clean_version_data(_data(methods=[{"channel": "online", "days": "0.25"}]))


def test_demo_is_idempotent(demo_catalog):
    from cchc.catalog import demo
    from cchc.catalog.models import DeskPosting, ProcedureVersion

    counts = (Procedure.objects.count(), ProcedureVersion.objects.count(),
              AnnouncementDecision.objects.count(), DeskPosting.objects.count())
    demo.load()
    assert counts == (Procedure.objects.count(), ProcedureVersion.objects.count(),
                      AnnouncementDecision.objects.count(), DeskPosting.objects.count())
    assert counts[0] >= 60


def test_demo_skips_without_the_province(db):
    import io

    from cchc.catalog import demo

    out = io.StringIO()
    assert demo.load(out) is None
    assert "Bỏ qua" in out.getvalue()
