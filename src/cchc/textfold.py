"""Vietnamese text folding for search: diacritics and case do not matter, and "d" matches "đ".

``fold("Đăng ký KHAI SINH") == "dang ky khai sinh"``. Stored next to the text it folds
(a ``*_folded`` column) so a search is a plain indexed ``LIKE`` on any database.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().casefold()
