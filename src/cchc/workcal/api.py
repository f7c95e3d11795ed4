"""Public (no login) calendar endpoints under /api/v1/public/calendar/."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.errors import InvalidInput

from .calendar import MAX_YEAR, MIN_YEAR, parse_days
from .deadlines import explain_due, parse_instant
from .selectors import get_calendar, year_overview


class DueQuerySerializer(serializers.Serializer):
    received = serializers.CharField(
        max_length=40,
        help_text="Ngày giờ tiếp nhận, ISO 8601; không ghi múi giờ thì là giờ Việt Nam (+07:00).",
    )
    days = serializers.CharField(
        max_length=10, help_text="Số ngày làm việc, bội số của 0,5 (0 = giải quyết trong ngày)."
    )

    def validate_received(self, value):
        try:
            return parse_instant(value)
        except InvalidInput as exc:
            raise serializers.ValidationError(str(exc.message)) from None

    def validate_days(self, value):
        try:
            return parse_days(value)
        except InvalidInput as exc:
            raise serializers.ValidationError(str(exc.message)) from None


class OfficeHoursOutSerializer(serializers.Serializer):
    morning = serializers.CharField()
    afternoon = serializers.CharField()
    same_day_cutoff = serializers.CharField()
    daily_hours = serializers.FloatField()


# "from" is a Python keyword, hence the class built with type().
CountedDayOutSerializer = type("CountedDayOutSerializer", (serializers.Serializer,), {
    "date": serializers.DateField(),
    "weekday": serializers.CharField(),
    "from": serializers.DateTimeField(),
    "to": serializers.DateTimeField(),
    "hours": serializers.FloatField(),
})


class DayOutSerializer(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.CharField()
    source = serializers.ChoiceField(choices=["weekday", "weekend", "holiday", "override"])
    reason = serializers.CharField()
    reference = serializers.CharField(allow_blank=True)


class ExplanationOutSerializer(serializers.Serializer):
    received = serializers.DateTimeField()
    days = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False)
    rule = serializers.ChoiceField(choices=["working_time", "same_day"])
    effective_start = serializers.DateTimeField()
    due = serializers.DateTimeField()
    after_cutoff = serializers.BooleanField()
    working_hours = serializers.FloatField()
    office_hours = OfficeHoursOutSerializer()
    counted_days = CountedDayOutSerializer(many=True)
    skipped_days = DayOutSerializer(many=True)
    calendar_source = serializers.ChoiceField(choices=["database", "shipped"])


class DueOutSerializer(serializers.Serializer):
    due = serializers.DateTimeField()
    explanation = ExplanationOutSerializer()


class DaysOffOutSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    days_off = DayOutSerializer(many=True)
    working_days = DayOutSerializer(many=True)


class DaysOffQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=MIN_YEAR, max_value=MAX_YEAR, help_text="Năm, ví dụ 2026.",
        error_messages={
            "invalid": "Năm phải là một số nguyên, ví dụ 2026.",
            "required": "Thiếu tham số year.",
            "min_value": f"Năm phải từ {MIN_YEAR} đến {MAX_YEAR}.",
            "max_value": f"Năm phải từ {MIN_YEAR} đến {MAX_YEAR}.",
            "max_string_length": "Năm không hợp lệ.",
        },
    )


def _day(status) -> dict:
    data = status.as_dict()
    data.pop("working")
    return data


class DueView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="public_calendar_due",
        summary="Tính ngày giờ hẹn trả kết quả",
        description=(
            "Hạn trả của một thủ tục có thời hạn `days` ngày làm việc, tiếp nhận lúc `received`, "
            "theo lịch làm việc của tỉnh (ngày nghỉ lễ, Tết, ngày làm bù, giờ hành chính), "
            "kèm giải thích: các ngày được tính và các ngày nghỉ bỏ qua."
        ),
        parameters=[DueQuerySerializer],
        responses={200: DueOutSerializer},
        examples=[
            OpenApiExample(
                "Tết Ất Tỵ 2025",
                value={"due": "2025-02-07T09:00:00+07:00", "explanation": {"rule": "working_time"}},
                response_only=True,
            )
        ],
        tags=["public"],
    )
    def get(self, request):
        query = DueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        explanation = explain_due(
            query.validated_data["received"], query.validated_data["days"], calendar=get_calendar()
        )
        return Response({"due": explanation.due.isoformat(), "explanation": explanation.as_dict()})


class DaysOffView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="public_calendar_days_off",
        summary="Ngày nghỉ và ngày làm bù trong năm",
        description=(
            "Các ngày nghỉ (lễ, Tết, nghỉ bù, ngày nghỉ theo văn bản; không liệt kê thứ Bảy, "
            "Chủ Nhật thông thường) và các ngày làm việc theo văn bản (làm bù) của năm `year`."
        ),
        parameters=[DaysOffQuerySerializer],
        responses={200: DaysOffOutSerializer},
        tags=["public"],
    )
    def get(self, request):
        query = DaysOffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        overview = year_overview(query.validated_data["year"])
        return Response({
            "year": overview["year"],
            "days_off": [_day(d) for d in overview["days_off"]],
            "working_days": [_day(d) for d in overview["working_days"]],
        })
