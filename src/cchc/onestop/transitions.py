"""Allowed actions as data: from which statuses, to which status, by which roles.

The services look an action up here before anything else; the API and pages show only
the actions this table allows for the dossier's status and the user's roles.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cchc.org.models import Role

from .models import Status

S = Status
DESK, SPECIALIST, LEADER = Role.DESK_OFFICER, Role.SPECIALIST, Role.LEADER
RECEIVED_OPEN = frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.FINANCIAL})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: Status | None  # None: the status does not change
    roles: frozenset
    # Only the holder of the current step (by role) may act, e.g. hand it on.
    holder_only: bool = False


TRANSITIONS = {
    t.action: t
    for t in [
        Transition("accept", _("Tiếp nhận"), frozenset({S.NEW}), S.RECEIVED, frozenset({DESK})),
        Transition("refuse", _("Từ chối tiếp nhận"), frozenset({S.NEW}), S.NOT_RECEIVED, frozenset({DESK})),
        Transition("transfer", _("Chuyển bước tiếp theo"), frozenset({S.RECEIVED, S.PROCESSING}),
                   S.PROCESSING, frozenset({DESK, SPECIALIST, LEADER}), holder_only=True),
        Transition("send_back", _("Trả lại bước trước"), frozenset({S.PROCESSING}), S.PROCESSING,
                   frozenset({SPECIALIST, LEADER}), holder_only=True),
        Transition("request_supplement", _("Yêu cầu bổ sung hồ sơ"),
                   frozenset({S.RECEIVED, S.PROCESSING}), S.SUPPLEMENT,
                   frozenset({DESK, SPECIALIST, LEADER}), holder_only=True),
        Transition("receive_supplement", _("Nhận hồ sơ bổ sung"), frozenset({S.SUPPLEMENT}),
                   S.PROCESSING, frozenset({DESK, SPECIALIST})),
        Transition("request_financial", _("Yêu cầu thực hiện nghĩa vụ tài chính"),
                   frozenset({S.PROCESSING}), S.FINANCIAL, frozenset({SPECIALIST, LEADER}),
                   holder_only=True),
        Transition("receive_financial", _("Xác nhận đã thực hiện nghĩa vụ tài chính"),
                   frozenset({S.FINANCIAL}), S.PROCESSING, frozenset({DESK, SPECIALIST})),
        Transition("approve", _("Phê duyệt, hoàn thành xử lý"), frozenset({S.PROCESSING}),
                   S.PROCESSED, frozenset({LEADER}), holder_only=True),
        Transition("stop", _("Dừng xử lý"), RECEIVED_OPEN, S.STOPPED, frozenset({SPECIALIST, LEADER})),
        Transition("withdraw", _("Công dân rút hồ sơ"), RECEIVED_OPEN | {S.NEW}, S.WITHDRAWN,
                   frozenset({DESK})),
        Transition("return_result", _("Trả kết quả"), frozenset({S.PROCESSED}), S.RETURNED,
                   frozenset({DESK})),
        Transition("apologize", _("Gửi văn bản xin lỗi, hẹn lại ngày trả"), RECEIVED_OPEN, None,
                   frozenset({DESK, SPECIALIST, LEADER})),
    ]
}


def allowed(action: str, status: int) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and status in transition.sources
