"""The audited search of the registers."""

from __future__ import annotations

import dataclasses

from cchc.core.services import record_personal_search

from .. import selectors
from ..models import RegisterEntry


@dataclasses.dataclass
class SearchResult:
    """The ids of the matching entries, newest first (at most ``selectors.MAX_RESULTS``):
    one query finds and orders them, pages are then loaded by primary key."""

    criteria: selectors.Criteria
    ids: list[int]
    count: int
    truncated: bool
    # Units whose ID numbers the user may see unmasked (read with the scope, one query).
    officer_ids: set[int] = dataclasses.field(default_factory=set)

    def load(self, ids) -> list[RegisterEntry]:
        return selectors.entries_by_ids(ids)

    @property
    def entries(self) -> list[RegisterEntry]:
        return self.load(self.ids)


def search_register(user, params, *, source: str = "page") -> SearchResult:
    """Search the registers the user may see, and record the search in core's record of
    searches of people (``core.services.record_personal_search``, source ``civil.<source>``,
    its own transaction).

    The matches are read unordered up to ``MAX_RESULTS`` + 1 and sorted newest first here:
    the database stops after that many rows instead of sorting every match of a common name.
    When there are more (``truncated``), the page asks to narrow the search, and the rows
    shown are the first found rather than the newest."""
    criteria = params if isinstance(params, selectors.Criteria) else selectors.parse_criteria(params)
    unit_ids, officer_ids = selectors.search_units(user)
    rows = list(selectors.search_entries(user, criteria, unit_ids=unit_ids).order_by()
                .values_list("pk", "registered_at")[: selectors.MAX_RESULTS + 1])
    truncated = len(rows) > selectors.MAX_RESULTS
    rows.sort(key=lambda row: (row[1], row[0]), reverse=True)
    ids = [pk for pk, _at in rows[: selectors.MAX_RESULTS]]
    record_personal_search(user, source=f"civil.{source}", params=criteria.as_params(),
                           result_count=len(ids), truncated=truncated)
    return SearchResult(criteria, ids, len(ids), truncated, officer_ids)
