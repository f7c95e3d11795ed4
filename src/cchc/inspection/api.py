"""REST API of inspections, under /api/v1/inspection/ (token or session).

Plans, inspections with their evidence (per item, frozen once finalised), findings and
recommendations; actions start / collect / finalise / score; follow-up: report, verify,
reopen. Scoping as on the pages: another unit's record is 404; a locked (adopted) inspection
answers 409.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.errors import InvalidInput, NotFound

from . import selectors, services
from .models import (
    CriterionItem,
    EvidenceSnapshot,
    Finding,
    FindingKind,
    Inspection,
    InspectionPlan,
    ItemResult,
    Recommendation,
    RemediationReport,
    TeamMember,
)

TAG = gettext_lazy("Kiểm tra CCHC")


class TeamMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = TeamMember
        fields = ["name", "position", "role"]


class PlanSerializer(serializers.ModelSerializer):
    team = TeamMemberSerializer(many=True, read_only=True)
    inspections = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = InspectionPlan
        fields = ["id", "year", "title", "decision_number", "decision_date", "issuer", "team",
                  "inspections"]


class ItemResultSerializer(serializers.ModelSerializer):
    item_id = serializers.IntegerField(source="item.pk")
    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")
    max_points = serializers.DecimalField(source="item.max_points", max_digits=5,
                                          decimal_places=2)
    evidence_kind = serializers.CharField(source="item.evidence_kind")

    class Meta:
        model = ItemResult
        fields = ["item_id", "code", "name", "max_points", "evidence_kind", "evidence",
                  "suggested_score", "score", "override_reason", "frozen", "collected_at"]


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "kind", "item", "text"]


class RemediationSerializer(serializers.ModelSerializer):
    class Meta:
        model = RemediationReport
        fields = ["id", "status_after", "text", "at"]


class RecommendationSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()
    responsible_unit = serializers.CharField(source="responsible_unit.name", read_only=True)
    reports = RemediationSerializer(many=True, read_only=True)

    class Meta:
        model = Recommendation
        fields = ["id", "inspection", "item", "text", "responsible_unit", "deadline", "status",
                  "overdue", "reports"]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class InspectionSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name")
    unit_code = serializers.CharField(source="unit.code")
    total_score = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "plan", "unit", "unit_code", "period_start", "period_end", "status",
                  "frozen_at", "adopted_at", "total_score"]


class SnapshotSerializer(serializers.ModelSerializer):
    """Evidence and scores frozen at an earlier finalisation, kept when it was reopened."""

    class Meta:
        model = EvidenceSnapshot
        fields = ["number", "frozen_at", "evidence_as_of", "reopened_at", "reason", "total",
                  "results"]


class InspectionDetailSerializer(InspectionSerializer):
    results = ItemResultSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)
    recommendations = RecommendationSerializer(many=True, read_only=True)
    snapshots = SnapshotSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "results", "findings", "recommendations",
                  "snapshots"]


@extend_schema(tags=[TAG])
class PlanList(generics.ListAPIView):
    serializer_class = PlanSerializer

    def get_queryset(self):
        return selectors.visible_plans(self.request.user).prefetch_related("team", "inspections")


@extend_schema(tags=[TAG])
class PlanDetail(generics.RetrieveAPIView):
    serializer_class = PlanSerializer

    def get_queryset(self):
        return selectors.visible_plans(self.request.user)


@extend_schema(tags=[TAG])
class InspectionList(generics.ListAPIView):
    serializer_class = InspectionSerializer

    def get_queryset(self):
        return selectors.visible_inspections(self.request.user).prefetch_related("results")


@extend_schema(tags=[TAG])
class InspectionDetail(generics.RetrieveAPIView):
    serializer_class = InspectionDetailSerializer

    def get_queryset(self):
        return selectors.visible_inspections(self.request.user).prefetch_related(
            "results__item", "findings", "recommendations__reports", "snapshots")


@extend_schema(tags=[TAG])
class EvidenceList(generics.ListAPIView):
    serializer_class = ItemResultSerializer
    pagination_class = None

    def get_queryset(self):
        inspection = selectors.get_inspection(self.request.user, self.kwargs["pk"])
        return inspection.results.select_related("item")


ActionInput = inline_serializer("InspectionActionInput", {
    "item": serializers.IntegerField(required=False),
    "score": serializers.DecimalField(max_digits=5, decimal_places=2, required=False,
                                      allow_null=True),
    "kind": serializers.ChoiceField(choices=FindingKind.choices, required=False),
    "text": serializers.CharField(required=False),
    "deadline": serializers.DateField(required=False),
    "reason": serializers.CharField(required=False, allow_blank=True),
})


@extend_schema(tags=[TAG], request=ActionInput, responses=InspectionDetailSerializer)
class InspectionAction(APIView):
    """Actions: start, collect, finalise, reopen (team leader, with a reason; not once
    adopted), score, finding, recommendation."""

    def post(self, request, pk, action):
        inspection = selectors.get_inspection(request.user, pk)
        data = request.data
        user = request.user

        def item():
            value = data.get("item")
            if not value:
                return None
            found = CriterionItem.objects.filter(
                pk=value, area__criteria_set=inspection.plan.criteria_set).first()
            if found is None:
                raise InvalidInput(fields={"item": ["?"]})
            return found

        def deadline():
            field = serializers.DateField()
            try:
                return field.to_internal_value(data.get("deadline"))
            except serializers.ValidationError:
                raise InvalidInput(fields={"deadline": ["YYYY-MM-DD"]}) from None

        if action == "start":
            services.start_inspection(inspection, actor=user)
        elif action == "collect":
            services.collect_inspection_evidence(inspection, actor=user)
        elif action == "finalise":
            services.finalise_inspection(inspection, actor=user)
        elif action == "reopen":
            services.reopen_inspection(inspection, actor=user, reason=data.get("reason", ""))
        elif action == "score":
            chosen = item()
            if chosen is None:
                raise InvalidInput(fields={"item": ["required"]})
            services.score_item(inspection, chosen, actor=user, score=data.get("score"),
                                reason=data.get("reason", ""))
        elif action == "finding":
            services.add_finding(inspection, actor=user, kind=data.get("kind", ""),
                                 text=data.get("text", ""), item=item())
        elif action == "recommendation":
            services.add_recommendation(inspection, actor=user, text=data.get("text", ""),
                                        deadline=deadline(), item=item())
        else:
            raise NotFound()
        inspection = get_object_or_404(Inspection, pk=inspection.pk)
        return Response(InspectionDetailSerializer(inspection).data)


@extend_schema(tags=[TAG])
class RecommendationList(generics.ListAPIView):
    serializer_class = RecommendationSerializer

    def get_queryset(self):
        return selectors.visible_recommendations(self.request.user).prefetch_related("reports")


@extend_schema(tags=[TAG])
class RecommendationDetail(generics.RetrieveAPIView):
    serializer_class = RecommendationSerializer

    def get_queryset(self):
        return selectors.visible_recommendations(self.request.user)


FollowUpInput = inline_serializer("FollowUpInput", {"text": serializers.CharField()})


@extend_schema(tags=[TAG], request=FollowUpInput, responses=RecommendationSerializer)
class RecommendationAction(APIView):
    """Actions: report (the responsible unit), verify, reopen (Home Affairs)."""

    def post(self, request, pk, action):
        rec = selectors.get_recommendation(request.user, pk)
        text = request.data.get("text", "")
        if action == "report":
            services.report_remediation(rec, actor=request.user, text=text)
        elif action == "verify":
            services.verify_remediation(rec, actor=request.user, text=text)
        elif action == "reopen":
            services.reopen_recommendation(rec, actor=request.user, text=text)
        else:
            raise NotFound()
        rec.refresh_from_db()
        return Response(RecommendationSerializer(rec).data)
