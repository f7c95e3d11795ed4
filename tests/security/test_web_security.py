"""CSRF on forms, the content security policy on pages, and uploads checked by content,
size and type (one-stop documents and inspection evidence)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cchc.errors import InvalidInput
from cchc.onestop import uploads
from tests.factories import PASSWORD
from tests.security.conftest import PDF

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
HTML = b"<html><script>alert(1)</script></html>"


# -- CSRF -----------------------------------------------------------------------------------------

def _token(client, path):
    page = client.get(path)
    assert page.status_code == 200
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert match, path
    return match.group(1).decode()


def test_login_form_needs_the_csrf_token(two_units):
    client = Client(enforce_csrf_checks=True)
    data = {"username": two_units.a_user.username, "password": PASSWORD}
    assert client.post("/dang-nhap/", data).status_code == 403
    data["csrfmiddlewaretoken"] = _token(client, "/dang-nhap/")
    assert client.post("/dang-nhap/", data).status_code == 302


def test_staff_forms_need_the_csrf_token(two_units):
    from cchc.onestop.models import DossierEvent

    client = Client(enforce_csrf_checks=True)
    client.force_login(two_units.a_user)
    dossier = two_units.a.dossier
    before = DossierEvent.objects.filter(dossier=dossier).count()
    act = f"/mot-cua/ho-so/{dossier.code}/thao-tac/transfer/"
    for path, data in ((act, {"note": "x"}), ("/mot-cua/tiep-nhan/", {}),
                       (f"/ho-tich/so/{two_units.a.book.pk}/khoa-so/", {}),
                       ("/dang-xuat/", {})):
        assert client.post(path, data).status_code == 403, path
    assert DossierEvent.objects.filter(dossier=dossier).count() == before
    token = _token(client, f"/mot-cua/ho-so/{dossier.code}/")
    response = client.post(act, {"note": "x", "csrfmiddlewaretoken": token})
    assert response.status_code != 403


def test_api_session_writes_need_csrf_but_token_auth_does_not(two_units):
    from rest_framework.authtoken.models import Token

    client = Client(enforce_csrf_checks=True)
    client.force_login(two_units.a_user)
    url = f"/api/v1/dossiers/{two_units.a.dossier.code}/actions/"
    response = client.post(url, {"action": "transfer"}, content_type="application/json")
    assert response.status_code == 403
    token = Token.objects.create(user=two_units.a_user)
    bare = Client(enforce_csrf_checks=True)
    response = bare.post(url, {"action": "transfer", "note": "x"}, content_type="application/json",
                         headers={"Authorization": f"Token {token.key}"})
    assert response.status_code != 403


# -- CSP ------------------------------------------------------------------------------------------

PAGES = ["/", "/dang-nhap/", "/thu-tuc/", "/mot-cua/tra-cuu/", "/mot-cua/nop-truc-tuyen/",
         "/lich-lam-viec/"]
STAFF_PAGES = ["/mot-cua/", "/mot-cua/tiep-nhan/", "/ho-tich/", "/bao-cao/", "/kiem-tra/"]


def _check_csp(response, path):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "object-src 'none'" in csp, path
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, path
    nonces = set(re.findall(r"'nonce-([^']+)'", csp))
    html = response.content.decode()
    for tag, attrs in re.findall(r"<(script|style)\b([^>]*)>", html):
        if tag == "script" and "src=" in attrs:
            continue
        nonce = re.search(r'nonce="([^"]+)"', attrs)
        assert nonce and nonce.group(1) in nonces, f"inline <{tag}> without the nonce on {path}"


def test_csp_with_nonces_on_public_and_staff_pages(client, two_units):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        _check_csp(response, path)
    client.force_login(two_units.a_user)
    for path in STAFF_PAGES + [f"/mot-cua/ho-so/{two_units.a.dossier.code}/"]:
        response = client.get(path)
        if response.status_code == 200:
            _check_csp(response, path)


def test_api_docs_page_has_a_policy_too(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


# -- uploads --------------------------------------------------------------------------------------

def test_type_is_taken_from_the_content_not_the_name():
    assert uploads.validate_upload(SimpleUploadedFile("anh.jpg", PDF)) == "application/pdf"
    assert uploads.validate_upload(SimpleUploadedFile("giay.pdf", JPEG)) == "image/jpeg"


@pytest.mark.parametrize("name,content,code", [
    ("giay-to.pdf", EXE, "file_type_not_allowed"),
    ("anh.png", HTML, "file_type_not_allowed"),
    ("anh.jpg", b"%PD", "file_type_not_allowed"),
    ("rong.pdf", b"", "invalid_input"),
    ("lon.pdf", PDF + b"0" * uploads.MAX_UPLOAD_BYTES, "file_too_large"),
])
def test_bad_uploads_are_refused_with_a_code(name, content, code):
    with pytest.raises(InvalidInput) as exc:
        uploads.validate_upload(SimpleUploadedFile(name, content))
    assert exc.value.code == code
    assert name in str(exc.value.message)


def test_one_bad_file_stores_none(two_units):
    dossier = two_units.a.dossier
    before = dossier.documents.count()
    with pytest.raises(InvalidInput):
        uploads.attach_documents(dossier, [SimpleUploadedFile("a.pdf", PDF),
                                           SimpleUploadedFile("b.pdf", EXE)])
    assert dossier.documents.count() == before


def test_online_submission_refuses_an_executable(client, two_units, settings):
    settings.CCHC_PUBLIC_SUBMIT_RATE = None
    from cchc.onestop.models import Dossier

    before = Dossier.objects.count()
    response = client.post("/api/v1/public/dossiers/", {
        "agency": two_units.w.desk.code, "procedure": "1.004884",
        "applicant.name": "Nguyễn Văn Nộp", "applicant.phone": "0912345678",
        "documents": [SimpleUploadedFile("don.pdf", EXE)]})
    assert response.status_code == 400
    assert response.json()["code"] == "file_type_not_allowed"
    assert Dossier.objects.count() == before


def test_inspection_evidence_is_checked_by_content(two_units):
    from cchc.inspection import services
    from cchc.inspection.models import TaskOutput

    task = two_units.a.task
    with pytest.raises(InvalidInput) as exc:
        services.report_task_progress(task, actor=two_units.w.leader, text="Đã rà soát",
                                      file=SimpleUploadedFile("ket-qua.pdf", EXE))
    assert exc.value.code == "file_type_not_allowed"
    assert TaskOutput.objects.filter(task=task).count() == 0
    services.report_task_progress(task, actor=two_units.w.leader, text="Đã rà soát",
                                  file=SimpleUploadedFile("ket-qua.pdf", PDF))
    assert TaskOutput.objects.filter(task=task).count() == 1


# -- production settings (complements tests/core/test_site.py) ------------------------------------

def _settings_of(env_extra):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "cchc.settings", **env_extra})
    names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
             "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
             "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "AXES_ENABLED"]
    code = ("import django, json; from django.conf import settings; django.setup(); "
            f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_https_is_enforced():
    values = _settings_of({"CCHC_SECRET_KEY": "k" * 60})
    assert values == {
        "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True, "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True, "X_FRAME_OPTIONS": "DENY", "AXES_ENABLED": True}


# -- found by schemathesis on PostgreSQL ----------------------------------------------------------

def test_nul_characters_in_query_parameters_are_a_400_not_a_500(client, two_units):
    client.force_login(two_units.a_user)
    response = client.get("/api/v1/procedures/", {"field": "H\x00T", "search": "khai\x00sinh"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "field" in errors and "search" in errors


@pytest.mark.django_db
@pytest.mark.parametrize("name,allowed", [("quyet-dinh.pdf", True), ("bieu-mau.docx", True),
                                          ("trang.html", False), ("chay.exe", False)])
def test_portal_documents_accept_office_files_only(name, allowed):
    from django.core.exceptions import ValidationError
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model()(title="Tệp đính kèm", file=ContentFile(b"%PDF-1.4\n", name=name))
    if allowed:
        document.full_clean()
    else:
        with pytest.raises(ValidationError):
            document.full_clean()
