# ruff: noqa: F811  (the fixtures imported from tests/inspection/conftest.py are parameters)
"""English is complete (issue #2): Vietnamese stays the default, and with English chosen every
app's strings come out in English.

1. Catalogues: ``makemessages`` is run on a copy of each app's current sources (and of the
   project-level modules, ``errors.py`` and ``settings.py``); every msgid it finds must have a
   non-empty, non-fuzzy English msgstr, and the committed ``.mo`` must hold that translation.
2. Pages: real pages rendered with English chosen (``Accept-Language: en`` or the
   ``set_language`` view) show English and not the Vietnamese source; so does an API error.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

import cchc
from tests.civil.conftest import build_world
from tests.inspection.conftest import (  # noqa: F401 (fixtures)
    home_affairs,
    inspection,
    inspector,
    plan,
    receive,
    world,
)

SRC = Path(cchc.__file__).resolve().parent
APPS = ["workcal", "org", "core", "catalog", "onestop", "civil", "reports", "inspection", "news"]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


# -- 1. catalogues --------------------------------------------------------------------------------

def parse_po(text: str) -> list[dict]:
    """The entries of a .po file: {"flags", "msgctxt", "msgid", "msgid_plural", "msgstr[...]"}."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry, key = {"flags": set()}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        if entry.get("msgid"):  # not the header
            entries.append(entry)
    return entries


def translations(entry: dict) -> list[str]:
    return [v for k, v in entry.items() if k.startswith("msgstr")]


def fresh_catalogue(tmp_path: Path, app: str | None) -> Path:
    """Run makemessages -l en on a copy of the app's sources and its committed catalogue;
    return the merged .po (what the catalogue would be after extracting the current sources)."""
    if app:
        root = tmp_path / app
        shutil.copytree(SRC / app, root, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    else:  # the project-level modules: errors.py, settings.py, ...
        root = tmp_path / "cchc"
        root.mkdir()
        for module in SRC.glob("*.py"):
            shutil.copy(module, root)
        shutil.copytree(SRC / "locale", root / "locale", ignore=shutil.ignore_patterns("*.mo"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-P", "-m", "django", "makemessages", "-l", "en", "--no-obsolete",
                    "--no-location"], cwd=root, env=env, check=True, capture_output=True)
    return root / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("app", [*APPS, None], ids=[*APPS, "project"])
def test_every_msgid_of_the_current_sources_has_an_english_translation(tmp_path, app):
    committed = (SRC / app if app else SRC) / "locale" / "en" / "LC_MESSAGES"
    assert (committed / "django.po").exists(), f"no English catalogue for {app or 'the project'}"
    entries = parse_po(fresh_catalogue(tmp_path, app).read_text(encoding="utf-8"))
    assert entries, "makemessages found no strings: the test would prove nothing"
    missing = [e["msgid"] for e in entries if not all(translations(e))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not missing, f"{app}: untranslated in English: {missing}"
    assert not fuzzy, f"{app}: fuzzy English translations: {fuzzy}"

    # The committed .po is what makemessages keeps (nothing left to merge) and the committed
    # .mo was compiled from it.
    committed_ids = {(e.get("msgctxt"), e["msgid"])
                     for e in parse_po((committed / "django.po").read_text(encoding="utf-8"))}
    assert {(e.get("msgctxt"), e["msgid"]) for e in entries} == committed_ids, \
        f"{app}: run makemessages -l en --no-obsolete and commit the catalogue"
    with open(committed / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for e in entries:
        msgid = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            assert compiled.ngettext(msgid, e["msgid_plural"], 1) == e["msgstr[0]"], msgid
            assert compiled.ngettext(msgid, e["msgid_plural"], 2) == e["msgstr[1]"], msgid
        else:
            assert compiled.gettext(msgid) == e["msgstr"], f"{app}: .mo out of date: {msgid!r}"


@pytest.mark.parametrize("app", APPS)
def test_english_translations_keep_the_placeholders(app):
    placeholder = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%|\{\w*\}")
    po = SRC / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
    for e in parse_po(po.read_text(encoding="utf-8")):
        expected = sorted(placeholder.findall(e["msgid"]))
        for text in translations(e):
            assert sorted(placeholder.findall(text)) == expected, (e["msgid"], text)


# -- 2. pages in English ------------------------------------------------------------------------

def page(client, url, **params) -> str:
    response = client.get(url, params, **EN)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="en">' in html
    return html


def assert_english(html: str, english: list[str], vietnamese: list[str]):
    for text in english:
        assert text in html, f"missing English text {text!r}"
    for text in vietnamese:
        assert text not in html, f"Vietnamese source {text!r} on an English page"


def test_the_default_language_stays_vietnamese(client, world):
    client.force_login(world.desk_officer)
    html = client.get(reverse("core:home")).content.decode()
    assert '<html lang="vi">' in html
    assert "Công việc của bạn theo từng vai trò:" in html


def test_set_language_switches_the_session_to_english(client, world):
    client.force_login(world.desk_officer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("core:home")).content.decode()
    assert_english(html, ["Your work, by role:", "Log out", "Reception and return of results"],
                   ["Công việc của bạn theo từng vai trò:", "Đăng xuất", "Tiếp nhận và trả kết quả"])
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Đăng xuất" in client.get(reverse("core:home")).content.decode()


def test_home_of_a_desk_officer_in_english(client, world):
    client.force_login(world.desk_officer)
    html = page(client, reverse("core:home"))
    assert_english(html, ["Hello, Motcua", "Your work, by role:", "Skip to main content",
                          "One-stop dossiers", "Receive a dossier"],
                   ["Xin chào", "Bỏ qua, đến nội dung chính", "Hồ sơ một cửa", "Tiếp nhận hồ sơ"])


def test_the_one_stop_queue_and_a_dossier_in_english(client, world, receive):
    dossier = receive("2026-04-24 09:00")
    client.force_login(world.desk_officer)
    html = page(client, reverse("onestop:queue", args=["all"]))
    assert_english(html, ["Dossier queue", "Receive a new dossier", "Return date", dossier.code],
                   ["Hàng đợi hồ sơ", "Tiếp nhận hồ sơ mới", "Hẹn trả"])
    html = page(client, reverse("onestop:dossier", args=[dossier.code]))
    assert_english(html, ["General information", "Submission channel", "Dossier history",
                          "Processing deadline", "In person"],
                   ["Thông tin chung", "Kênh nộp", "Lịch sử hồ sơ", "Hạn giải quyết",
                    "Trực tiếp"])
    # The data stays as it was entered: the procedure's and the applicant's names.
    assert "Đăng ký kết hôn có yếu tố nước ngoài" in html and "Nguyễn Văn An" in html


def test_the_procedure_catalog_in_english(client, world):
    html = page(client, "/thu-tuc/")
    assert_english(html, ["Search", "Field", "Clear filters", "Đăng ký khai sinh"],
                   ["Tìm kiếm", "Lĩnh vực", "Xóa bộ lọc"])


def test_a_civil_status_page_in_english(client, db):
    world = build_world()
    client.force_login(world.officer)
    html = page(client, "/ho-tich/")
    assert_english(html, ["Register books", "Civil-status search", "Register"],
                   ["Sổ hộ tịch", "Tra cứu hộ tịch"])
    html = page(client, "/ho-tich/dang-ky/khai-sinh/")
    assert_english(html, ["Register birth", "Full name", "Date of birth", "Father", "Mother"],
                   ["Đăng ký khai sinh", "Họ, chữ đệm và tên", "Ngày sinh"])


def test_a_reports_page_in_english(client, world, home_affairs, receive):
    receive("2026-05-04 09:00")
    client.force_login(home_affairs)
    html = page(client, reverse("reports:timeliness"), tu_ngay="2026-05-01", den_ngay="2026-05-31")
    assert_english(html, ["Report on the processing of administrative procedures",
                          "Download Excel (.xlsx)", "Choose the reporting period", "By receiving unit"],
                   ["Báo cáo tình hình, kết quả giải quyết thủ tục hành chính",
                    "Tải Excel (.xlsx)", "Tổng cộng"])
    html = page(client, reverse("reports:dashboard"), tu_ngay="2026-05-01", den_ngay="2026-05-31")
    assert_english(html, ["Administrative reform overview"], ["Tổng quan cải cách hành chính"])


def test_an_inspection_page_in_english(client, inspector, plan, inspection):
    client.force_login(inspector)
    html = page(client, reverse("inspection:home"))
    assert_english(html, ["Inspection plans", "Create an inspection plan"],
                   [">Kế hoạch kiểm tra<", "Lập kế hoạch kiểm tra"])
    html = page(client, reverse("inspection:inspection", args=[inspection.pk]))
    assert_english(html, ["Evidence and scoring", "Start the inspection", "Planned"],
                   ["Minh chứng và chấm điểm", "Bắt đầu kiểm tra", "Đã lập kế hoạch"])
    # The plan's data (its title) is not translated.
    assert "Kế hoạch kiểm tra CCHC năm 2026" in html


def test_inspection_documents_stay_vietnamese_on_an_english_page(client, inspector, inspection):
    client.force_login(inspector)
    response = client.get(reverse("inspection:document", args=[inspection.pk, "bao-cao", "docx"]),
                          **EN)
    assert response.status_code == 200
    import io

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "BÁO CÁO KẾT QUẢ KIỂM TRA CÔNG TÁC CẢI CÁCH HÀNH CHÍNH" in text
    assert "REPORT ON THE RESULTS" not in text


def test_api_errors_in_english(client, world, receive):
    response = client.get("/api/v1/dossiers/", **EN)
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Log in or send an access token."

    client.force_login(world.desk_officer)
    response = client.get("/api/v1/dossiers/", {"page": "0"}, **EN)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_page"
    assert body["detail"] == "Invalid pagination parameter."
    assert body["errors"] == {"page": ["Must be a positive whole number."]}

    response = client.get("/api/v1/dossiers/000.10.50.H20-260424-9999/", **EN)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "Không" not in response.json()["detail"]

    # Without a language choice the same errors are in Vietnamese.
    response = client.get("/api/v1/dossiers/", {"page": "0"})
    assert response.json()["detail"] == "Tham số phân trang không hợp lệ."


def test_login_failure_in_english(client, world):
    response = client.post("/api/v1/auth/token/", {"username": "motcua", "password": "sai"}, **EN)
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials",
                               "detail": "Incorrect user name or password, or the account is "
                                         "locked."}
