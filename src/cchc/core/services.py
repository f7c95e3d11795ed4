"""Writes of the core app (one transaction each)."""

from django.db import transaction
from django.utils import timezone

from .models import PersonalDataSearch


@transaction.atomic
def record_personal_search(user, *, source: str, params: dict, result_count: int,
                           at=None) -> PersonalDataSearch:
    """Record that ``user`` searched for people (by name or identifier) at ``source``."""
    return PersonalDataSearch.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        at=at or timezone.now(), source=source[:40],
        params={k: str(v)[:200] for k, v in params.items() if v not in (None, "")},
        result_count=result_count)
