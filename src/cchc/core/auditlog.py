"""The hash chain of the audit log (``core.models.AuditRecord``): how a record's hash is made
and how an exported or stored log is checked. Pure functions; the write is
``core.services.append_audit``.

hash = SHA-256 of the previous record's hash and the record's canonical JSON (sorted keys, no
whitespace, ISO 8601 instant in UTC). The first record chains to 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "data")


def canonical_instant(at: datetime | str) -> str:
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def record_payload(record) -> dict:
    """The fields that the hash covers, from a model instance or an exported dict."""
    get = record.get if isinstance(record, dict) else (lambda name: getattr(record, name))
    payload = {name: get(name) for name in FIELDS}
    payload["at"] = canonical_instant(payload["at"])
    return payload


def chain_hash(prev_hash: str, payload: dict) -> str:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def export_line(record) -> str:
    line = record_payload(record) | {"prev_hash": record.prev_hash, "hash": record.hash}
    return json.dumps(line, sort_keys=True, ensure_ascii=False)


@dataclass
class Verification:
    count: int
    first_seq: int | None
    last_seq: int | None
    last_hash: str
    problem: str = ""
    problem_seq: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problem


def verify(records, *, expected_prev: str | None = GENESIS) -> Verification:
    """Walk ``records`` (instances or exported dicts, in order). ``expected_prev`` is the hash
    the first record must chain to (None: trust the first record's own, for an excerpt)."""
    result = Verification(0, None, None, expected_prev or "")
    prev_hash, prev_seq = expected_prev, None
    for record in records:
        get = record.get if isinstance(record, dict) else (lambda name, r=record: getattr(r, name))
        seq, stored_prev, stored_hash = get("seq"), get("prev_hash"), get("hash")
        if prev_seq is not None and seq != prev_seq + 1:
            result.problem, result.problem_seq = "gap", seq
            return result
        if prev_seq is None and expected_prev == GENESIS and seq != 1:
            result.problem, result.problem_seq = "gap", seq
            return result
        if prev_hash is not None and stored_prev != prev_hash:
            result.problem, result.problem_seq = "broken_link", seq
            return result
        if chain_hash(stored_prev, record_payload(record)) != stored_hash:
            result.problem, result.problem_seq = "altered", seq
            return result
        prev_hash, prev_seq = stored_hash, seq
        result.count += 1
        result.first_seq = seq if result.first_seq is None else result.first_seq
        result.last_seq, result.last_hash = seq, stored_hash
    return result
