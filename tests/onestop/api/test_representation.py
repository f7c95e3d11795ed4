"""The dossier answers are written out by hand (``serializers.DossierSummarySerializer`` and
``DossierDetailSerializer``, to spare DRF's per-request field construction): they must say
exactly what the declared fields, which document the schema, would say."""

import datetime

import pytest
from rest_framework import serializers as drf
from rest_framework.test import APIRequestFactory

from cchc.errors import NotFound
from cchc.onestop import selectors, services
from cchc.onestop.models import Dossier, Status
from cchc.onestop.serializers import (
    DossierDetailSerializer,
    DossierSummarySerializer,
    PublicDossierSerializer,
)
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


def _public_by_the_orm(code):
    """What the public lookup said when it read the dossier through the ORM (its statement is
    written by hand now): the oracle for ``selectors.public_lookup``."""
    dossier = Dossier.objects.select_related("procedure_version").get(code=code)
    return {
        "code": dossier.code, "procedure": dossier.procedure_version.name,
        "status": dossier.status, "status_label": dossier.get_status_display(),
        "received_at": dossier.received_at, "due_at": dossier.due_at,
        "new_due_at": dossier.apology_new_due_at,
        "result_ready": dossier.status in (Status.PROCESSED, Status.RETURNED),
        "returned_at": dossier.returned_at,
        "applicant_initials": selectors.initials(dossier.applicant_name),
        "steps_done": [{"name": s.name, "finished_at": s.finished_at} for s in
                       dossier.steps.filter(finished_at__isnull=False).order_by("finished_at", "pk")],
        "can_rate": dossier.status == Status.RETURNED and not hasattr(dossier, "rating"),
    }


@pytest.mark.django_db
def test_the_public_lookup_reads_what_the_orm_reads_and_answers_as_declared(world):
    def received(at_, procedure=world.five_days):
        return services.receive_dossier(agency=world.desk, procedure=procedure,
                                        applicant=APPLICANT, actor=world.desk_officer, at=at(at_))

    fresh = received("2026-04-24 09:00")
    online = services.submit_online(agency=world.desk, procedure=world.five_days,
                                    applicant={"name": "Trần Thị Bình"}, at=at("2026-04-24 09:30"))
    apologised = received("2026-04-24 09:10", world.same_day)
    services.issue_apology(apologised, actor=world.desk_officer, reason="Chờ xác minh",
                           new_due_at=at("2026-04-29 16:00"), at=at("2026-04-24 15:00"))
    returned, rated = received("2026-04-24 09:20"), received("2026-04-24 09:30")
    for dossier in (returned, rated):
        services.transfer_dossier(dossier, actor=world.desk_officer, at=at("2026-04-24 10:00"))
        services.transfer_dossier(dossier, actor=world.specialist, at=at("2026-04-27 10:00"))
        services.approve_dossier(dossier, actor=world.leader, result="Đã cấp",
                                 at=at("2026-04-27 11:00"))
        services.return_result(dossier, actor=world.desk_officer, at=at("2026-04-27 14:00"))
    services.rate_dossier(rated, level="satisfied", comment="")
    # A code in another format (an imported dossier's, say): found without the day's bound.
    handwritten = received("2026-04-24 09:40")
    Dossier.objects.filter(pk=handwritten.pk).update(code="HS-NHAP-TAY-1")

    codes = [d.code for d in (fresh, online, apologised, returned, rated)] + ["HS-NHAP-TAY-1"]
    for code in codes:
        public = selectors.public_lookup(code.lower())
        assert vars(public) == _public_by_the_orm(code)
        by_hand = PublicDossierSerializer(public).data
        declared = drf.Serializer.to_representation(PublicDossierSerializer(public), public)
        assert by_hand == declared and list(by_hand) == list(declared)
    assert [s["name"] for s in vars(selectors.public_lookup(returned.code))["steps_done"]]
    assert vars(selectors.public_lookup(returned.code))["can_rate"] is True
    assert vars(selectors.public_lookup(rated.code))["can_rate"] is False
    for missing in ("", "X" * 26, fresh.code[:-1] + "9", "000.10.50.H20-260431-0001"):
        with pytest.raises(NotFound):
            selectors.public_lookup(missing)
