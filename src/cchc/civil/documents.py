"""Civil-status documents as PDF (A4), from the book: the certificate issued at registration
(Giấy khai sinh, Giấy chứng nhận kết hôn; for a death the original Trích lục khai tử, Luật Hộ
tịch Art. 62) and the extract copies (Trích lục ... bản sao, procedure 2.000635, Art. 63-64).

Layout of Nghị định 30/2020/NĐ-CP: the issuing People's Committee and the national motto on
top, "Số: <number>, Quyển số: <volume>" and the place/date line, the title in bold capitals,
Times New Roman (Liberation Serif is metric-compatible) 13-14 pt.

Choices where the forms are silent:
- An extract shows the entry as it reads now (marginal notes applied) and lists every note
  under "Ghi chú", so that nobody reads a corrected fact without knowing it was corrected.
- A copy is issued by the unit that keeps the book today (the successor of an abolished unit);
  the place of registration is the original unit, named as it was.
- Dates of birth are also written in words, as on the paper certificate.
- The documents are Vietnamese legal documents: their wording is not translated (the pages
  around them are).
"""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils import timezone, translation

from cchc.org.models import AdministrativeUnit

from . import selectors
from .models import EventType, ExtractCopy, RegisterEntry

CERTIFICATE, EXTRACT = "certificate", "extract"
TITLES = {
    (CERTIFICATE, EventType.BIRTH): "GIẤY KHAI SINH",
    (CERTIFICATE, EventType.MARRIAGE): "GIẤY CHỨNG NHẬN KẾT HÔN",
    (CERTIFICATE, EventType.DEATH): "TRÍCH LỤC KHAI TỬ",
    (EXTRACT, EventType.BIRTH): "TRÍCH LỤC KHAI SINH",
    (EXTRACT, EventType.MARRIAGE): "TRÍCH LỤC KẾT HÔN",
    (EXTRACT, EventType.DEATH): "TRÍCH LỤC KHAI TỬ",
}
FILE_NAMES = {
    (CERTIFICATE, EventType.BIRTH): "giay-khai-sinh",
    (CERTIFICATE, EventType.MARRIAGE): "giay-chung-nhan-ket-hon",
    (CERTIFICATE, EventType.DEATH): "trich-luc-khai-tu",
    (EXTRACT, EventType.BIRTH): "trich-luc-khai-sinh",
    (EXTRACT, EventType.MARRIAGE): "trich-luc-ket-hon",
    (EXTRACT, EventType.DEATH): "trich-luc-khai-tu",
}
_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Thị trấn ", "Đặc khu ", "Huyện ",
             "Quận ", "Thị xã ")

_UNITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_MONTHS = ["", "một", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười",
           "mười một", "mười hai"]


def _tens(n: int, *, after_hundreds: bool = False) -> str:
    """0-99 in words ("hai mươi mốt", "mười lăm"; "linh năm" after a hundreds digit)."""
    tens, unit = divmod(n, 10)
    if tens == 0:
        if unit == 0:
            return ""
        return f"linh {_UNITS[unit]}" if after_hundreds else _UNITS[unit]
    head = "mười" if tens == 1 else f"{_UNITS[tens]} mươi"
    if unit == 0:
        return head
    if unit == 1 and tens > 1:
        tail = "mốt"
    elif unit == 4 and tens > 1:
        tail = "tư"
    elif unit == 5:
        tail = "lăm"
    else:
        tail = _UNITS[unit]
    return f"{head} {tail}"


def number_words(n: int) -> str:
    """0-9999 in Vietnamese words: 2026 -> "hai nghìn không trăm hai mươi sáu"."""
    if n == 0:
        return "không"
    thousands, rest = divmod(n, 1000)
    hundreds, tail = divmod(rest, 100)
    parts = []
    if thousands:
        parts.append(f"{_UNITS[thousands]} nghìn")
    if thousands or hundreds:
        if hundreds or tail:
            parts.append(f"{_UNITS[hundreds]} trăm")
    words = _tens(tail, after_hundreds=bool(thousands or hundreds))
    if words:
        parts.append(words)
    return " ".join(parts)


def date_in_words(day: datetime.date) -> str:
    """'Ngày mười, tháng tư, năm hai nghìn không trăm hai mươi sáu'."""
    return (f"Ngày {_tens(day.day)}, tháng {_MONTHS[day.month]}, "
            f"năm {number_words(day.year)}").capitalize()


def date_line_words(day: datetime.date) -> str:
    """'ngày 24 tháng 4 năm 2026' (ND 30/2020: a leading zero for days below 10 and months 1-2)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_of(unit: AdministrativeUnit) -> str:
    name = unit.name
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _issuer(entry: RegisterEntry, copy: ExtractCopy | None) -> AdministrativeUnit:
    if copy is not None:
        return copy.dossier.unit
    return entry.unit


def document_context(entry: RegisterEntry, kind: str, copy: ExtractCopy | None = None,
                     *, today: datetime.date | None = None) -> dict:
    notes = selectors.notes_of(entry)
    facts = selectors.current_facts(entry, notes)
    issuer = _issuer(entry, copy)
    registered_on = selectors.local_date(entry.registered_at)
    if kind == CERTIFICATE:
        issued_on = registered_on
    elif copy is not None:
        issued_on = selectors.local_date(copy.issued_at)
    else:
        issued_on = today or timezone.localdate()
    return {
        "entry": entry, "facts": facts, "notes": notes, "kind": kind, "copy": copy,
        "title": TITLES[(kind, entry.event_type)],
        "is_copy": kind == EXTRACT,
        "header": {"top": "ỦY BAN NHÂN DÂN", "agency": issuer.name.upper(),
                   "number": entry.number, "volume": entry.book.volume,
                   "date_line": f"{place_of(issuer)}, {date_line_words(issued_on)}"},
        "registrar": f"Ủy ban nhân dân {entry.unit.name}",
        "registrar_note": " (trước ngày 01/7/2025)" if entry.unit.era == "pre2025" else "",
        "registered_on": registered_on,
        "birth_words": date_in_words(facts["birth_date"]) if facts.get("birth_date") else "",
        "partner_birth_words": (date_in_words(facts["partner_birth_date"])
                                if facts.get("partner_birth_date") else ""),
        "death_words": date_in_words(facts["death_date"]) if facts.get("death_date") else "",
        "sex_label": {"M": "Nam", "F": "Nữ"}.get(facts.get("sex"), ""),
    }


@translation.override("vi")
def document_html(entry: RegisterEntry, kind: str, copy: ExtractCopy | None = None,
                  *, today: datetime.date | None = None) -> str:
    return render_to_string(f"civil/documents/{entry.event_type}.html",
                            document_context(entry, kind, copy, today=today))


def file_name(entry: RegisterEntry, kind: str) -> str:
    return f"{FILE_NAMES[(kind, entry.event_type)]}-{entry.book.volume.replace('/', '-')}-" \
           f"so-{entry.number}.pdf"


def _no_fetch(url, *args, **kwargs):
    """Everything shown is embedded: nothing is fetched while laying the document out."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"Refusing to fetch {url!r} while rendering a document.")


def render_pdf(entry: RegisterEntry, kind: str, copy: ExtractCopy | None = None,
               *, today: datetime.date | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=document_html(entry, kind, copy, today=today),
                url_fetcher=_no_fetch).write_pdf()
