"""Seals of the dossier events in the hash-chained audit log.

Every dossier action writes a ``DossierEvent`` (append-only). Putting each of them into the
audit chain would make every intake queue on the chain head's row lock, so the events are
*sealed* instead: ``seal_dossier_events`` (run by ``cchc audit-log seal`` from a timer, or
the task ``tasks.seal_dossier_events``) appends one chained audit record ``SEAL_ACTION``
that covers the events written since the previous seal — ``after_id`` < id <= ``last_id``,
their ``count`` and the SHA-256 ``digest`` of their canonical content (one JSON line per
event, in id order: id, dossier, action, instant in UTC, actor, statuses, note, data).
``verify_dossier_event_seals`` (run by ``cchc audit-log verify``) recomputes each seal, so an
event deleted, altered or slipped into a sealed range afterwards is reported with the seal
that covered it; the seal records themselves are protected by the chain.

Which events a seal may cover: ids come from a sequence, so on PostgreSQL an event with a
smaller id can commit after one with a larger id. Each run reads how far the sequence has
gone, then which transactions of this database are running (``pg_stat_activity``): an id
handed out before the first read is either committed, rolled back, or held by one of those.
With none running, the seal covers every id handed out. Otherwise the run records that
horizon in its seal (``next``: the id and the running transactions) and covers only up to
the horizon recorded by an earlier run whose transactions have all ended since: nothing can
still arrive in that range. (An insert takes its id and its transaction id within one
statement; the microseconds between the two are the only window, and the services always
write before an event (the intake its day's counter, the actions the dossier), so the
transaction id exists already.) SQLite has one writer at a time, so a seal there covers
everything committed. At most ``BATCH`` events per seal: the first run over a large history
makes many seals, one transaction each, without holding any lock the desks need (the chain
head is locked only to append the seal).

Deleting a user sets ``actor`` of their events to NULL, which a later verification reports
as an alteration: staff accounts are deactivated, not deleted (the deletion is in the audit
log as ``account.deleted``)."""

from __future__ import annotations

import hashlib
import json

from django.db import connection, transaction
from django.utils.translation import gettext as _

from cchc.core.auditlog import canonical_instant
from cchc.core.models import AuditRecord
from cchc.core.services import append_audit

from .models import DossierEvent

SEAL_ACTION = "onestop.events.seal"
FIELDS = ("id", "dossier_id", "action", "at", "actor_id", "status_before", "status_after",
          "note", "data")
BATCH = 100_000
_LOCK_KEY = 0x63636863_5345414C & 0x7FFFFFFFFFFFFFFF  # "cchc" "SEAL"


def canonical_event(row: tuple) -> bytes:
    values = dict(zip(FIELDS, row, strict=True))
    values["at"] = canonical_instant(values["at"])
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


def digest(after_id: int, last_id: int) -> tuple[int, str]:
    """(count, SHA-256) of the events with after_id < id <= last_id, as stored now."""
    h, count = hashlib.sha256(), 0
    rows = (DossierEvent.objects.filter(id__gt=after_id, id__lte=last_id).order_by("id")
            .values_list(*FIELDS))
    for row in rows.iterator(chunk_size=5000):
        h.update(canonical_event(row) + b"\n")
        count += 1
    return count, h.hexdigest()


def last_seal() -> AuditRecord | None:
    # Seals are recent: a backward walk of the seq index finds the last one at once.
    return AuditRecord.objects.filter(action=SEAL_ACTION).order_by("-seq").first()


def _horizon() -> tuple[int, set[str]]:
    """(every event id up to this one has been handed out, the transactions of this database
    that may still commit some of them). On SQLite: the highest committed id, and none."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT max(id) FROM onestop_dossierevent")
            return cursor.fetchone()[0] or 0, set()
        # First the sequence, then the running transactions: a transaction that took an id
        # before the first read and has not committed yet is running at the second.
        cursor.execute("SELECT pg_get_serial_sequence('onestop_dossierevent', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
        last_value, is_called = cursor.fetchone()
        return last_value if is_called else last_value - 1, _running(cursor)


def _running(cursor) -> set[str]:
    cursor.execute("SELECT backend_xid::text FROM pg_stat_activity WHERE datname = "
                   "current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")
    return {xid for (xid,) in cursor.fetchall()}


@transaction.atomic
def seal_dossier_events(*, batch: int = BATCH) -> AuditRecord | None:
    """Append one seal covering the events not yet sealed; None when there is nothing new
    that may be sealed yet (call again until it returns None)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # one sealer at a time; the desks never wait
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    previous = last_seal()
    after = previous.data["last_id"] if previous else 0
    pending = previous.data.get("next") if previous else None
    handed_out, running = _horizon()
    if not running:  # nothing in flight: every id handed out is final
        limit, following = handed_out, None
    elif pending and not set(pending["xids"]) & running:
        limit, following = pending["id"], {"id": handed_out, "xids": sorted(running)}
    else:  # wait until the transactions running at the pending horizon have ended
        limit, following = after, pending or {"id": handed_out, "xids": sorted(running)}
    if limit > after:
        capped = list(DossierEvent.objects.filter(id__gt=after, id__lte=limit).order_by("id")
                      .values_list("id", flat=True)[batch - 1:batch])
        if capped and capped[0] < limit:
            limit, following = capped[0], pending if running else None
    last_id = max(limit, after)
    count, hexdigest = digest(after, last_id)
    if count == 0 and (following or {}).get("id") == (pending or {}).get("id"):
        return None  # nothing new, and the horizon has not moved
    data = {"after_id": after, "last_id": last_id, "count": count, "digest": hexdigest}
    if following is not None:
        data["next"] = following
    return append_audit(SEAL_ACTION, data=data)


def verify_dossier_event_seals() -> list[str]:
    """Recompute every seal; the problems found, as sentences (empty: all intact)."""
    problems, previous_last = [], 0
    seals = AuditRecord.objects.filter(action=SEAL_ACTION).order_by("seq")
    for seal in seals.iterator(chunk_size=500):
        data = seal.data
        if data.get("after_id") != previous_last:
            problems.append(_("Dấu niêm phong số %(seq)s không nối tiếp dấu trước (sự kiện sau "
                              "số %(after)s, mong đợi %(expected)s).")
                            % {"seq": seal.seq, "after": data.get("after_id"),
                               "expected": previous_last})
        count, hexdigest = digest(data["after_id"], data["last_id"])
        if count != data["count"]:
            problems.append(_("Dấu niêm phong số %(seq)s (sự kiện hồ sơ số %(a)s đến %(b)s): "
                              "niêm phong %(sealed)d sự kiện, nay còn %(found)d — có sự kiện bị "
                              "xóa hoặc chèn thêm.")
                            % {"seq": seal.seq, "a": data["after_id"] + 1, "b": data["last_id"],
                               "sealed": data["count"], "found": count})
        elif hexdigest != data["digest"]:
            problems.append(_("Dấu niêm phong số %(seq)s (sự kiện hồ sơ số %(a)s đến %(b)s): "
                              "nội dung sự kiện đã bị sửa sau khi niêm phong.")
                            % {"seq": seal.seq, "a": data["after_id"] + 1,
                               "b": data["last_id"]})
        previous_last = data["last_id"]
    return problems
