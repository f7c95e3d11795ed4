"""Demo simplification proposals (``cchc demo``), after the catalog, accounts and dossiers:
the demo commune's leader proposes cutting a procedure's processing time (approved by the
province's Home Affairs administrator: it appears in the list for the next announcement
decision) and dropping a dossier component (submitted, waiting). Idempotent.
"""

from django.utils import timezone

from cchc.catalog.models import DossierComponent, ProcedureLevel
from cchc.catalog.selectors import procedures_in_force
from cchc.org.models import Membership, Role, User

from . import services
from .models import SimplificationProposal

MARK = "[Mẫu] "


def _say(stdout, text):
    if stdout:
        stdout.write(text)


def load(stdout=None):
    if SimplificationProposal.objects.filter(justification__startswith=MARK).exists():
        return
    leader = User.objects.filter(username="lanhdao.xa").first()
    home_affairs = User.objects.filter(username="noivu.tinh").first()
    membership = Membership.objects.filter(user=leader, role=Role.LEADER).select_related("unit").first()
    if leader is None or home_affairs is None or membership is None:
        _say(stdout, "Bỏ qua đề xuất đơn giản hóa mẫu: chưa có tài khoản mẫu.")
        return
    today = timezone.localdate()
    versions = list(procedures_in_force(today).filter(level=ProcedureLevel.COMMUNE)
                    .select_related("procedure").prefetch_related("methods").order_by("procedure__code"))
    timed = next((v for v in versions if any(m.channel == "direct" and m.days >= 2 for m in v.methods.all())),
                 None)
    component = (DossierComponent.objects.filter(version__in=versions).select_related("version__procedure")
                 .order_by("version__procedure__code", "position").first())
    unit = membership.unit
    if timed is not None:
        days = next(m.days for m in timed.methods.all() if m.channel == "direct")
        proposal = services.create_proposal(
            actor=leader, procedure=timed.procedure, unit=unit, kind="cut_time", proposed_days=days - 1,
            justification=MARK + "Số liệu năm qua: phần lớn hồ sơ được giải quyết xong trong một nửa "
                                 "thời hạn; đề nghị rút ngắn thời hạn một ngày làm việc.")
        services.submit_proposal(proposal, actor=leader, note="Kính trình Sở Nội vụ xem xét.")
        services.approve_proposal(proposal, actor=home_affairs,
                                  note="Đồng ý, tổng hợp vào dự thảo quyết định công bố kỳ tới.")
    if component is not None:
        proposal = services.create_proposal(
            actor=leader, procedure=component.version.procedure, unit=unit, kind="cut_component",
            component=component,
            justification=MARK + "Thông tin đã có trong Cơ sở dữ liệu quốc gia về dân cư, khai thác "
                                 "được khi tiếp nhận; không yêu cầu công dân nộp.")
        services.submit_proposal(proposal, actor=leader)
    _say(stdout, "Đã tạo đề xuất đơn giản hóa thủ tục mẫu.")
