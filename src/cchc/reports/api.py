"""REST API of the reports, under /api/v1/reports/ (token or session; leaders, Home Affairs,
inspectors; each scoped to their units). Bad parameters answer 400 with the fields named
(``errors``), through the project's exception handler.

- ``timeliness/?from=&to=&unit=&mode=&group=&level=``: the periodic report (the JSON of
  ``cchc report timeliness``); ``timeliness/dossiers/?...&measure=&key=``: the dossiers behind
  one number (paginated).
- ``scorecard/?month=YYYY-MM&unit=&mode=&level=``: the 766 scorecard per unit.
- ``dashboard/?from=&to=&unit=&mode=&level=``: the dashboard's figures.
- ``procedures/<code>/review/?year=``: the procedure review; ``proposals/?status=``.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.catalog.models import Procedure
from cchc.core.api import Pagination
from cchc.errors import InvalidInput

from .models import ProposalStatus
from .selectors import build_filters, timeliness_dossiers, timeliness_report
from .selectors.common import (
    LEVELS,
    MODES,
    Filters,
    Period,
    check_can_view,
    parse_choice,
    parse_month,
    resolve_unit,
)
from .selectors.dashboards import dashboard
from .selectors.review import procedure_review, proposal_json, proposals
from .selectors.scorecard import scorecard
from .selectors.timeliness import MEASURES

PERIOD_PARAMS = [
    OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="Ngày đầu kỳ (YYYY-MM-DD)"),
    OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="Ngày cuối kỳ (YYYY-MM-DD)"),
    OpenApiParameter("unit", str, description="Mã đơn vị: 82, 2025:30280, pre2025:868"),
    OpenApiParameter("mode", str, enum=list(MODES), description="as_was (mặc định) hoặc successors"),
    OpenApiParameter("level", str, enum=[str(level) for level in LEVELS], description="Gộp theo cấp"),
]


def _filters(request, **extra):
    q = request.query_params
    return build_filters(start=q.get("from"), end=q.get("to"), unit=q.get("unit"), mode=q.get("mode"),
                         level=q.get("level"), user=request.user, **extra)


class TimelinessReportView(APIView):
    @extend_schema(summary="Báo cáo tình hình, kết quả giải quyết TTHC", tags=["reports"],
                   parameters=[*PERIOD_PARAMS, OpenApiParameter("group", str, enum=["unit", "field", "procedure"])],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        filters = _filters(request, group=request.query_params.get("group"))
        return Response(timeliness_report(filters).as_json())


class TimelinessDossiersView(APIView):
    pagination_class = Pagination

    @extend_schema(summary="Hồ sơ đứng sau một số liệu của báo cáo", tags=["reports"],
                   parameters=[*PERIOD_PARAMS, OpenApiParameter("group", str),
                               OpenApiParameter("measure", str, enum=list(MEASURES), required=True),
                               OpenApiParameter("key", str, description="Dòng (mã đơn vị, lĩnh vực, thủ tục); "
                                                                       "trống: dòng tổng cộng")],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        filters = _filters(request, group=request.query_params.get("group"))
        measure = request.query_params.get("measure") or ""
        dossiers = timeliness_dossiers(filters, measure, request.query_params.get("key") or None)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(dossiers, request, view=self)
        return paginator.get_paginated_response([{
            "code": d.code, "procedure": d.procedure_version.name, "unit": f"{d.unit.era}:{d.unit.code}",
            "unit_name": d.unit.name, "channel": d.channel, "status": d.status,
            "received_at": d.received_at.isoformat(), "due_at": d.due_at.isoformat() if d.due_at else None,
            "finished_at": d.finished_at.isoformat() if d.finished_at else None,
            "supplement_count": d.supplement_count, "timeliness": d.timeliness,
        } for d in page])


class ScorecardView(APIView):
    @extend_schema(summary="Bộ chỉ số phục vụ (QĐ 766) theo đơn vị và tháng", tags=["reports"],
                   parameters=[OpenApiParameter("month", str, required=True, description="YYYY-MM"),
                               *PERIOD_PARAMS[2:]], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        q = request.query_params
        errors, values = {}, {}
        for name, parse in (("month", lambda: parse_month(q.get("month"))),
                            ("unit", lambda: resolve_unit(q.get("unit"))),
                            ("mode", lambda: parse_choice(q.get("mode"), MODES, "mode", "as_was")),
                            ("level", lambda: parse_choice(q.get("level"), LEVELS, "level"))):
            try:
                values[name] = parse()
            except InvalidInput as exc:
                errors.update(exc.fields)
        if errors:
            raise InvalidInput(_("Tham số báo cáo không hợp lệ."), fields=errors)
        filters = Filters(period=values["month"], user=request.user, unit=values["unit"],
                          mode=values["mode"], level=values["level"])
        return Response(scorecard(filters).as_json())


class DashboardView(APIView):
    @extend_schema(summary="Số liệu bảng điều khiển", tags=["reports"], parameters=PERIOD_PARAMS,
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(dashboard(_filters(request)).as_json())


class ProcedureReviewView(APIView):
    @extend_schema(summary="Rà soát một thủ tục từ số liệu hồ sơ", tags=["reports"],
                   parameters=[OpenApiParameter("year", int, required=True),
                               OpenApiParameter("unit", str)], responses=OpenApiTypes.OBJECT)
    def get(self, request, code):
        check_can_view(request.user)
        procedure = get_object_or_404(Procedure, code=code)
        raw = request.query_params.get("year") or ""
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            raise InvalidInput(_("Năm không hợp lệ."), fields={"year": [_("Một năm từ 2000 đến 2100.")]})
        filters = Filters(period=Period.year(int(raw)), user=request.user,
                          unit=resolve_unit(request.query_params.get("unit")))
        return Response(procedure_review(procedure, int(raw), filters).as_json())


class ProposalListView(APIView):
    @extend_schema(summary="Đề xuất đơn giản hóa thủ tục", tags=["reports"],
                   parameters=[OpenApiParameter("status", str, enum=ProposalStatus.values)],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        check_can_view(request.user)
        status = parse_choice(request.query_params.get("status"), ProposalStatus.values, "status")
        paginator = Pagination()
        page = paginator.paginate_queryset(proposals(user=request.user, status=status), request, view=self)
        return paginator.get_paginated_response([proposal_json(p) for p in page])
