"""schemathesis against the OpenAPI schema served at /api/schema/: every operation, with
generated valid (positive) and invalid (negative) input, authenticated with the token of a
demo-like officer (every staff role of a commune; records in two communes), never answers
with a 5xx (the ``not_a_server_error`` check).

The operations are walked here rather than through schemathesis' pytest plugin, so that one
test reports every failing operation at once."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from cchc.wsgi import application
from tests.security.conftest import build_two_units

MAX_EXAMPLES = 6  # per operation and mode: ~2 × 60 operations, a few minutes on SQLite


@pytest.mark.django_db
def test_no_server_errors(settings, tmp_path):  # noqa: F811 (settings: the pytest-django fixture)
    settings.CCHC_PUBLIC_LOOKUP_RATE = None
    settings.CCHC_PUBLIC_MISS_RATE = None
    settings.CCHC_PUBLIC_SUBMIT_RATE = None
    world = build_two_units(settings, tmp_path)
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=world.a_user)[0].key}"}
    # As Django's test client does: a request must not close the test's connection (on
    # PostgreSQL, the end of each request would otherwise close it inside the transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
        failures, operations = {}, 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _run(operation, mode, headers, failures)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert operations > 40
    assert failures == {}, "\n".join(f"{k}: {v}" for k, v in failures.items())


def _run(operation, mode, headers, failures):
    try:
        strategy = operation.as_strategy(generation_mode=mode)
    except Exception as exc:  # noqa: BLE001 - an operation schemathesis cannot generate for
        pytest.fail(f"{operation.label} ({mode}): {exc!r}")

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case):
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except Exception as exc:  # noqa: BLE001 - collected, reported together below
            key = f"{operation.label} [{mode}]"
            failures.setdefault(key, f"{response.status_code} {case.path} "
                                     f"{case.path_parameters} {case.query} {case.body!r:.200} "
                                     f"-> {type(exc).__name__}")

    try:
        check()
    except Unsatisfiable:
        # No invalid input exists for this operation under this mode (e.g. negative cases
        # of an operation without parameters): nothing to send.
        assert mode == GenerationMode.NEGATIVE, operation.label
