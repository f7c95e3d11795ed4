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
