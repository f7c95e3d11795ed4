"""The moves of an inspection as data: from which statuses, to which status, and who.

planned -> in_progress (start) -> finalised (finalise: evidence frozen) -> adopted (adopt, at
the results conference). A finalised inspection that is not yet adopted can be reopened by
the team leader with a written reason (finalised -> in_progress): the frozen evidence is kept
as an earlier snapshot and finalising again freezes a new one. Nothing leaves ``adopted``.

The services look an action up here before anything else and write one history row
(``InspectionStatusChange``) per move; the pages show only the actions the table allows.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import InspectionStatus

S = InspectionStatus


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: str
    # Only the team leader of the plan (trưởng đoàn) may take this step.
    leader_only: bool = False
    # Shown when the inspection is in a status the step cannot start from (not adopted).
    refusal: str = ""


TRANSITIONS = {
    t.action: t
    for t in [
        Transition("start", _("Bắt đầu kiểm tra"), frozenset({S.PLANNED}), S.IN_PROGRESS,
                   refusal=_("Chỉ bắt đầu được cuộc kiểm tra đang ở trạng thái kế hoạch.")),
        Transition("finalise", _("Hoàn thành và chốt minh chứng"), frozenset({S.IN_PROGRESS}),
                   S.FINALISED, refusal=_("Chỉ hoàn thành được cuộc kiểm tra đang thực hiện.")),
        Transition("reopen", _("Mở lại kết quả kiểm tra"), frozenset({S.FINALISED}),
                   S.IN_PROGRESS, leader_only=True,
                   refusal=_("Chỉ mở lại được cuộc kiểm tra đã hoàn thành và chưa được thông "
                             "qua.")),
        Transition("adopt", _("Thông qua tại hội nghị"), frozenset({S.FINALISED}), S.ADOPTED),
    ]
}


def allowed(action: str, status: str) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and status in transition.sources
