"""Every write of the civil-status registers: verb-named, one transaction each.

Two ways into the book, both through a one-stop dossier:
- At the desk (``register_at_desk`` and the birth/marriage/death shorthands): the rules are
  checked, the dossier is received (``onestop.services.receive_dossier``) and the submitted
  facts are stored with it as a ``CivilRequest``, in one transaction. When the dossier is
  processed (status 9) onestop sends ``dossier_processed`` after commit and
  ``complete_civil_request`` writes the entry in its own transaction: idempotent (one entry per
  dossier) and, if a rule fails by then (someone married in between), the failure is recorded
  on the request in Vietnamese instead of breaking the approval.
- Directly by the civil-status officer (``register_directly``): the dossier is received and
  processed (same-day procedures) and the entry written in ONE transaction, so a rule failure
  leaves neither dossier nor entry. The one-stop steps the officer's own roles do not cover
  (a specialist does not approve) run as the system (actor ``None``): the officer's right to
  register in the unit is checked here first, and is recorded on the entry and request.

Numbers: ``_allocate`` locks the open volume (``select_for_update``) and bumps its counter in
the transaction that stores the entry; a rollback gives the number back, so the book has no
gap. A closed book takes no entry (``InvalidTransition``, 409); neither does the book of a unit
abolished on 1/7/2025 for a date after 30/6/2025.

Choices where the rules are silent:
- The entry's date is the processing (approval) time; the 60/15-day deadlines are measured at
  the reception of the dossier (the declaration), the marriage ages at the entry's date.
- Late registrations use the same procedures as timely ones (the national catalog has no
  separate late-birth or late-death procedure): ``PROCEDURES`` maps base codes to event types,
  and the kind follows from the dates.
- A book may be closed on or after the last day of its year (Art. 58), on or after the end of
  its abolished unit, or earlier only as a full volume, after which the next entry opens volume
  02/<year> continuing the numbers. Pages: ``ENTRIES_PER_PAGE`` entries to a printed page,
  unless the officer gives the count of the paper copy.
- Registry conflicts name the other unit's book, volume and number: civil-status officers need
  that to verify the case, and only they register.
"""

from .books import close_book, import_entries
from .common import (
    COPY_PROCEDURE,
    DEFAULT_PROCEDURES,
    DESK_KINDS,
    ENTRIES_PER_PAGE,
    NOTE_PROCEDURES,
    PROCEDURES,
    check_officer,
    check_registering_unit,
    check_registry,
    default_applicant,
    desk_of,
)
from .notes import (
    issue_extract_copy,
    record_note_at_desk,
    record_note_directly,
    request_extract_copy_at_desk,
    validate_note,
)
from .registration import (
    complete_civil_request,
    register_at_desk,
    register_birth_at_desk,
    register_death_at_desk,
    register_directly,
    register_marriage_at_desk,
    retry_civil_request,
)
from .search import SearchResult, search_register

__all__ = [
    "COPY_PROCEDURE", "DEFAULT_PROCEDURES", "DESK_KINDS", "ENTRIES_PER_PAGE", "NOTE_PROCEDURES",
    "PROCEDURES", "SearchResult", "check_officer", "check_registering_unit", "check_registry",
    "close_book", "complete_civil_request", "default_applicant", "desk_of", "import_entries",
    "issue_extract_copy", "record_note_at_desk", "record_note_directly", "register_at_desk",
    "register_birth_at_desk", "register_death_at_desk", "register_directly",
    "register_marriage_at_desk", "request_extract_copy_at_desk", "retry_civil_request",
    "search_register", "validate_note",
]
