"""``Idempotency-Key`` on reception: a client that retries after losing the answer gets the
dossier of its first request, never a second dossier with a new number."""

from unittest import mock

from cchc.onestop.models import DailySequence, Dossier, ReceiptKey


def _post(client, body, key):
    return client.post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_returns_the_first_dossier(clients, intake, world):
    first = _post(clients.desk, intake(), "load-7f3a9c1e-0001")
    assert first.status_code == 201, first.json()
    again = _post(clients.desk, intake(), "load-7f3a9c1e-0001")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["code"] == first.json()["code"]
    assert again["Location"] == first["Location"]
    assert Dossier.objects.count() == 1
    # The daily counter was not bumped by the retry: the next number follows without a gap.
    assert DailySequence.objects.get(agency=world.desk).last == 1
    other = _post(clients.desk, intake(), "load-7f3a9c1e-0002")
    assert other.status_code == 201
    assert other.json()["code"].endswith("-0002")


def test_without_a_key_every_post_is_a_new_dossier(clients, intake):
    codes = {clients.desk.post("/api/v1/dossiers/", intake(), format="json").json()["code"]
             for _ in range(2)}
    assert len(codes) == 2


def test_keys_belong_to_their_user(clients, intake, world):
    mine = _post(clients.desk, intake(), "shared-key-123")
    theirs = _post(clients.outsider, intake(agency=world.other_desk.code), "shared-key-123")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["code"] != theirs.json()["code"]
    assert ReceiptKey.objects.count() == 2


def test_a_malformed_key_is_a_400_in_vietnamese(clients, intake):
    for key in ("short", "x" * 65, "khóa-có-dấu-123", "a b c d e f g h"):
        response = _post(clients.desk, intake(), key)
        assert response.status_code == 400, key
        body = response.json()
        assert body["code"] == "invalid_idempotency_key"
        assert "Idempotency-Key" in body["detail"] and "ký tự" in body["detail"]
    assert not Dossier.objects.exists()


def test_a_request_refused_for_its_data_stores_no_key(clients, intake):
    bad = intake()
    bad["applicant"]["id_number"] = "12"
    assert _post(clients.desk, bad, "retry-key-0001").status_code == 400
    assert not ReceiptKey.objects.exists()
    assert _post(clients.desk, intake(), "retry-key-0001").status_code == 201


def test_a_concurrent_duplicate_loses_on_the_unique_key_and_gets_the_winner(clients, intake,
                                                                           world):
    """The race: the other request with this key committed after this one looked the key up.
    This one's insert of the key fails, its whole reception rolls back (number included), and
    the answer is the winner's dossier."""
    winner = _post(clients.desk, intake(), "race-key-0001").json()
    real_filter = ReceiptKey.objects.filter
    calls = []

    def blind_first_lookup(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            return ReceiptKey.objects.none()
        return real_filter(*args, **kwargs)

    with mock.patch.object(ReceiptKey.objects, "filter", side_effect=blind_first_lookup):
        response = _post(clients.desk, intake(), "race-key-0001")
    assert len(calls) == 2
    assert response.status_code == 200, response.json()
    assert response.json()["code"] == winner["code"]
    assert Dossier.objects.count() == 1
    assert DailySequence.objects.get(agency=world.desk).last == 1
