"""The dossier answers are written out by hand (``serializers.DossierSummarySerializer`` and
``DossierDetailSerializer``, to spare DRF's per-request field construction): they must say
exactly what the declared fields, which document the schema, would say."""

import datetime

import pytest
from rest_framework import serializers as drf
from rest_framework.test import APIRequestFactory

from cchc.onestop import selectors, services
from cchc.onestop.serializers import DossierDetailSerializer, DossierSummarySerializer
from tests.factories import UserFactory
from tests.onestop.conftest import APPLICANT, at


def _request(user):
    request = APIRequestFactory().get("/api/v1/dossiers/")
    request.user = user
    return request


def assert_same_answer(dossier, context):
    for serializer_class in (DossierSummarySerializer, DossierDetailSerializer):
        by_hand = serializer_class(dossier, context=dict(context)).data
        declared = drf.Serializer.to_representation(
            serializer_class(dossier, context=dict(context)), dossier)
        assert by_hand == declared
        assert list(by_hand) == list(declared)  # the same keys in the same order


@pytest.mark.django_db
def test_the_hand_written_answers_are_the_declared_fields_answers(world):
    admin = UserFactory(username="quantri", is_superuser=True)
    viewers = [world.desk_officer, world.specialist, world.leader, admin]
    now = at("2026-04-24 10:00")

    received = services.receive_dossier(agency=world.desk, procedure=world.five_days,
                                        applicant=APPLICANT, actor=world.desk_officer,
                                        at=at("2026-04-24 09:00"))
    # The intake's own answer: the rights the service read are in the context.
    assert_same_answer(received, {"request": _request(world.desk_officer), "now": now,
                                  "actor_rights": received.actor_rights})
    online = services.submit_online(agency=world.desk, procedure=world.five_days,
                                    applicant={"name": "Trần Thị Bình"}, at=at("2026-04-24 09:30"))
    apologised = services.receive_dossier(agency=world.desk, procedure=world.same_day,
                                          applicant=APPLICANT, actor=world.desk_officer,
                                          at=at("2026-04-24 09:00"))
    services.issue_apology(apologised, actor=world.desk_officer, reason="Chờ xác minh",
                           new_due_at=at("2026-04-29 16:00"), at=at("2026-04-24 15:00"))
    returned = services.receive_dossier(agency=world.desk, procedure=world.five_days,
                                        applicant=APPLICANT, actor=world.desk_officer,
                                        at=at("2026-04-24 09:00"))
    services.transfer_dossier(returned, actor=world.desk_officer, at=at("2026-04-24 10:00"))
    services.transfer_dossier(returned, actor=world.specialist, at=at("2026-04-27 10:00"))
    services.approve_dossier(returned, actor=world.leader, result="Đã cấp",
                             at=at("2026-04-27 11:00"))
    services.return_result(returned, actor=world.desk_officer, at=at("2026-04-27 14:00"))

    for code in (received.code, online.code, apologised.code, returned.code):
        for user in viewers:
            dossier = selectors.get_dossier(user, code)
            for moment in (now, now + datetime.timedelta(days=30)):
                assert_same_answer(dossier, {"request": _request(user), "now": moment})
        assert_same_answer(selectors.get_dossier(admin, code), {"now": now})  # no request
    answer = DossierDetailSerializer(selectors.get_dossier(admin, apologised.code),
                                     context={"request": _request(admin), "now": now}).data
    assert answer["apology"]["reason"] == "Chờ xác minh"
    assert DossierDetailSerializer(selectors.get_dossier(admin, returned.code),
                                   context={"now": now}).data["current_step"] is None
