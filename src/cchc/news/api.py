"""REST API of the portal: each unit's posting activity (inspection evidence)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from .views import activity_report, can_see_activity

MONTH_FIELDS = {
    "month": serializers.CharField(), "articles": serializers.IntegerField(),
    "complete": serializers.BooleanField(), "below_minimum": serializers.BooleanField()}


class ActivityView(APIView):
    @extend_schema(
        summary="Hoạt động đăng tin CCHC của các đơn vị",
        description=("Số bài theo tháng và số ngày chưa có bài mới của từng đơn vị trong phạm vi "
                     "người dùng, so với ngưỡng của tỉnh. Lỗi tham số: 400 với mã invalid_month, "
                     "invalid_period, period_too_long, invalid_unit_key; đơn vị ngoài phạm vi: 404."),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description="Tháng đầu, YYYY-MM"),
            OpenApiParameter("to", OpenApiTypes.STR, description="Tháng cuối, YYYY-MM"),
            OpenApiParameter("unit", OpenApiTypes.STR, description="Đơn vị, dạng thời kỳ:mã"),
        ],
        responses=inline_serializer("NewsActivity", {
            "from": serializers.CharField(), "to": serializers.CharField(),
            "as_of": serializers.DateField(),
            "policy": inline_serializer("NewsPostingPolicy", {
                "max_days_without_article": serializers.IntegerField(),
                "min_articles_per_month": serializers.IntegerField()}),
            "units": inline_serializer("NewsUnitActivity", {
                "unit": serializers.CharField(), "name": serializers.CharField(),
                "has_section": serializers.BooleanField(), "total": serializers.IntegerField(),
                "months": inline_serializer("NewsActivityMonth", MONTH_FIELDS, many=True),
                "last_published_at": serializers.DateTimeField(allow_null=True),
                "days_since_last": serializers.IntegerField(allow_null=True),
                "longest_gap_days": serializers.IntegerField(allow_null=True),
                "months_below_minimum": serializers.IntegerField(),
                "overdue": serializers.BooleanField(), "meets_policy": serializers.BooleanField(),
            }, many=True),
        }),
    )
    def get(self, request):
        if not can_see_activity(request.user):
            raise PermissionDenied()
        report = activity_report(request.user, request.query_params)
        return Response({
            "from": report.date_from.strftime("%Y-%m"),
            "to": report.date_to.strftime("%Y-%m"),
            "as_of": report.as_of.isoformat(),
            "policy": {"max_days_without_article": report.policy.max_days_without_article,
                       "min_articles_per_month": report.policy.min_articles_per_month},
            "units": [{
                "unit": row.unit.key, "name": row.unit.name, "has_section": row.has_section,
                "total": row.total,
                "months": [{"month": m.month, "articles": m.articles, "complete": m.complete,
                            "below_minimum": m.below_minimum} for m in row.months],
                "last_published_at": row.last_published_at.isoformat()
                if row.last_published_at else None,
                "days_since_last": row.days_since_last,
                "longest_gap_days": row.longest_gap_days,
                "months_below_minimum": row.months_below_minimum,
                "overdue": row.overdue, "meets_policy": row.meets_policy,
            } for row in report.rows],
        })
