"""The posting-activity page for Home Affairs (/hoat-dong-dang-tin/), scoped to the units the
user may see."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core.permissions import has_role, memberships, visible_units
from cchc.errors import DomainError
from cchc.org.models import Level, Role
from cchc.org.selectors import parse_unit_key

from . import selectors, services
from .forms import PostingPolicyForm
from .models import PostingPolicy

ACTIVITY_ROLES = (Role.HOME_AFFAIRS_ADMIN, Role.INSPECTOR, Role.LEADER, Role.SYSTEM_ADMIN)


def can_see_activity(user) -> bool:
    return has_role(user, *ACTIVITY_ROLES)


def can_set_policy(user) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN) or any(
        m.role == Role.HOME_AFFAIRS_ADMIN and m.unit.level == Level.PROVINCE
        for m in memberships(user))


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = (today.replace(day=1) - datetime.timedelta(days=320)).replace(day=1)
    return start, today


def activity_report(user, params):
    """(report, errors) for the query ``from``/``to``/``unit`` within what ``user`` may see."""
    today = timezone.localdate()
    date_from, date_to = default_period(today)
    if params.get("from"):
        date_from = selectors.parse_month(params["from"], param="from")
    if params.get("to"):
        date_to = selectors.parse_month(params["to"], param="to")
    selectors.check_period(date_from, date_to)
    units = visible_units(user)
    if params.get("unit"):
        era, code = parse_unit_key(params["unit"])
        units = units.filter(era=era, code=code)
        if not units.exists():
            from cchc.errors import OutsideJurisdiction

            raise OutsideJurisdiction(_("Không tìm thấy đơn vị %(key)s trong phạm vi của bạn.")
                                      % {"key": f"{era}:{code}"})
    else:
        units = selectors.portal_units(units)
    return selectors.posting_activity(units, date_from, date_to, today=today)


@login_required
def activity(request):
    if not can_see_activity(request.user):
        raise PermissionDenied
    report, error = None, None
    try:
        report = activity_report(request.user, request.GET)
    except DomainError as exc:
        error = exc.message
    return render(request, "news/activity.html", {
        "title": _("Hoạt động đăng tin cải cách hành chính"),
        "report": report, "error": error, "params": request.GET,
        "policy": PostingPolicy.current(),
        "policy_form": PostingPolicyForm(initial={
            "max_days_without_article": PostingPolicy.current().max_days_without_article,
            "min_articles_per_month": PostingPolicy.current().min_articles_per_month,
        }) if can_set_policy(request.user) else None,
        "unit_choices": selectors.portal_units(visible_units(request.user)),
    })


@login_required
@require_POST
def set_policy(request):
    form = PostingPolicyForm(request.POST)
    if not can_set_policy(request.user):
        raise PermissionDenied
    if form.is_valid():
        try:
            services.set_posting_policy(request.user, **form.cleaned_data)
            messages.success(request, _("Đã lưu ngưỡng đăng tin của tỉnh."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Ngưỡng không hợp lệ: %(errors)s") % {
            "errors": "; ".join(e for errs in form.errors.values() for e in errs)})
    return redirect("news:activity")
