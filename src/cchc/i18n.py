"""Translated labels that are asked for on every request, looked up once per language.

``str()`` of a lazy translation searches the language's catalogs each time; an intake's
answer and its due explanation cast about twenty of them: the status, channel,
role and timeliness labels, the available actions, the weekday names (bench/README.md,
intake)."""

from django.utils.translation import get_language

_translated: dict[tuple[str | None, int], tuple[object, str]] = {}


def translated(message) -> str:
    """``str(message)`` in the active language, memoised, for a lazy translation that lives
    as long as the process: an enum member's label, a module's constant. (The entry keeps
    ``message`` alive, so its ``id`` cannot be reused by another object.)"""
    key = (get_language(), id(message))
    entry = _translated.get(key)
    if entry is None or entry[0] is not message:
        entry = _translated[key] = (message, str(message))
    return entry[1]
