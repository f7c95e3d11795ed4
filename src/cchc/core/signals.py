"""Logins, failed logins and logouts go into the hash-chained audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .services import append_audit


def _address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "")[:64] if request is not None else ""


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    append_audit("auth.login", actor=user, data={"address": _address(request)})


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        append_audit("auth.logout", actor=user, data={"address": _address(request)})


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    append_audit("auth.login_failed", data={"username": str(credentials.get("username", ""))[:150],
                                            "address": _address(request)})


def _connect_province_memo() -> None:
    """A saved or deleted administrative unit clears the layout's province memo."""
    from django.db.models.signals import post_delete, post_save

    from cchc.org.models import AdministrativeUnit

    from .context_processors import clear_province_memo

    post_save.connect(clear_province_memo, sender=AdministrativeUnit,
                      dispatch_uid="core.province_memo.save")
    post_delete.connect(clear_province_memo, sender=AdministrativeUnit,
                        dispatch_uid="core.province_memo.delete")


_connect_province_memo()
