"""An officer who acted on a dossier cannot be deleted: the events are append-only and sealed
into the audit chain, so deleting the user (which would rewrite their actor) is refused."""

import pytest
from django.db.models import ProtectedError

from cchc.onestop.models import DossierEvent

pytestmark = pytest.mark.django_db


def test_deleting_an_officer_who_acted_is_refused(world, receive):
    dossier = receive()
    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    assert event.actor == world.desk_officer
    with pytest.raises(ProtectedError):
        world.desk_officer.delete()
    event.refresh_from_db()
    assert event.actor_id == world.desk_officer.pk


def test_an_officer_who_never_acted_can_still_be_deleted(world):
    world.outsider.delete()
