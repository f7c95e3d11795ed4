"""Display helpers of the one-stop pages: instants as "hh:mm dd/mm/yyyy", status and
timeliness badges, and links to the documents (forms 01-07) when they are installed."""

import datetime

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from cchc.onestop.models import Channel, Rating, Status, Timeliness
from cchc.org.models import Role

register = template.Library()

INSTANT = "H:i d/m/Y"
DAY = "d/m/Y"

TIMELINESS_TONES = {
    Timeliness.EARLY: "ok",
    Timeliness.ON_TIME: "ok",
    Timeliness.WITHIN: "ok",
    Timeliness.DUE_SOON: "warn",
    Timeliness.PAUSED: "info",
    Timeliness.LATE: "bad",
    Timeliness.OVERDUE: "bad",
}
STATUS_TONES = {
    Status.NEW: "info",
    Status.RECEIVED: "info",
    Status.PROCESSING: "info",
    Status.SUPPLEMENT: "warn",
    Status.FINANCIAL: "warn",
    Status.NOT_RECEIVED: "bad",
    Status.WITHDRAWN: "",
    Status.STOPPED: "bad",
    Status.PROCESSED: "ok",
    Status.RETURNED: "ok",
}


def _as_datetime(value):
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, datetime.datetime) else None


@register.filter
def instant(value):
    """An aware datetime (or its ISO text) as local "hh:mm dd/mm/yyyy"."""
    value = _as_datetime(value)
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, INSTANT)


@register.filter
def day(value):
    """A date (or its ISO text) as "dd/mm/yyyy"."""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if not isinstance(value, datetime.date):
        return ""
    return dateformat.format(value, DAY)


@register.filter
def hours(value):
    """Seconds or hours as "x giờ y phút"."""
    if value in (None, ""):
        return ""
    minutes = round(float(value) * 60)
    h, m = divmod(minutes, 60)
    if m:
        return _("%(h)s giờ %(m)02d phút") % {"h": h, "m": m}
    return _("%(h)s giờ") % {"h": h}


@register.filter
def seconds_as_hours(value):
    return hours((value or 0) / 3600)


def _badge(tone, label):
    return format_html('<span class="badge{}">{}</span>', f" badge--{tone}" if tone else "", label)


@register.simple_tag
def timeliness_badge(value):
    if not value:
        return ""
    try:
        label = Timeliness(value).label
    except ValueError:
        return ""
    return _badge(TIMELINESS_TONES.get(value, ""), label)


@register.simple_tag
def status_badge(value):
    try:
        status = Status(int(value))
    except (TypeError, ValueError):
        return ""
    return _badge(STATUS_TONES.get(status, ""), status.label)


def reverse_or_empty(name, *candidates):
    """The URL of ``name`` for the first argument set that resolves; "" when the view is
    not installed (yet), so a page never links to nothing."""
    for args in candidates:
        try:
            if isinstance(args, dict):
                return reverse(name, kwargs=args)
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return ""


def form_url(code, number):
    return reverse_or_empty("onestop:form", {"code": code, "number": number}, (code, number))


def register_url(agency_code, fmt):
    return reverse_or_empty("onestop:register", {"agency_code": agency_code, "fmt": fmt},
                            (agency_code, fmt))


register.simple_tag(form_url, name="form_url")
register.simple_tag(register_url, name="register_url")


@register.filter
def vnd(value):
    """Whole đồng with dots between thousands: 1500000 -> "1.500.000 đ"."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    return f"{amount:,}".replace(",", ".") + " đ"


@register.filter
def rating_label(value):
    try:
        return Rating.Level(value).label
    except ValueError:
        return value


@register.filter
def role_label(value):
    try:
        return Role(value).label
    except ValueError:
        return value


@register.filter
def channel_label(value):
    try:
        return Channel(int(value)).label
    except (TypeError, ValueError):
        return ""
