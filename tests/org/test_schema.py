import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

ORG_PATHS = {"/api/v1/units/", "/api/v1/units/{key}/", "/api/v1/agencies/",
             "/api/v1/agencies/{code}/"}


def generate(urlconf=None):
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    problems = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    return schema, problems


def test_org_schema_has_no_warnings():
    schema, problems = generate("tests.org.urls_api")
    assert problems == []
    validate_schema(schema)
    assert set(schema["paths"]) == ORG_PATHS
    units = schema["paths"]["/api/v1/units/"]["get"]
    names = {p["name"] for p in units["parameters"]}
    assert {"province", "include_predecessors", "level", "era", "valid_on", "search", "parent",
            "page", "page_size"} <= names
    assert units["security"] == [{}]  # public
    assert "400" in units["responses"]
    agencies = schema["paths"]["/api/v1/agencies/"]["get"]
    assert {"kind", "unit", "home_affairs"} <= {p["name"] for p in agencies["parameters"]}
    detail = schema["paths"]["/api/v1/units/{key}/"]["get"]
    assert detail["parameters"][0]["schema"]["type"] == "string"


def test_project_schema_lists_org_endpoints_without_org_warnings():
    schema, problems = generate()
    assert ORG_PATHS <= set(schema["paths"])
    mine = [p for p in problems if any(w in p for w in ("Unit", "Agency", "org/api"))]
    assert mine == []


@pytest.mark.django_db
def test_schema_endpoint(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/units/" in response.json()["paths"]
