"""What goes into the hash-chained audit log besides logins and searches of people
(``signals.py``), and who is recorded as having done it.

Written in the transaction of the change itself (``services.append_audit`` joins the caller's
transaction), so a rolled-back change leaves no record and a committed one always has its
record:

- accounts (``org.User``): created, deleted, and changes of the user name, the flags
  (active, staff, superuser), the password (only *that* it changed) and the personal fields
  (only their names: the log is not a copy of personal data). A save that only touches
  ``last_login`` is not recorded (the login itself is).
- unit memberships and roles (``org.Membership``), groups (``auth.Group``) and the
  permissions and groups of a user or a group (the many-to-many tables), whether the admin,
  a service or a command changed them.
- the working calendar: overrides (``workcal.CalendarOverride``) and the office hours.
- personal-data exports (``record_personal_export``, called by the download views).

The apps above ``core`` (civil, inspection) call ``services.append_audit`` from their own
services, where the actor is known. ``org`` and ``workcal`` sit below ``core`` and cannot
import it, so their models are watched here through Django's model signals; the actor is the
user of the current request (``requestlog``), or the one set with ``acting_as`` (commands).
A save outside any transaction (a shell) is recorded too, just after the change.

Sealers: an app whose records are too many for the synchronous chain (the dossier events)
registers a *sealer* here: ``cchc audit-log seal`` calls each one to append a record that
covers the rows written since its previous seal, and ``cchc audit-log verify`` asks each one
to recompute what it sealed (``onestop.audit``).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.signals import request_finished
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from cchc.org.models import Membership, User
from cchc.workcal.models import CalendarOverride, OfficeHours

from . import requestlog
from .services import append_audit

_actor: contextvars.ContextVar[object | None] = contextvars.ContextVar("cchc_audit_actor",
                                                                        default=None)


@contextlib.contextmanager
def acting_as(user):
    """Record ``user`` as the actor of the watched changes made inside the block."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor():
    user = _actor.get()
    if user is not None:
        return user
    request = requestlog._request_var.get()  # noqa: SLF001 - the request of this thread
    if request is None or getattr(request, "_cchc_finished", False):
        return None  # a command, the task worker, or after the request (the var is kept)
    return getattr(request, "user", None)


@receiver(request_finished, dispatch_uid="audit_request_finished")
def _request_finished(sender, **kwargs):
    # requestlog keeps the last request in its context variable (for the log lines Django
    # writes after the response); its user must not become the actor of what follows.
    request = requestlog._request_var.get()  # noqa: SLF001
    if request is not None:
        request._cchc_finished = True


def record_personal_export(user, *, kind: str, obj=None, **data):
    """Record that ``user`` downloaded a file containing personal data (a register, an
    extract...). The views call it once the file is made, just before sending it."""
    return append_audit("personal_data.export", actor=user, obj=obj,
                        data={"kind": kind, **data})


# -- accounts, roles, permissions ---------------------------------------------------------------

ACCOUNT_FLAGS = ("username", "is_active", "is_staff", "is_superuser")
ACCOUNT_PERSONAL = ("full_name", "phone", "email", "first_name", "last_name")
ACCOUNT_FIELDS = (*ACCOUNT_FLAGS, *ACCOUNT_PERSONAL, "password")


def _before(sender, instance, fields, update_fields):
    """The stored values of ``fields`` before this save (None: a new row, or nothing of
    interest is being saved)."""
    if instance.pk is None or instance._state.adding:  # noqa: SLF001
        return None
    if update_fields is not None and not set(update_fields) & set(fields):
        return None
    return sender._default_manager.filter(pk=instance.pk).values(*fields).first()  # noqa: SLF001


@receiver(pre_save, sender=User, dispatch_uid="audit_user_before")
def _user_before(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._audit_before = None if raw else _before(sender, instance, ACCOUNT_FIELDS,
                                                      update_fields)


@receiver(post_save, sender=User, dispatch_uid="audit_user_saved")
def _user_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        append_audit("account.created", actor=current_actor(), obj=instance,
                     data={f: getattr(instance, f) for f in ACCOUNT_FLAGS})
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if before is None:
        return
    flags = {f: [before[f], getattr(instance, f)] for f in ACCOUNT_FLAGS
             if before[f] != getattr(instance, f)}
    personal = [f for f in ACCOUNT_PERSONAL if before[f] != getattr(instance, f)]
    password = before["password"] != instance.password
    if not (flags or personal or password):
        return
    data = {"username": instance.username, "changed": flags}
    if personal:
        data["personal_fields"] = personal
    if password:
        data["password_changed"] = True
    append_audit("account.changed", actor=current_actor(), obj=instance, data=data)


@receiver(post_delete, sender=User, dispatch_uid="audit_user_deleted")
def _user_deleted(sender, instance, **kwargs):
    append_audit("account.deleted", actor=current_actor(), obj=instance,
                 data={"username": instance.username})


MEMBERSHIP_FIELDS = ("user_id", "unit_id", "agency_id", "role")


def _membership(membership) -> dict:
    return {"user_id": membership.user_id, "unit_id": membership.unit_id,
            "agency_id": membership.agency_id, "role": membership.role}


@receiver(pre_save, sender=Membership, dispatch_uid="audit_membership_before")
def _membership_before(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._audit_before = None if raw else _before(sender, instance, MEMBERSHIP_FIELDS,
                                                      update_fields)


@receiver(post_save, sender=Membership, dispatch_uid="audit_membership_saved")
def _membership_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        append_audit("membership.added", actor=current_actor(), obj=instance,
                     data=_membership(instance))
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if before is None or before == _membership(instance):
        return
    append_audit("membership.changed", actor=current_actor(), obj=instance,
                 data={"before": before, "after": _membership(instance)})


@receiver(post_delete, sender=Membership, dispatch_uid="audit_membership_deleted")
def _membership_deleted(sender, instance, **kwargs):
    append_audit("membership.removed", actor=current_actor(), obj=instance,
                 data=_membership(instance))


@receiver(post_save, sender=Group, dispatch_uid="audit_group_saved")
def _group_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        append_audit("group.created" if created else "group.changed", actor=current_actor(),
                     obj=instance, data={"name": instance.name})


@receiver(post_delete, sender=Group, dispatch_uid="audit_group_deleted")
def _group_deleted(sender, instance, **kwargs):
    append_audit("group.deleted", actor=current_actor(), obj=instance,
                 data={"name": instance.name})


def _names(model, pks) -> list[str]:
    if model is Permission:
        rows = model.objects.filter(pk__in=pks).values_list("content_type__app_label", "codename")
        return sorted(f"{app}.{code}" for app, code in rows)
    if model is Group:
        return sorted(model.objects.filter(pk__in=pks).values_list("name", flat=True))
    return sorted(str(pk) for pk in pks)


def _m2m(action_name: str) -> Callable:
    def handler(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action == "pre_clear":
            fks = {f.related_model: f.attname for f in sender._meta.concrete_fields  # noqa: SLF001
                   if f.is_relation}
            instance._audit_cleared = set(sender.objects.filter(
                **{fks[type(instance)]: instance.pk}).values_list(fks[model], flat=True))
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if action == "post_clear":
            pk_set = getattr(instance, "_audit_cleared", None)
            instance._audit_cleared = None
        if not pk_set:
            return
        verb = "added" if action == "post_add" else "removed"
        append_audit(f"{action_name}.{verb}", actor=current_actor(), obj=instance,
                     data={model._meta.label_lower: _names(model, pk_set)})  # noqa: SLF001
    return handler


_user_groups = _m2m("account.groups")
_user_permissions = _m2m("account.permissions")
_group_permissions = _m2m("group.permissions")
m2m_changed.connect(_user_groups, sender=User.groups.through, dispatch_uid="audit_user_groups")
m2m_changed.connect(_user_permissions, sender=User.user_permissions.through,
                    dispatch_uid="audit_user_permissions")
m2m_changed.connect(_group_permissions, sender=Group.permissions.through,
                    dispatch_uid="audit_group_permissions")


# -- working calendar ---------------------------------------------------------------------------


@receiver(post_save, sender=CalendarOverride, dispatch_uid="audit_override_saved")
def _override_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        append_audit("calendar.override_set", actor=current_actor(), obj=instance,
                     data={"date": instance.date, "kind": instance.kind,
                           "reference": instance.reference, "note": instance.note,
                           "created": created})


@receiver(post_delete, sender=CalendarOverride, dispatch_uid="audit_override_deleted")
def _override_deleted(sender, instance, **kwargs):
    append_audit("calendar.override_removed", actor=current_actor(), obj=instance,
                 data={"date": instance.date, "kind": instance.kind,
                       "reference": instance.reference})


@receiver(post_save, sender=OfficeHours, dispatch_uid="audit_hours_saved")
def _hours_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        data = {f.name: getattr(instance, f.attname) for f in instance._meta.concrete_fields  # noqa: SLF001
                if not f.primary_key}
        append_audit("calendar.office_hours_changed", actor=current_actor(), obj=instance,
                     data=data)


# -- sealers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sealer:
    """``seal()`` appends one seal record (or returns None when there is nothing new) and is
    called until it returns None; ``verify()`` returns the problems found (texts)."""

    name: str
    seal: Callable
    verify: Callable


SEALERS: dict[str, Sealer] = {}


def register_sealer(name: str, *, seal: Callable, verify: Callable) -> None:
    SEALERS[name] = Sealer(name, seal, verify)
