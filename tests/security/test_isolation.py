"""Every URL pattern of the site is classified, and every one that shows or changes records
of a unit is probed: a user holding every staff role of commune A asks for commune B's
dossiers, documents, register books, entries, copies, requests, inspections,
recommendations, reform tasks, proposals and reports, by page and by API, and gets 403 or
404 — never B's data — and B's records are unchanged afterwards.

Each probe is also run against A's own record of the same kind (it must then *not* be
refused), so that a probe with a wrong address cannot pass by returning 404 for everything.

A new URL pattern fails ``test_every_pattern_is_classified`` until it is added to
``CLASSIFIED`` below.
"""

import io
import zipfile

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from tests.civil.conftest import birth
from tests.security.conftest import PDF

PUBLIC = "public"
OWN = "own account"
ADMIN = "admin only"
CATALOG = "staff, province catalog (not unit-scoped)"
SCOPED = "scoped"

# pattern name -> (class, how it is kept to the user's units)
CLASSIFIED = {
    # -- core -------------------------------------------------------------------------------
    "core:home": (SCOPED, "work counts from onestop.selectors.work_queue (scope)"),
    "core:login": (PUBLIC, "login form (axes lockout)"),
    "core:logout": (OWN, "POST only, ends the own session"),
    "set_language": (PUBLIC, "language cookie"),
    "api-schema": (PUBLIC, "OpenAPI schema"),
    "api-docs": (PUBLIC, "API documentation"),
    "api-token": (OWN, "own credentials (axes lockout)"),
    # -- workcal, org, catalog ----------------------------------------------------------------
    "workcal:calendar": (PUBLIC, "official working calendar"),
    "workcal-api-due": (PUBLIC, "deadline arithmetic"),
    "workcal-api-days-off": (PUBLIC, "official days off"),
    "api-units": (PUBLIC, "administrative units are public facts (auth required)"),
    "api-unit": (PUBLIC, "administrative units are public facts (auth required)"),
    "api-agencies": (PUBLIC, "agencies are public facts (auth required)"),
    "api-agency": (PUBLIC, "agencies are public facts (auth required)"),
    "catalog:procedure_list": (PUBLIC, "published procedures"),
    "catalog:procedure_detail": (PUBLIC, "published procedures"),
    "catalog:posting_sheet": (PUBLIC, "published procedures"),
    "catalog:announcement_list": (CATALOG, "province announcement decisions"),
    "catalog:announcement_detail": (CATALOG, "province announcement decisions"),
    "catalog:announcement_create": (CATALOG, "catalog editors of the province"),
    "api-procedures": (PUBLIC, "published procedures"),
    "api-procedure": (PUBLIC, "published procedures"),
    "api-announcements": (CATALOG, "province announcement decisions"),
    "api-announcement": (CATALOG, "province announcement decisions"),
    "api-postings": (PUBLIC, "what each desk posts is public (Nghị định 63/2010 Điều 15)"),
    "catalog:posting_gap_list": (SCOPED, "scope(desks, unit)"),
    "catalog:posting_gap_detail": (SCOPED, "scope(desks, unit)"),
    "api-posting-gaps": (SCOPED, "scope(desks, unit)"),
    # -- one-stop -----------------------------------------------------------------------------
    "onestop:home": (SCOPED, "selectors.work_queue (scope)"),
    "onestop:queue": (SCOPED, "selectors.work_queue (scope)"),
    "onestop:intake": (SCOPED, "receive_dossier checks the desk's unit"),
    "onestop:dossier": (SCOPED, "selectors.get_dossier (scope)"),
    "onestop:act": (SCOPED, "selectors.get_dossier + services._check_actor"),
    "onestop:document": (SCOPED, "selectors.get_dossier (scope)"),
    "onestop:form": (SCOPED, "selectors.get_dossier (scope)"),
    "onestop:register": (SCOPED, "agency looked up in visible units"),
    "onestop:submit": (PUBLIC, "citizen online filing"),
    "onestop:submitted": (PUBLIC, "citizen online filing"),
    "onestop:lookup": (PUBLIC, "citizen lookup by dossier code, throttled, masked"),
    "onestop:rate": (PUBLIC, "citizen rating by dossier code, throttled"),
    "api-dossiers": (SCOPED, "selectors.dossiers_for (scope)"),
    "api-dossier": (SCOPED, "selectors.get_dossier (scope)"),
    "api-dossier-history": (SCOPED, "selectors.get_dossier (scope)"),
    "api-dossier-actions": (SCOPED, "selectors.get_dossier + services._check_actor"),
    "api-public-dossiers": (PUBLIC, "citizen online filing, throttled"),
    "api-public-dossier": (PUBLIC, "citizen lookup by code, throttled, masked"),
    "api-public-dossier-rating": (PUBLIC, "citizen rating by code, throttled"),
    # -- civil status -------------------------------------------------------------------------
    "civil:home": (SCOPED, "selectors.visible_books"),
    "civil:book": (SCOPED, "selectors.visible_books"),
    "civil:close_book": (SCOPED, "selectors.visible_books + check_officer"),
    "civil:entry": (SCOPED, "selectors.visible_entries"),
    "civil:entry_pdf": (SCOPED, "selectors.visible_entries"),
    "civil:add_note": (SCOPED, "selectors.visible_entries + check_officer"),
    "civil:issue_copy": (SCOPED, "selectors.visible_entries + check_officer"),
    "civil:copy_pdf": (SCOPED, "selectors.visible_entries"),
    "civil:entry_for_dossier": (SCOPED, "selectors.visible_entries"),
    "civil:register": (SCOPED, "check_officer on the desk's unit"),
    "civil:search": (SCOPED, "services.search_register (visible_entries, audited)"),
    "civil:statistics": (SCOPED, "visible units"),
    "civil:evidence": (SCOPED, "visible units"),
    "civil:requests": (SCOPED, "selectors.requests_for"),
    "civil:retry_request": (SCOPED, "selectors.requests_for"),
    "api-civil-books": (SCOPED, "selectors.visible_books"),
    "api-civil-book": (SCOPED, "selectors.visible_books"),
    "api-civil-book-close": (SCOPED, "selectors.visible_books + check_officer"),
    "api-civil-entries": (SCOPED, "selectors.visible_entries"),
    "api-civil-entry": (SCOPED, "selectors.visible_entries"),
    "api-civil-notes": (SCOPED, "selectors.visible_entries + check_officer"),
    "api-civil-copies": (SCOPED, "selectors.visible_entries + check_officer"),
    "api-civil-entry-pdf": (SCOPED, "selectors.visible_entries"),
    "api-civil-copy-pdf": (SCOPED, "selectors.visible_entries"),
    "api-civil-requests": (SCOPED, "selectors.requests_for"),
    "api-civil-monthly": (SCOPED, "visible units"),
    "api-civil-evidence": (SCOPED, "visible units"),
    # -- reports ------------------------------------------------------------------------------
    "reports:dashboard": (SCOPED, "build_filters(user) restricts units"),
    "reports:dashboard_export": (SCOPED, "build_filters(user) restricts units"),
    "reports:timeliness": (SCOPED, "build_filters(user) restricts units"),
    "reports:timeliness_dossiers": (SCOPED, "build_filters(user) restricts units"),
    "reports:timeliness_export": (SCOPED, "build_filters(user) restricts units"),
    "reports:scorecard": (SCOPED, "build_filters(user) restricts units"),
    "reports:review": (SCOPED, "build_filters(user) restricts units"),
    "reports:review_procedure": (SCOPED, "build_filters(user) restricts units"),
    "reports:proposals": (SCOPED, "selectors.visible_proposals"),
    "reports:proposals_approved_export": (SCOPED, "selectors.visible_proposals"),
    "reports:proposal": (SCOPED, "selectors.visible_proposals"),
    "reports:proposal_act": (SCOPED, "selectors.visible_proposals + services._check_unit"),
    "api-reports-timeliness": (SCOPED, "build_filters(user) restricts units"),
    "api-reports-timeliness-dossiers": (SCOPED, "build_filters(user) restricts units"),
    "api-reports-scorecard": (SCOPED, "build_filters(user) restricts units"),
    "api-reports-dashboard": (SCOPED, "build_filters(user) restricts units"),
    "api-reports-procedure-review": (SCOPED, "build_filters(user) restricts units"),
    "api-reports-proposals": (SCOPED, "selectors.visible_proposals"),
    # -- inspection ---------------------------------------------------------------------------
    "inspection:criteria_list": (CATALOG, "the province's criteria sets (no unit data)"),
    "inspection:criteria": (CATALOG, "the province's criteria sets (no unit data)"),
    "inspection:criteria_copy": (CATALOG, "inspectors of the province only"),
    "inspection:criteria_make_default": (CATALOG, "inspectors of the province only"),
    "inspection:home": (SCOPED, "selectors.visible_plans"),
    "inspection:plan_create": (SCOPED, "inspector of the province only"),
    "inspection:plan": (SCOPED, "selectors.visible_plans"),
    "inspection:plan_chart": (SCOPED, "selectors.visible_plans"),
    "inspection:conference_create": (SCOPED, "inspector of the province only"),
    "inspection:conference_adopt": (SCOPED, "inspector of the province only"),
    "inspection:inspection": (SCOPED, "selectors.visible_inspections"),
    "inspection:inspection_action": (SCOPED, "visible_inspections + _check_inspector"),
    "inspection:document": (SCOPED, "selectors.visible_inspections"),
    "inspection:recommendations": (SCOPED, "selectors.visible_recommendations"),
    "inspection:recommendation": (SCOPED, "selectors.visible_recommendations"),
    "inspection:tasks": (SCOPED, "selectors.visible_tasks"),
    "inspection:task": (SCOPED, "selectors.visible_tasks + _check_unit_staff"),
    "inspection:task_report": (SCOPED, "selectors.visible_tasks"),
    "api-inspection-plans": (SCOPED, "selectors.visible_plans"),
    "api-inspection-plan": (SCOPED, "selectors.visible_plans"),
    "api-inspections": (SCOPED, "selectors.visible_inspections"),
    "api-inspection": (SCOPED, "selectors.visible_inspections"),
    "api-inspection-evidence": (SCOPED, "selectors.visible_inspections"),
    "api-inspection-action": (SCOPED, "visible_inspections + _check_inspector"),
    "api-inspection-recommendations": (SCOPED, "selectors.visible_recommendations"),
    "api-inspection-recommendation": (SCOPED, "selectors.visible_recommendations"),
    "api-inspection-recommendation-action": (SCOPED, "visible_recommendations + unit staff"),
    # -- news ---------------------------------------------------------------------------------
    "news:activity": (SCOPED, "Home Affairs roles only, visible_units"),
    "news:set_policy": (SCOPED, "Home Affairs administrator only"),
    "api-news-activity": (SCOPED, "Home Affairs roles only, visible_units"),
    "wagtail_serve": (PUBLIC, "published portal pages (Wagtail view restrictions)"),
    "wagtailcore_login": (PUBLIC, "Wagtail's login for restricted pages"),
    "wagtailcore_authenticate_with_password": (PUBLIC, "Wagtail page password"),
    "wagtaildocs_serve": (PUBLIC, "portal documents (Wagtail collection privacy)"),
    "wagtaildocs_authenticate_with_password": (PUBLIC, "Wagtail document password"),
}
# Whole namespaces behind a staff login: Django admin and the Wagtail CMS.
ADMIN_PREFIXES = {"quan-tri/": "admin", "cms/": "wagtailadmin"}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield prefix + str(p.pattern), name


def all_patterns():
    return list(_walk(get_resolver().url_patterns))


def test_every_pattern_is_classified():
    unclassified, unnamed = [], []
    for route, name in all_patterns():
        if any(route.startswith(prefix) for prefix in ADMIN_PREFIXES):
            continue
        if not name:
            unnamed.append(route)
        elif name not in CLASSIFIED:
            unclassified.append(f"{name} ({route})")
    assert unnamed == [], "URL patterns without a name cannot be classified"
    assert unclassified == [], "classify these in tests/security/test_isolation.py"
    names = {name for _route, name in all_patterns()}
    assert set(CLASSIFIED) - names == set(), "stale entries in CLASSIFIED"


@pytest.mark.django_db
def test_admin_areas_refuse_unit_staff(client, two_units):
    client.force_login(two_units.a_user)
    for path in ("/quan-tri/", "/quan-tri/onestop/dossier/",
                 f"/quan-tri/onestop/dossier/{two_units.b.dossier.pk}/change/",
                 f"/quan-tri/civil/registerentry/{two_units.b.entry.pk}/change/",
                 "/cms/", "/cms/pages/"):
        response = client.get(path)
        assert response.status_code in (302, 403), path
        if response.status_code == 302:
            assert "dang-nhap" in response["Location"] or "login" in response["Location"], path
        assert two_units.b.marker.encode() not in response.content


# -- probes ---------------------------------------------------------------------------------------
# name -> list of (method, path(t, r), data(t, r)); r is the Records of the unit probed.

def P(name, **kwargs):
    return lambda t, r: reverse(name, kwargs={k: v(t, r) if callable(v) else v
                                              for k, v in kwargs.items()})


def pdf_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bo-sung.pdf", PDF, content_type="application/pdf")


GET, POST = "get", "post"
code = lambda t, r: r.dossier.code  # noqa: E731
period = "?tu_ngay=2026-04-01&den_ngay=2026-04-30"

DETAIL_PROBES = {
    "catalog:posting_gap_detail": [(GET, P("catalog:posting_gap_detail",
                                           agency_code=lambda t, r: r.dossier.receiving_agency.code), None)],
    "onestop:dossier": [(GET, P("onestop:dossier", code=code), None)],
    "onestop:act": [(POST, P("onestop:act", code=code, action="transfer"), {"note": "x"})],
    "onestop:document": [(GET, P("onestop:document", code=code,
                                 pk=lambda t, r: r.document.pk), None)],
    "onestop:form": [(GET, P("onestop:form", code=code, number="01"), None)],
    "onestop:register": [(GET, lambda t, r: P("onestop:register",
                                              agency_code=lambda t, r: r.dossier.receiving_agency.code,
                                              fmt="xlsx")(t, r) + period, None)],
    "onestop:intake": [(POST, P("onestop:intake"), lambda t, r: {
        "agency": r.dossier.receiving_agency.pk, "procedure": r.dossier.procedure.pk,
        "channel": 1, "name": "Người Lạ", "sets": 1})],
    "civil:book": [(GET, P("civil:book", pk=lambda t, r: r.book.pk), None)],
    "civil:close_book": [(POST, P("civil:close_book", pk=lambda t, r: r.book.pk), {})],
    "civil:entry": [(GET, P("civil:entry", pk=lambda t, r: r.entry.pk), None)],
    "civil:entry_pdf": [(GET, P("civil:entry_pdf", pk=lambda t, r: r.entry.pk,
                                kind="trich-luc"), None)],
    "civil:add_note": [(POST, P("civil:add_note", pk=lambda t, r: r.entry.pk),
                        {"kind": "other", "text": "Ghi chú lạ"})],
    "civil:issue_copy": [(POST, P("civil:issue_copy", pk=lambda t, r: r.entry.pk),
                          {"copies": 1, "name": "Người Lạ"})],
    "civil:copy_pdf": [(GET, P("civil:copy_pdf", pk=lambda t, r: r.copy.pk), None)],
    "civil:entry_for_dossier": [(GET, P("civil:entry_for_dossier",
                                        code=lambda t, r: r.entry.dossier.code), None)],
    "civil:retry_request": [(POST, P("civil:retry_request",
                                     pk=lambda t, r: r.civil_request.pk), {})],
    "reports:proposal": [(GET, P("reports:proposal", pk=lambda t, r: r.proposal.pk), None)],
    "reports:proposal_act": [(POST, P("reports:proposal_act", pk=lambda t, r: r.proposal.pk,
                                      action="trinh"), {"note": "x"})],
    "inspection:inspection": [(GET, P("inspection:inspection",
                                      pk=lambda t, r: r.inspection.pk), None)],
    "inspection:inspection_action": [(POST, P("inspection:inspection_action",
                                              pk=lambda t, r: r.inspection.pk,
                                              action="hoan-thanh"), {})],
    "inspection:document": [(GET, P("inspection:document", pk=lambda t, r: r.inspection.pk,
                                    kind="bao-cao", fmt="pdf"), None)],
    "inspection:recommendation": [(GET, P("inspection:recommendation",
                                          pk=lambda t, r: r.recommendation.pk), None),
                                  (POST, P("inspection:recommendation",
                                           pk=lambda t, r: r.recommendation.pk),
                                   {"action": "report", "text": "Đã khắc phục"})],
    "inspection:task": [(GET, P("inspection:task", pk=lambda t, r: r.task.pk), None),
                        (POST, P("inspection:task", pk=lambda t, r: r.task.pk),
                         {"text": "Đã làm"})],
    # API
    "api-posting-gaps": [(GET, lambda t, r: "/api/v1/postings/gaps/?agency="
                          + r.dossier.receiving_agency.code, None)],
    "api-dossier": [(GET, P("api-dossier", code=code), None)],
    "api-dossier-history": [(GET, P("api-dossier-history", code=code), None)],
    "api-dossier-actions": [(POST, P("api-dossier-actions", code=code),
                             {"action": "transfer", "note": "x"})],
    "api-civil-book": [(GET, P("api-civil-book", pk=lambda t, r: r.book.pk), None)],
    "api-civil-book-close": [(POST, P("api-civil-book-close", pk=lambda t, r: r.book.pk), {})],
    "api-civil-entry": [(GET, P("api-civil-entry", pk=lambda t, r: r.entry.pk), None)],
    "api-civil-notes": [(POST, P("api-civil-notes", pk=lambda t, r: r.entry.pk),
                         {"kind": "other", "text": "Ghi chú lạ"})],
    "api-civil-copies": [(POST, P("api-civil-copies", pk=lambda t, r: r.entry.pk),
                          {"copies": 1, "applicant": {"name": "Người Lạ"}})],
    "api-civil-entry-pdf": [(GET, P("api-civil-entry-pdf", pk=lambda t, r: r.entry.pk,
                                    kind="extract"), None)],
    "api-civil-copy-pdf": [(GET, P("api-civil-copy-pdf", pk=lambda t, r: r.copy.pk), None)],
    "api-inspection": [(GET, P("api-inspection", pk=lambda t, r: r.inspection.pk), None)],
    "api-inspection-evidence": [(GET, P("api-inspection-evidence",
                                        pk=lambda t, r: r.inspection.pk), None)],
    "api-inspection-action": [(POST, P("api-inspection-action",
                                       pk=lambda t, r: r.inspection.pk, action="finalise"), {})],
    "api-inspection-recommendation": [(GET, P("api-inspection-recommendation",
                                              pk=lambda t, r: r.recommendation.pk), None)],
    "api-inspection-recommendation-action": [(POST, P(
        "api-inspection-recommendation-action", pk=lambda t, r: r.recommendation.pk,
        action="report"), {"text": "Đã khắc phục"})],
}

# Pages and lists that must show A's own records and none of B's.
LIST_PROBES = {
    "core:home": "/",
    "catalog:posting_gap_list": "/thu-tuc/niem-yet/",
    "onestop:home": "/mot-cua/",
    "onestop:queue": [f"/mot-cua/hang-doi/{q}/" for q in
                      ("mine", "due_soon", "overdue", "supplement", "all")],
    "civil:home": "/ho-tich/?nam=2026",
    "civil:search": "/ho-tich/tra-cuu/?name=tuyen",
    "civil:statistics": "/ho-tich/thong-ke/?nam=2026",
    "civil:evidence": "/ho-tich/kiem-tra/?nam=2026",
    "civil:requests": "/ho-tich/yeu-cau/",
    "reports:dashboard": "/bao-cao/" + period,
    "reports:timeliness": "/bao-cao/giai-quyet-tthc/" + period,
    "reports:timeliness_dossiers": "/bao-cao/giai-quyet-tthc/ho-so/" + period
                                   + "&chi_tieu=received",
    "reports:scorecard": "/bao-cao/chi-so-766/",
    "reports:review": "/bao-cao/ra-soat/" + period,
    "reports:proposals": "/bao-cao/de-xuat/",
    "inspection:home": "/kiem-tra/",
    "inspection:recommendations": "/kiem-tra/kien-nghi/",
    "inspection:tasks": "/kiem-tra/nhiem-vu/",
    "news:activity": "/hoat-dong-dang-tin/",
    "api-dossiers": "/api/v1/dossiers/?queue=all",
    "api-civil-books": "/api/v1/civil/books/",
    "api-civil-entries": "/api/v1/civil/entries/?name=tuyen",
    "api-civil-monthly": "/api/v1/civil/stats/monthly/?year=2026",
    "api-civil-evidence": "/api/v1/civil/evidence/?year=2026",
    "api-reports-timeliness": "/api/v1/reports/timeliness/?from=2026-04-01&to=2026-04-30",
    "api-reports-timeliness-dossiers": "/api/v1/reports/timeliness/dossiers/"
                                       "?from=2026-04-01&to=2026-04-30&measure=received",
    "api-reports-scorecard": "/api/v1/reports/scorecard/?month=2026-04",
    "api-reports-procedure-review": "/api/v1/reports/procedures/{procedure}/review/?year=2026",
    "reports:review_procedure": "/bao-cao/ra-soat/{procedure}/",
    "inspection:plan": "/kiem-tra/ke-hoach/{plan}/",
    "inspection:plan_chart": "/kiem-tra/ke-hoach/{plan}/so-sanh.svg",
    "api-inspection-plan": "/api/v1/inspection/plans/{plan}/",
    "api-reports-dashboard": "/api/v1/reports/dashboard/?from=2026-04-01&to=2026-04-30",
    "api-reports-proposals": "/api/v1/reports/proposals/",
    "api-inspection-plans": "/api/v1/inspection/plans/",
    "api-inspections": "/api/v1/inspection/inspections/",
    "api-inspection-recommendations": "/api/v1/inspection/recommendations/",
    "api-news-activity": "/api/v1/news/activity/",
}

# Exports (xlsx/pdf/svg) of scoped data, asked for B's unit explicitly.
EXPORT_PROBES = {
    "reports:dashboard_export": "/bao-cao/tong-quan/qua-han.xlsx" + period,
    "reports:timeliness_export": "/bao-cao/giai-quyet-tthc/bao-cao.xlsx" + period,
    "reports:proposals_approved_export": "/bao-cao/de-xuat/da-phe-duyet.xlsx",
    "inspection:task_report": "/kiem-tra/nhiem-vu/bao-cao/{reform}.xlsx",
}

# Province-level work a commune user may not do or see at all.
PROVINCE_ONLY = {
    "inspection:plan_create": [(GET, "/kiem-tra/ke-hoach/moi/")],
    "inspection:conference_create": [(POST, "/kiem-tra/ke-hoach/{plan}/hoi-nghi/")],
    "inspection:conference_adopt": [(POST, "/kiem-tra/hoi-nghi/{conference}/thong-qua/")],
    "news:set_policy": [(POST, "/hoat-dong-dang-tin/nguong/")],
    "civil:register": [(POST, "/ho-tich/dang-ky/khai-sinh/")],
    "api-civil-requests": [(POST, "/api/v1/civil/requests/")],
}
PROVINCE_ONLY_ALLOWED = {"news:set_policy": {403},
                         # refused with a message on the plan page; nothing is written
                         "inspection:conference_create": {302, 403, 404},
                         "inspection:conference_adopt": {302, 403, 404},
                         # the form again, with the error
                         "civil:register": {400, 403, 404},
                         "api-civil-requests": {400, 403, 404}}
# A refusal that is a 400: the desk is a query parameter (not a path), answered
# ``unknown_desk`` ("not in your scope") without any data.
DETAIL_ALLOWED = {"api-posting-gaps": {400, 403, 404}}


def test_every_scoped_pattern_is_probed():
    scoped = {name for name, (kind, _how) in CLASSIFIED.items() if kind == SCOPED}
    probed = set(DETAIL_PROBES) | set(LIST_PROBES) | set(EXPORT_PROBES) | set(PROVINCE_ONLY)
    assert scoped - probed == set(), "add a probe for these scoped patterns"
    assert probed - scoped == set()


def _fingerprint(t):
    """What a write by A could change of B's records."""
    from cchc.civil.models import ExtractCopy, MarginalNote, RegisterBook, RegisterEntry
    from cchc.inspection.models import Conference, Inspection, Recommendation, ReformTask
    from cchc.onestop.models import Dossier, DossierEvent
    from cchc.reports.models import SimplificationProposal

    b = t.b
    unit = t.w.other_commune
    return {
        "dossiers": sorted(Dossier.objects.filter(unit=unit).values_list("code", "status",
                                                                         "version")),
        "events": DossierEvent.objects.filter(dossier__unit=unit).count(),
        "book": RegisterBook.objects.filter(pk=b.book.pk).values_list("closed_at").first(),
        "entries": RegisterEntry.objects.filter(unit=unit).count(),
        "notes": MarginalNote.objects.filter(entry__unit=unit).count(),
        "copies": ExtractCopy.objects.filter(entry__unit=unit).count(),
        "inspection": Inspection.objects.filter(pk=b.inspection.pk).values_list("status").first(),
        "recommendation": Recommendation.objects.filter(pk=b.recommendation.pk)
        .values_list("status").first(),
        "task_outputs": ReformTask.objects.get(pk=b.task.pk).outputs.count(),
        "proposal": SimplificationProposal.objects.filter(pk=b.proposal.pk)
        .values_list("status").first(),
        "conferences": sorted(Conference.objects.values_list("pk", "adopted_at")),
    }


def _markers(r, t):
    unit = r.dossier.unit.name
    return [r.marker, r.entry.dossier.code, r.dossier.code, r.copy.dossier.code,
            f"Khắc phục tại {unit}", f"Rà soát thủ tục {unit}", r.entry.full_name]


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind or content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                            if n.endswith(".xml"))
    if content.startswith(b"%PDF"):
        from pypdf import PdfReader

        return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8", "replace")


def _send(client, method, path, data, api):
    if method == GET:
        return client.get(path)
    if api:
        return client.post(path, data or {}, content_type="application/json")
    return client.post(path, data or {})


@pytest.fixture
def as_a(client, two_units):
    client.force_login(two_units.a_user)
    Token.objects.get_or_create(user=two_units.a_user)
    return client


def _leaks(response, t, asked=""):
    """B's markers in the answer, except those the request itself carried (an error message
    may repeat the code that was asked for)."""
    text = _text(response)
    return [m for m in _markers(t.b, t) if m and m in text and m not in asked]


@pytest.mark.django_db
def test_detail_and_action_probes(as_a, two_units, settings):
    settings.CCHC_PUBLIC_LOOKUP_RATE = None
    t = two_units
    before = _fingerprint(t)
    problems = []
    for name, probes in DETAIL_PROBES.items():
        api = name.startswith("api-")
        for method, path_of, data in probes:
            data_b = data(t, t.b) if callable(data) else data
            path = path_of(t, t.b)
            response = _send(as_a, method, path, data_b, api)
            # a POST may also be refused by validation (400); the fingerprint proves no write
            allowed = DETAIL_ALLOWED.get(name, {403, 404} | ({400} if method == POST else set()))
            if response.status_code not in allowed:
                problems.append(f"{name} {method} B -> {response.status_code}")
            elif leaks := _leaks(response, t, path + str(data_b)):
                problems.append(f"{name} {method} B leaks {leaks}")
    assert problems == [], "\n".join(problems)
    assert _fingerprint(t) == before
    # The same probes on A's own records are not refused: the addresses are right.
    refused = []
    for name, probes in DETAIL_PROBES.items():
        api = name.startswith("api-")
        for method, path_of, _data in probes:
            if method != GET:
                continue
            response = _send(as_a, method, path_of(t, t.a), None, api)
            if response.status_code not in (200, 302):  # 302: on to the entry's own page
                refused.append(f"{name} A -> {response.status_code}")
    assert refused == []


@pytest.mark.django_db
def test_lists_show_none_of_the_other_units_records(as_a, two_units):
    t = two_units
    problems = []
    for name, paths in LIST_PROBES.items():
        for path in [paths] if isinstance(paths, str) else paths:
            path = path.format(plan=t.plan.pk, procedure=t.b.dossier.procedure.code)
            response = as_a.get(path)
            if response.status_code not in (200, 403):
                problems.append(f"{name} {path} -> {response.status_code}")
            elif leaks := _leaks(response, t):
                problems.append(f"{name} {path} leaks {leaks}")
    # The plan covers both communes; its ranking shows only the rows the user may see.
    chart = as_a.get(f"/kiem-tra/ke-hoach/{t.plan.pk}/so-sanh.svg")
    assert chart.status_code == 200
    assert t.w.commune.name in _text(chart) and t.w.other_commune.name not in _text(chart)
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_lists_show_the_own_units_records(as_a, two_units):
    """Positive control for the leak check: the marker words do appear where A's data is."""
    t = two_units
    for path, marker in (("/mot-cua/hang-doi/all/", t.a.dossier.code),
                         ("/api/v1/dossiers/?queue=all", t.a.dossier.code),
                         ("/ho-tich/tra-cuu/?name=anh duong", t.a.entry.full_name),
                         ("/api/v1/civil/entries/?name=anh duong", t.a.entry.full_name),
                         (f"/api/v1/reports/procedures/{t.a.dossier.procedure.code}/review/"
                          "?year=2026", t.a.marker),
                         ("/kiem-tra/kien-nghi/", "Khắc phục tại Phường Hồng Ngự"),
                         ("/kiem-tra/nhiem-vu/", "Rà soát thủ tục Phường Hồng Ngự")):
        response = as_a.get(path)
        assert response.status_code == 200, path
        assert marker in _text(response), path


@pytest.mark.django_db
def test_exports_of_the_other_unit_are_refused_or_empty_of_it(as_a, two_units):
    t = two_units
    b_unit = "&don_vi=2025:" + t.w.other_commune.code
    problems = []
    for name, path in EXPORT_PROBES.items():
        path = path.format(reform=t.reform.pk)
        for variant in (path, path + (b_unit if "?" in path else "?" + b_unit[1:])):
            response = as_a.get(variant)
            if response.status_code in (403, 404):
                continue
            if response.status_code != 200:
                problems.append(f"{name} {variant} -> {response.status_code}")
            elif leaks := _leaks(response, t) + (
                    [t.w.other_commune.name] if t.w.other_commune.name in _text(response) else []):
                problems.append(f"{name} {variant} leaks {leaks}")
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_province_work_is_refused_to_a_commune_user(as_a, two_units):
    t = two_units
    before = _fingerprint(t)
    problems = []
    for name, probes in PROVINCE_ONLY.items():
        for method, path in probes:
            path = path.format(plan=t.plan.pk, conference=t.conference.pk,
                               procedure=t.b.dossier.procedure.code,
                               b_unit=t.w.other_commune.code)
            data = {}
            if name == "civil:register":
                data = {"agency": t.w.other_desk.pk, "child_full_name": "Trẻ Lạ"}
            elif name == "api-civil-requests":
                data = {"agency": t.w.other_desk.code, "event_type": "birth", "data": birth()}
            response = _send(as_a, method, path, data, name.startswith("api-"))
            allowed = PROVINCE_ONLY_ALLOWED.get(name, {403, 404})
            if response.status_code not in allowed:
                problems.append(f"{name} {method} -> {response.status_code}")
            elif leaks := _leaks(response, t):
                problems.append(f"{name} leaks {leaks}")
    assert problems == [], "\n".join(problems)
    assert _fingerprint(t) == before
