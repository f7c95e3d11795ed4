"""Personal data per Nghị định 13/2023: searches of people are recorded, and listings and
details show identifiers only to the staff who handle the dossier."""

import pytest
from rest_framework.authtoken.models import Token

from cchc.core.models import PersonalDataSearch
from cchc.core.privacy import mask_email, mask_id, mask_phone

pytestmark = pytest.mark.django_db

ID, PHONE = "087090009999", "0912000111"  # the applicant of each unit's dossier (conftest)


def test_masks():
    assert mask_id("087090001234") == "0870******34"
    assert mask_phone("0912345678") == "091*****78"
    assert mask_email("an@example.org") == "a***@example.org"
    assert mask_id("") == mask_phone("") == ""
    assert mask_id("12") == "**"


def test_queue_search_by_name_or_id_is_recorded(client, two_units):
    client.force_login(two_units.a_user)
    assert client.get("/mot-cua/hang-doi/all/").status_code == 200
    assert PersonalDataSearch.objects.count() == 0  # browsing is not a search of people
    response = client.get("/mot-cua/hang-doi/all/", {"q": "Bên A"})
    assert two_units.a.dossier.code in response.content.decode()
    response = client.get("/mot-cua/hang-doi/all/", {"q": ID})
    assert two_units.a.dossier.code in response.content.decode()
    assert two_units.b.dossier.code not in response.content.decode()
    rows = list(PersonalDataSearch.objects.order_by("at", "pk"))
    assert [(r.user, r.source, r.params["q"], r.result_count) for r in rows] == [
        (two_units.a_user, "onestop.queue", "Bên A", 2),  # the dossier and the copy's
        (two_units.a_user, "onestop.queue", ID, 1)]


def test_queue_lists_no_identifiers(client, two_units):
    client.force_login(two_units.a_user)
    html = client.get("/mot-cua/hang-doi/all/").content.decode()
    assert two_units.a.marker in html
    assert ID not in html and PHONE not in html


def test_handling_staff_see_the_contact_others_see_masks(client, two_units):
    from cchc.org.models import Role
    from tests.factories import MembershipFactory

    code = two_units.a.dossier.code
    client.force_login(two_units.a_user)
    html = client.get(f"/mot-cua/ho-so/{code}/").content.decode()
    assert ID in html and PHONE in html
    # A provincial inspector may open the dossier but does not handle it.
    inspector = two_units.inspector
    client.force_login(inspector)
    response = client.get(f"/mot-cua/ho-so/{code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert ID not in html and PHONE not in html
    assert mask_id(ID) in html and mask_phone(PHONE) in html
    # ... and the same through the API.
    token = Token.objects.create(user=inspector)
    body = client.get(f"/api/v1/dossiers/{code}/",
                      headers={"Authorization": f"Token {token.key}"}).json()
    assert body["applicant"]["id_number"] == mask_id(ID)
    assert body["applicant"]["phone"] == mask_phone(PHONE)
    own = Token.objects.create(user=two_units.a_user)
    body = client.get(f"/api/v1/dossiers/{code}/",
                      headers={"Authorization": f"Token {own.key}"}).json()
    assert body["applicant"]["id_number"] == ID
    # A leader of the province is not the dossier's handler either.
    MembershipFactory(user=inspector, unit=two_units.w.province, role=Role.LEADER)
    client.force_login(inspector)
    assert ID not in client.get(f"/mot-cua/ho-so/{code}/").content.decode()
