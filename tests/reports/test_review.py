"""Procedure review from the real data, and the simplification proposals' workflow."""

from decimal import Decimal

import pytest

from cchc.catalog.models import DossierComponent
from cchc.errors import Forbidden, InvalidInput, InvalidTransition, OutsideJurisdiction
from cchc.onestop import services as onestop
from cchc.reports import services
from cchc.reports.models import ProposalStatus
from cchc.reports.selectors import Filters, Period
from cchc.reports.selectors.review import (
    approved_for_announcement,
    day_cost,
    match_component,
    procedure_overview,
    procedure_review,
    proposals,
)
from tests.reports.conftest import receive_at, walk
from tests.reports.oracle import local

pytestmark = pytest.mark.django_db
YEAR = Period.year(2026)


@pytest.fixture
def year(rw):
    """Certification (2 working days), 2026: ten dossiers; supplements naming components."""
    w, cert = rw.w, rw.certify
    asked = [["Giấy tờ tùy thân"], ["giay chung nhan quyen su dung dat", "Sổ hộ khẩu"],
             ["GIẤY TỜ TÙY THÂN (bản sao)"]]
    for i in range(10):
        d = receive_at(w.desk, f"2026-03-{i + 2:02d} 08:00", cert)
        if i < len(asked):
            onestop.request_supplement(d, actor=None, reason="Thiếu", documents=asked[i],
                                       at=local(f"2026-03-{i + 2:02d} 09:00"))
            onestop.receive_supplement(d, actor=None, at=local(f"2026-03-{i + 2:02d} 10:00"))
        # i < 5: the same morning (within a quarter of the legal time); else two days later.
        walk(d, f"2026-03-{i + 2:02d} 10:30" if i < 5 else f"2026-03-{i + 4:02d} 16:00")
    receive_at(w.desk, "2025-06-02 08:00", cert)
    return rw


def test_component_matching():
    components = [("giay to tuy than", "Giấy tờ tùy thân"), ("du thao hop dong, giao dich", "Dự thảo")]
    assert match_component("GIẤY TỜ TÙY THÂN", components) == "giay to tuy than"
    assert match_component("Giấy tờ tùy thân (bản sao)", components) == "giay to tuy than"
    assert match_component("Sổ hộ khẩu", components) is None
    assert match_component("", components) is None


def test_review_of_a_procedure(year):
    review = procedure_review(year.certify, 2026, Filters(period=YEAR))
    assert [v["received"] for v in review.volumes] == [0, 0, 0, 1, 10]
    assert review.received == 10 and review.resolved == 10
    assert review.legal_days == Decimal("2.0")
    timing = review.timing
    assert timing["count"] == 10
    assert sum(b["count"] for b in timing["distribution"]) == 10
    assert timing["within_half"] >= 5 and timing["within_half_rate"] >= 50
    components = {c["component"]: c for c in review.components}
    assert components["Giấy tờ tùy thân"]["requests"] == 2
    assert components["Giấy tờ tùy thân"]["dossiers"] == 2
    assert components["Giấy tờ tùy thân"]["rate"] == 20.0
    assert components["Giấy chứng nhận quyền sử dụng đất"]["requests"] == 1
    assert components["Dự thảo hợp đồng, giao dịch"]["requests"] == 0
    assert review.unmatched == [{"document": "Sổ hộ khẩu", "requests": 1}]
    overview = procedure_overview(Filters(period=YEAR))
    assert overview[0]["procedure"] == year.certify.code and overview[0]["supplemented"] == 3
    assert review.as_json()["supplement_triggers"][0]["component"] == "Giấy tờ tùy thân"


def test_proposal_workflow(year):
    w = year.w
    # The estimate uses the dossiers of the 365 days before the proposal (province-wide).
    proposal = services.create_proposal(
        actor=w.leader, procedure=year.certify, unit=w.commune, kind="cut_time", proposed_days="1",
        justification="90% hồ sơ giải quyết xong trong buổi sáng.", at=local("2026-06-01 09:00"))
    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.current_days == Decimal("2.0") and proposal.proposed_days == Decimal("1")
    assert proposal.yearly_volume == 11
    assert proposal.citizen_days_saved == Decimal("11.0")
    assert proposal.cost_saved == 11 * day_cost()
    with pytest.raises(InvalidTransition):
        services.approve_proposal(proposal, actor=year.home_affairs)
    services.submit_proposal(proposal, actor=w.leader, note="Kính trình")
    with pytest.raises(Forbidden):
        services.approve_proposal(proposal, actor=w.leader)
    with pytest.raises(InvalidInput):
        services.reject_proposal(proposal, actor=year.home_affairs)  # a reason is required
    services.approve_proposal(proposal, actor=year.home_affairs, note="Đồng ý")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED and proposal.decided_by == year.home_affairs
    assert [e.action for e in proposal.events.all()] == ["create", "submit", "approve"]
    assert list(approved_for_announcement()) == [proposal]

    component = DossierComponent.objects.get(version__procedure=year.certify, name="Giấy tờ tùy thân")
    second = services.create_proposal(
        actor=w.specialist, procedure=year.certify, unit=w.commune, kind="cut_component",
        component=component, justification="Khai thác từ Cơ sở dữ liệu quốc gia về dân cư.",
        citizen_days_saved="100", cost_saved=5_000_000)
    assert second.component_name == "Giấy tờ tùy thân" and second.proposed_days is None
    assert second.citizen_days_saved == Decimal("100.0") and second.cost_saved == 5_000_000
    services.submit_proposal(second, actor=w.specialist)
    services.reject_proposal(second, actor=year.home_affairs, note="Chưa kết nối được dữ liệu")
    assert proposals(status="rejected").get() == second
    assert list(proposals(user=year.other_leader)) == []
    assert set(proposals(user=year.home_affairs)) == {proposal, second}


def test_proposal_checks(year):
    w = year.w
    base = {"procedure": year.certify, "unit": w.commune, "justification": "Lý do"}
    with pytest.raises(InvalidInput) as excinfo:
        services.create_proposal(actor=w.leader, kind="cut_time", proposed_days="2", **base)
    assert "proposed_days" in excinfo.value.fields  # not shorter than 2 days
    with pytest.raises(InvalidInput) as excinfo:
        services.create_proposal(actor=w.leader, kind="cut_time", proposed_days="0.3", **base)
    assert "proposed_days" in excinfo.value.fields
    with pytest.raises(InvalidInput) as excinfo:
        services.create_proposal(actor=w.leader, kind="cut_component", **base)
    assert "component" in excinfo.value.fields
    with pytest.raises(InvalidInput) as excinfo:
        services.create_proposal(actor=w.leader, kind="cut_time", proposed_days="1",
                                 **{**base, "justification": " "})
    assert "justification" in excinfo.value.fields
    with pytest.raises(Forbidden):
        services.create_proposal(actor=w.desk_officer, kind="cut_time", proposed_days="1", **base)
    with pytest.raises(OutsideJurisdiction):
        services.create_proposal(actor=year.other_leader, kind="cut_time", proposed_days="1", **base)
