"""The intake's plain-input path (``DossierReceiveSerializer.plain_input``) answers exactly what
DRF's validation answers for the bodies it accepts, and leaves every other body to DRF."""

import pytest
from rest_framework import serializers

from cchc.onestop.serializers import DossierReceiveSerializer, validated
from tests.onestop.conftest import APPLICANT

pytestmark = pytest.mark.django_db


def drf_answer(body):
    try:
        data = validated(DossierReceiveSerializer, body)
    except serializers.ValidationError as exc:
        return "errors", exc.detail
    return "valid", {**data, "applicant": dict(data["applicant"])}


def bodies(world):
    good = {"agency": world.desk.code, "procedure": world.five_days.code, "channel": 1,
            "applicant": dict(APPLICANT), "request": "Cấp bản sao", "sets": 2}
    yield good
    yield {"agency": world.desk.code, "procedure": world.five_days.code, "applicant": {}}
    yield {**good, "agency": f"  {world.desk.code.lower()} ", "procedure": f" {world.five_days.code}\t",
           "request": "  nội dung  ", "applicant": {"name": "  An  ", "phone": " 0912 ", "x": 1}}
    yield {**good, "channel": 3, "sets": 20, "extra": "ignored"}
    yield {**good, "procedure": "1.001612"}  # a base code: the service resolves it
    yield {**good, "applicant": {**APPLICANT, "id_number": "12"}}  # the service's to refuse
    # Everything below is DRF's to refuse or to coerce.
    for changes in ({"channel": "1"}, {"channel": 2}, {"channel": True}, {"channel": 1.0},
                    {"channel": None}, {"sets": "3"}, {"sets": 0}, {"sets": 21}, {"sets": True},
                    {"sets": 2.0}, {"sets": None}, {"agency": "000.99.99.H20"},
                    {"agency": "không phải mã"}, {"agency": 12}, {"agency": None},
                    {"agency": world.desk.code + "0"}, {"procedure": ""}, {"procedure": "   "},
                    {"procedure": "x" * 41}, {"procedure": 1.001612}, {"procedure": None},
                    {"procedure": "1.00\x00"}, {"request": None}, {"request": "x" * 4001},
                    {"request": 5}, {"request": "\ud800"}, {"applicant": None},
                    {"applicant": "An"}, {"applicant": []}, {"applicant": {"name": 7}},
                    {"applicant": {"name": None}}, {"applicant": {"name": "A\x00n"}},
                    {"applicant": {"name": True}}):
        yield {**good, **changes}
    for missing in ("agency", "procedure", "applicant"):
        yield {k: v for k, v in good.items() if k != missing}
    yield []
    yield "text"
    yield None


def test_plain_input_is_drfs_answer_or_leaves_it_to_drf(world):
    accepted = refused = 0
    for body in bodies(world):
        plain = DossierReceiveSerializer.plain_input(body)
        answer = drf_answer(body)
        if plain is None:
            refused += 1
            continue
        accepted += 1
        assert answer == ("valid", plain), body
        assert type(plain["agency"]) is type(answer[1]["agency"])
        assert plain["agency"].unit.pk == world.desk.unit_id
    assert accepted == 6 and refused > 30


def test_drf_still_answers_what_the_plain_path_leaves(clients, world):
    body = {"agency": world.desk.code, "procedure": world.five_days.code, "channel": "3",
            "sets": "2", "applicant": dict(APPLICANT)}
    response = clients.desk.post("/api/v1/dossiers/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["channel"], response.json()["sets"]) == (3, 2)
    response = clients.desk.post("/api/v1/dossiers/", {**body, "sets": 0, "channel": 2},
                                 format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"sets", "channel"}
