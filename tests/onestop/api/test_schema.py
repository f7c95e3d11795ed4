"""The one-stop endpoints in the OpenAPI schema: valid, without generator warnings, with
request and response serializers, examples and the error answers documented."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

OPERATIONS = {
    ("/api/v1/dossiers/", "get"): {"200", "400", "401"},
    ("/api/v1/dossiers/", "post"): {"200", "201", "400", "401", "403"},
    ("/api/v1/dossiers/{code}/", "get"): {"200", "401", "404"},
    ("/api/v1/dossiers/{code}/history/", "get"): {"200", "401", "404"},
    ("/api/v1/dossiers/{code}/actions/", "post"): {"200", "400", "401", "403", "404", "409"},
    ("/api/v1/public/dossiers/", "post"): {"201", "400", "429"},
    ("/api/v1/public/dossiers/{code}/", "get"): {"200", "404", "429"},
    ("/api/v1/public/dossiers/{code}/rating/", "post"): {"201", "400", "404", "409", "429"},
}


@pytest.fixture(scope="module")
def schema_and_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    messages = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    return schema, messages


def test_no_warnings_for_the_onestop_endpoints(schema_and_warnings):
    schema, messages = schema_and_warnings
    validate_schema(schema)
    ours = [m for m in messages if any(word in m.lower() for word in (
        "onestop", "dossier", "timeliness", "public_dossiers", "rating"))]
    assert ours == []


@pytest.mark.parametrize("path,method", sorted(OPERATIONS))
def test_every_operation_is_documented(schema_and_warnings, path, method):
    schema, _ = schema_and_warnings
    operation = schema["paths"][path][method]
    assert operation["summary"] and operation["operationId"]
    assert set(operation["responses"]) == OPERATIONS[path, method]
    for code, response in operation["responses"].items():
        content = response["content"]["application/json"]
        assert content["schema"], code
        assert content.get("examples"), (path, method, code)
    if method == "post":
        body = operation["requestBody"]["content"]
        assert all(media["schema"] for media in body.values())
        assert any(media.get("examples") for media in body.values())
    security = operation.get("security", [])
    if path.startswith("/api/v1/public/"):
        assert not any("tokenAuth" in s for s in security)
    else:
        assert any("tokenAuth" in s for s in security)
