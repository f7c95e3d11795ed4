"""What each desk must post, what it has posted, and the gaps the inspection reads."""

import datetime

import pytest

from cchc.catalog import selectors, services
from cchc.catalog.models import DeskPosting, Procedure
from cchc.errors import InvalidInput

D = datetime.date
TODAY = D(2026, 11, 27)


def bases(versions):
    return sorted(v.procedure.base_code for v in versions)


def test_province_centre_gaps(demo_catalog):
    centre = demo_catalog["agencies"]["centre"]
    gaps = selectors.posting_gaps(centre, TODAY)
    assert len(gaps.required) == 59  # from 1/7/2025 the centre receives every procedure
    assert bases(gaps.missing) == ["1.014200", "1.014201"]
    assert [(p.version.number, v.number, v.procedure.base_code) for p, v in gaps.outdated] == [
        (1, 2, "1.000894")]
    assert [p.version.procedure.base_code for p in gaps.obsolete] == ["1.000105"]
    assert not gaps.complete


def test_commune_desks(demo_catalog):
    agencies = demo_catalog["agencies"]
    first = selectors.posting_gaps(agencies["commune0"], TODAY)
    assert {v.level for v in first.required} == {"commune"}
    assert bases(first.missing) == ["1.014028", "3.000323"]
    assert sorted(v.procedure.base_code for _p, v in first.outdated) == ["1.001193", "1.004873"]
    assert selectors.posting_gaps(agencies["commune1"], TODAY).complete
    # Before the amendment of 16/3/2026 the first commune was only missing two procedures.
    before = selectors.posting_gaps(agencies["commune0"], D(2026, 3, 15))
    assert not before.outdated and len(before.missing) == 2


def test_old_district_desk_before_the_reform(demo_catalog):
    desk = demo_catalog["agencies"]["district_desk"]
    gaps = selectors.posting_gaps(desk, D(2025, 6, 30))
    assert {v.level for v in gaps.required} == {"district"}
    assert bases(gaps.missing) == ["2.000748"]
    assert [v.procedure.base_code for _p, v in gaps.outdated] == ["1.009974"]
    # after 1/7/2025 the district no longer exists: nothing required, everything taken down
    after = selectors.posting_gaps(desk, D(2025, 7, 1))
    assert after.complete and not after.required
    assert not selectors.active_postings(desk, D(2025, 7, 1)).exists()


def test_non_desk_agencies_post_nothing(demo_catalog):
    assert not selectors.required_postings(demo_catalog["agencies"]["ubnd"], TODAY).exists()
    with pytest.raises(InvalidInput):
        services.update_postings(demo_catalog["agencies"]["ubnd"], TODAY)


def test_explicit_receiving_agencies_override_the_default(demo_catalog):
    agencies = demo_catalog["agencies"]
    procedure = Procedure.objects.get(base_code="1.001193")
    procedure.receiving_agencies.add(agencies["commune1"])
    assert "1.001193" not in bases(selectors.required_postings(agencies["commune0"], TODAY))
    assert "1.001193" not in bases(selectors.required_postings(agencies["centre"], TODAY))
    assert "1.001193" in bases(selectors.required_postings(agencies["commune1"], TODAY))


def test_update_postings_closes_the_gaps(demo_catalog):
    desk = demo_catalog["agencies"]["centre"]
    assert services.update_postings(desk, TODAY) == {"posted": 2, "replaced": 1, "removed": 1}
    assert selectors.posting_gaps(desk, TODAY).complete
    # history is kept: the old posting of 1.000894 ends the day the new one starts
    old = DeskPosting.objects.get(agency=desk, version__procedure__base_code="1.000894",
                                  version__number=1)
    assert old.removed_on == TODAY
    assert services.update_postings(desk, TODAY) == {"posted": 0, "replaced": 0, "removed": 0}


def test_posting_dates_cannot_go_backwards(demo_catalog):
    desk = demo_catalog["agencies"]["centre"]
    version = selectors.version_in_force(Procedure.objects.get(base_code="1.000894"), TODAY)
    with pytest.raises(InvalidInput):
        services.post_procedure(desk, version, D(2025, 1, 1))


def test_gap_pages_are_scoped(demo_catalog, client):
    from cchc.org.models import Role
    from tests.factories import MembershipFactory

    commune = demo_catalog["communes"][0]
    membership = MembershipFactory(unit=commune, role=Role.DESK_OFFICER)
    assert client.get("/thu-tuc/niem-yet/").status_code == 302  # login first
    client.force_login(membership.user)
    page = client.get("/thu-tuc/niem-yet/?ngay=2026-11-27")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phường Hồng Ngự" in html and "Trung tâm Phục vụ" not in html
    assert client.get("/thu-tuc/niem-yet/000.10.50.H20/?ngay=2026-11-27").status_code == 200
    assert client.get("/thu-tuc/niem-yet/000.00.01.H20/").status_code == 404
    assert client.get("/thu-tuc/niem-yet/?ngay=hom-qua").status_code == 400
    api = client.get("/api/v1/postings/gaps/?agency=000.00.01.H20")
    assert api.status_code == 400 and api.json()["code"] == "unknown_desk"
    api = client.get("/api/v1/postings/gaps/?agency=000.10.50.H20&on=2026-11-27")
    assert api.status_code == 200
    assert [row["procedure"][:8] for row in api.json()["missing"]] == ["1.014028", "3.000323"]
