"""Writes of the core app (one transaction each)."""

import json

from django.db import transaction
from django.utils import timezone

from .auditlog import chain_hash, record_payload
from .models import AuditChainHead, AuditRecord, PersonalDataSearch


@transaction.atomic
def record_personal_search(user, *, source: str, params: dict, result_count: int,
                           truncated: bool = False, at=None) -> PersonalDataSearch:
    """Record that ``user`` searched for people (by name or identifier) at ``source`` (e.g.
    ``onestop.queue``, ``civil.page``): the one place every search of people is written, with
    its line in the hash-chained audit log, in one transaction."""
    search = PersonalDataSearch(
        user=user if getattr(user, "is_authenticated", False) else None,
        at=at or timezone.now(), source=source[:40],
        params={k: str(v)[:200] for k, v in params.items() if v not in (None, "")},
        result_count=result_count, truncated=truncated)
    search.save(force_insert=True)
    append_audit("personal_data.search", actor=user, obj=search,
                 data={"source": search.source, "result_count": result_count}, at=search.at)
    return search


@transaction.atomic(savepoint=False)
def append_audit(action: str, *, actor=None, obj=None, data: dict | None = None,
                 at=None) -> AuditRecord:
    """Append one record to the hash-chained audit log, inside the caller's transaction (a
    rolled-back action leaves no record). Writers queue on the chain head's row lock.

    No savepoint of its own (two round trips fewer for every audited action): a failure here
    fails the caller's whole transaction, which is what an action whose record cannot be
    written must do anyway."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    user = actor if getattr(actor, "is_authenticated", False) else None
    record = AuditRecord(
        seq=head.seq + 1, at=at or timezone.now(), actor_id=user.pk if user else None,
        actor_name=(user.get_username() if user else "")[:150], action=action[:60],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=json.loads(json.dumps(data or {}, default=str)), prev_hash=head.hash)
    record.hash = chain_hash(record.prev_hash, record_payload(record))
    record.save(force_insert=True)
    head.seq, head.hash = record.seq, record.hash
    head.save(update_fields=["seq", "hash"])
    return record
