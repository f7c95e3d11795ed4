"""The rules of civil-status registration as pure functions of the submitted facts.

Nothing here touches the database: ``services`` adds the checks against the registry
(currently married, registered dead). Every failure is an ``InvalidInput`` that names all
the fields at fault, with a Vietnamese message, so that nothing is half-written.

Input is a nested dict per event (what the desk form and the API send)::

    birth:    child{full_name, sex, birth_date, birth_place, hometown, ethnicity,
              nationality, id_number}, father{...}, mother{full_name, birth_year, ethnicity,
              nationality, residence, id_number}, declarant{full_name, id_number, relationship}
    marriage: husband{full_name, birth_date, ethnicity, nationality, residence, id_number},
              wife{... same}
    death:    deceased{full_name, sex, birth_date, ethnicity, nationality, residence,
              id_number}, death{date, time, place, cause}, declarant{...}
    all:      original_registered_on (re-registration only), note

``parse_facts`` turns it into a flat dict keyed by ``RegisterEntry`` column names.

Choices where the law is silent or the rules leave room:
- Deadlines count from the day after the event (Bộ luật Dân sự: a period starts the next
  day): a child born on 01/01/2026 is declared on time up to 02/03/2026 (60 days, Luật Hộ
  tịch Art. 15); a death on 01/03/2026 up to 16/03/2026 (15 days, Art. 33). They are
  measured at the declaration (the dossier's reception), not at the later processing.
- Parents are optional (a child whose parents are not known is registered too), but a
  parent who is named needs the Art. 14(1)(b) facts: year of birth, ethnicity, nationality,
  residence. Marriage parties need an identity number (Art. 17(2)(a): identity papers).
- Re-registration (đăng ký lại) is for events registered before 01/01/2016 whose book and
  original papers were both lost (the catalog's condition for 1.004884, 1.004746, 1.005461);
  the 60/15-day deadlines do not apply to it.
- CCCD / personal ID numbers (Thông tư 59/2021/TT-BCA): digits 1-3 are the province of the
  birth registration, one of the 63 pre-2025 province codes with a leading 0 (087 Đồng Tháp);
  digit 4 is century and sex (0/1 men/women born 1900-1999, 2/3 2000-2099, 4/5 2100-2199 ...);
  digits 5-6 are the last two digits of the year of birth.
"""

from __future__ import annotations

import datetime
import functools
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.errors import InvalidInput
from cchc.textfold import fold

BIRTH, MARRIAGE, DEATH = "birth", "marriage", "death"
NORMAL, LATE, REREGISTRATION = "normal", "late", "reregistration"
MALE, FEMALE = "M", "F"

# Luật Hộ tịch 2014 Art. 15 (birth) and Art. 33 (death).
DEADLINE_DAYS = {BIRTH: 60, DEATH: 15}
# Luật Hôn nhân và gia đình 2014 Art. 8(1)(a): men from full 20, women from full 18.
MARRIAGE_AGE = {MALE: 20, FEMALE: 18}
# Re-registration covers events registered before the Law on Civil Status took effect.
REREGISTRATION_BEFORE = datetime.date(2016, 1, 1)

ID_RE = re.compile(r"^\d{12}$")
NAME_LIMIT, PLACE_LIMIT, NOTE_LIMIT = 100, 300, 2000

_SEX_WORDS = {"m": MALE, "male": MALE, "nam": MALE, "f": FEMALE, "female": FEMALE, "nu": FEMALE}


@functools.cache
def legacy_province_codes() -> frozenset[str]:
    """'001' ... '096': the 63 pre-2025 province codes that open a personal ID number."""
    from vietnam_provinces import legacy

    return frozenset(f"{int(p.code.value):03d}" for p in legacy.Province.iter_all())


def full_years(born: datetime.date, on: datetime.date) -> int:
    """Completed years of age on ``on`` (someone born on 29/02 comes of age on 01/03)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def deadline(event_type: str, event_date: datetime.date) -> datetime.date:
    return event_date + datetime.timedelta(days=DEADLINE_DAYS[event_type])


def mask_id(value: str) -> str:
    """'087090001234' -> '0870******34' for people who do not need the full number."""
    if not value:
        return ""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def dmy(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def check_id_number(value: str, *, birth_date: datetime.date | None = None,
                    birth_year: int | None = None, sex: str | None = None) -> list[str]:
    """The reasons why ``value`` cannot be this person's 12-digit personal ID number."""
    if not ID_RE.match(value or ""):
        return [_("Số định danh cá nhân phải gồm đúng 12 chữ số.")]
    errors = []
    if value[:3] not in legacy_province_codes():
        errors.append(_("3 chữ số đầu “%(prefix)s” không phải mã tỉnh, thành phố nơi đăng ký "
                        "khai sinh (một trong 63 mã, ví dụ 087 Đồng Tháp).") % {"prefix": value[:3]})
    digit = int(value[3])
    year = birth_date.year if birth_date else birth_year
    if year is not None:
        century = 1900 + (digit // 2) * 100
        if not century <= year < century + 100:
            errors.append(_("Chữ số thứ 4 (“%(digit)s”) chỉ người sinh năm %(start)s-%(end)s, "
                            "không khớp với năm sinh %(year)s.")
                          % {"digit": digit, "start": century, "end": century + 99, "year": year})
        if int(value[4:6]) != year % 100:
            errors.append(_("Chữ số thứ 5-6 (“%(yy)s”) phải là hai số cuối của năm sinh "
                            "%(year)s.") % {"yy": value[4:6], "year": year})
    if sex in (MALE, FEMALE) and (MALE if digit % 2 == 0 else FEMALE) != sex:
        errors.append(_("Chữ số thứ 4 (“%(digit)s”) chỉ giới tính %(id_sex)s, không khớp với "
                        "giới tính %(sex)s.")
                      % {"digit": digit, "id_sex": sex_label(MALE if digit % 2 == 0 else FEMALE),
                         "sex": sex_label(sex)})
    return errors


def sex_label(sex: str) -> str:
    return {MALE: _("Nam"), FEMALE: _("Nữ")}.get(sex, "")


# -- parsing ----------------------------------------------------------------------------------

# (input group, input key, column, kind, required)
_STR, _DATE, _YEAR, _SEX, _ID, _TIME = "str", "date", "year", "sex", "id", "time"

_PERSON_OF_PARENT = [
    ("full_name", "name", _STR, True), ("birth_year", "birth_year", _YEAR, True),
    ("ethnicity", "ethnicity", _STR, True), ("nationality", "nationality", _STR, True),
    ("residence", "residence", _STR, True), ("id_number", "id_number", _ID, False),
]
_PARTY = [
    ("full_name", "full_name", _STR, True), ("birth_date", "birth_date", _DATE, True),
    ("ethnicity", "ethnicity", _STR, True), ("nationality", "nationality", _STR, True),
    ("residence", "residence", _STR, True), ("id_number", "id_number", _ID, True),
]
_DECLARANT = [
    ("full_name", "declarant_name", _STR, True), ("id_number", "declarant_id_number", _ID, False),
    ("relationship", "declarant_relationship", _STR, False),
]

SCHEMAS: dict[str, list[tuple[str, str, str, str, bool]]] = {
    BIRTH: [
        ("child", "full_name", "full_name", _STR, True),
        ("child", "sex", "sex", _SEX, True),
        ("child", "birth_date", "birth_date", _DATE, True),
        ("child", "birth_place", "birth_place", _STR, True),
        ("child", "hometown", "hometown", _STR, False),
        ("child", "ethnicity", "ethnicity", _STR, True),
        ("child", "nationality", "nationality", _STR, True),
        ("child", "id_number", "id_number", _ID, False),
        *[("father", key, f"father_{col}", kind, False) for key, col, kind, _r in _PERSON_OF_PARENT],
        *[("mother", key, f"mother_{col}", kind, False) for key, col, kind, _r in _PERSON_OF_PARENT],
        *[("declarant", key, col, kind, req) for key, col, kind, req in _DECLARANT],
    ],
    MARRIAGE: [
        *[("husband", key, col, kind, req) for key, col, kind, req in _PARTY],
        *[("wife", key, f"partner_{col}", kind, req) for key, col, kind, req in _PARTY],
    ],
    DEATH: [
        ("deceased", "full_name", "full_name", _STR, True),
        ("deceased", "sex", "sex", _SEX, True),
        ("deceased", "birth_date", "birth_date", _DATE, True),
        ("deceased", "ethnicity", "ethnicity", _STR, True),
        ("deceased", "nationality", "nationality", _STR, True),
        ("deceased", "residence", "residence", _STR, True),
        ("deceased", "id_number", "id_number", _ID, False),
        ("death", "date", "death_date", _DATE, True),
        ("death", "time", "death_time", _TIME, False),
        ("death", "place", "death_place", _STR, True),
        ("death", "cause", "death_cause", _STR, True),
        *[("declarant", key, col, kind, req) for key, col, kind, req in _DECLARANT],
    ],
}
# Where a field of the flat facts came from, for error messages: column -> "group.key".
INPUT_PATHS = {event: {col: f"{group}.{key}" for group, key, col, _k, _r in schema}
               for event, schema in SCHEMAS.items()}
# The kind of value of each column: column -> "str" | "date" | "year" | "sex" | "id" | "time".
COLUMN_KINDS = {event: {col: kind for _g, _key, col, kind, _r in schema}
                for event, schema in SCHEMAS.items()}

LABELS = {
    "full_name": gettext_lazy("họ, chữ đệm và tên"), "sex": gettext_lazy("giới tính"), "birth_date": gettext_lazy("ngày sinh"),
    "birth_place": gettext_lazy("nơi sinh"), "hometown": gettext_lazy("quê quán"), "ethnicity": gettext_lazy("dân tộc"),
    "nationality": gettext_lazy("quốc tịch"), "id_number": gettext_lazy("số định danh cá nhân"),
    "residence": gettext_lazy("nơi cư trú"), "birth_year": gettext_lazy("năm sinh"), "date": gettext_lazy("ngày"),
    "time": gettext_lazy("giờ"), "place": gettext_lazy("nơi"), "cause": gettext_lazy("nguyên nhân"),
    "relationship": gettext_lazy("quan hệ với người được đăng ký"),
}
GROUP_LABELS = {
    "child": gettext_lazy("người được khai sinh"), "father": gettext_lazy("cha"), "mother": gettext_lazy("mẹ"),
    "declarant": gettext_lazy("người đi đăng ký"), "husband": gettext_lazy("bên nam"), "wife": gettext_lazy("bên nữ"),
    "deceased": gettext_lazy("người chết"), "death": gettext_lazy("việc chết"),
}


def parse_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _parse_value(kind: str, raw):
    if kind == _DATE:
        return parse_date(raw)
    if kind == _TIME:
        if raw in (None, ""):
            return None
        if isinstance(raw, datetime.time):
            return raw
        return datetime.time.fromisoformat(str(raw).strip())
    text = "" if raw is None else str(raw).strip()
    if kind == _YEAR:
        if not text:
            return None
        if not re.fullmatch(r"\d{4}", text):
            raise ValueError(text)
        return int(text)
    if kind == _SEX:
        if not text:
            return ""
        sex = _SEX_WORDS.get(fold(text))
        if sex is None:
            raise ValueError(text)
        return sex
    if kind == _ID:
        return re.sub(r"[\s.]", "", text)
    return re.sub(r"\s+", " ", text)


def parse_value(kind: str, raw):
    """One value of the given kind; ``ValueError`` when it cannot be read."""
    return _parse_value(kind, raw)


def bad_value_message(kind: str) -> str:
    return _bad_value_message(kind)


def _bad_value_message(kind: str) -> str:
    return {
        _DATE: _("Ngày không hợp lệ (dd/mm/yyyy)."),
        _TIME: _("Giờ không hợp lệ (hh:mm)."),
        _YEAR: _("Năm không hợp lệ (4 chữ số)."),
        _SEX: _("Giới tính là Nam hoặc Nữ."),
    }.get(kind, _("Không hợp lệ."))


def parse_facts(event_type: str, data) -> dict:
    """The flat facts of an event from its nested input; ``InvalidInput`` naming every field."""
    if event_type not in SCHEMAS:
        raise InvalidInput(_("Loại việc hộ tịch không hợp lệ."),
                           fields={"event_type": [_("Chọn khai sinh, kết hôn hoặc khai tử.")]})
    if not isinstance(data, dict):
        raise InvalidInput(_("Thông tin đăng ký phải là một đối tượng."),
                           fields={"data": [_("Không hợp lệ.")]})
    errors: dict[str, list[str]] = {}
    facts: dict = {}
    for group, key, column, kind, required in SCHEMAS[event_type]:
        section = data.get(group) or {}
        path = f"{group}.{key}"
        if not isinstance(section, dict):
            errors.setdefault(group, [_("Không hợp lệ.")])
            continue
        try:
            value = _parse_value(kind, section.get(key))
        except (TypeError, ValueError):
            errors[path] = [_bad_value_message(kind)]
            continue
        limit = PLACE_LIMIT if key in ("birth_place", "residence", "place", "hometown", "cause") \
            else NAME_LIMIT
        if isinstance(value, str) and len(value) > limit:
            errors[path] = [_("Quá dài (tối đa %(n)s ký tự).") % {"n": limit}]
            continue
        if required and value in (None, ""):
            errors[path] = [_("Cần nhập %(field)s của %(who)s.")
                            % {"field": LABELS.get(key, key), "who": GROUP_LABELS.get(group, group)}]
            continue
        facts[column] = value
    # A named parent needs the facts of Art. 14(1)(b).
    for parent in ("father", "mother") if event_type == BIRTH else ():
        if facts.get(f"{parent}_name"):
            for key, col, _kind, _req in _PERSON_OF_PARENT:
                path = f"{parent}.{key}"
                if _req and facts.get(f"{parent}_{col}") in (None, "") and path not in errors:
                    errors[path] = [_("Cần nhập %(field)s của %(who)s.")
                                    % {"field": LABELS[key], "who": GROUP_LABELS[parent]}]
    try:
        facts["original_registered_on"] = parse_date(data.get("original_registered_on"))
    except (TypeError, ValueError):
        errors["original_registered_on"] = [_bad_value_message(_DATE)]
    note = str(data.get("note") or "").strip()
    if len(note) > NOTE_LIMIT:
        errors["note"] = [_("Quá dài (tối đa %(n)s ký tự).") % {"n": NOTE_LIMIT}]
    facts["note"] = note
    if errors:
        raise InvalidInput(_("Thông tin đăng ký chưa đầy đủ hoặc chưa đúng."), fields=errors)
    if event_type == MARRIAGE:
        facts["sex"], facts["partner_sex"] = MALE, FEMALE
    return facts


def event_date(event_type: str, facts: dict) -> datetime.date | None:
    if event_type == BIRTH:
        return facts.get("birth_date")
    if event_type == DEATH:
        return facts.get("death_date")
    return None


def classify_kind(event_type: str, facts: dict, declared_on: datetime.date,
                  requested: str | None = None) -> str:
    """Normal, late or re-registration; a request that contradicts the dates is refused."""
    if requested not in (None, "", NORMAL, LATE, REREGISTRATION):
        raise InvalidInput(_("Loại đăng ký không hợp lệ."), fields={"kind": [
            _("Chọn đúng hạn, quá hạn hoặc đăng ký lại.")]})
    if requested == REREGISTRATION:
        original = facts.get("original_registered_on")
        if original is None:
            raise InvalidInput(_("Đăng ký lại cần ngày đã đăng ký trước đây."), fields={
                "original_registered_on": [_("Bắt buộc khi đăng ký lại.")]})
        if original >= REREGISTRATION_BEFORE:
            raise InvalidInput(
                _("Chỉ đăng ký lại việc hộ tịch đã đăng ký trước ngày 01/01/2016 mà sổ hộ tịch "
                  "và bản chính giấy tờ đều bị mất; việc đăng ký ngày %(day)s còn trong sổ.")
                % {"day": dmy(original)},
                fields={"original_registered_on": [_("Phải trước ngày 01/01/2016.")]})
        happened = event_date(event_type, facts)
        if happened and original < happened:
            raise InvalidInput(_("Ngày đăng ký trước đây không thể trước ngày xảy ra sự kiện."),
                               fields={"original_registered_on": [_("Trước ngày sự kiện.")]})
        return REREGISTRATION
    if event_type == MARRIAGE:
        if requested == LATE:
            raise InvalidInput(_("Đăng ký kết hôn không có thủ tục quá hạn."),
                               fields={"kind": [_("Chọn đúng hạn.")]})
        return NORMAL
    happened = event_date(event_type, facts)
    due = deadline(event_type, happened)
    late = declared_on > due
    days = DEADLINE_DAYS[event_type]
    if requested == NORMAL and late:
        if event_type == BIRTH:
            message = _("Đã quá thời hạn %(days)s ngày kể từ ngày sinh %(born)s (hạn cuối "
                        "%(due)s, Điều 15 Luật Hộ tịch): phải đăng ký khai sinh quá hạn.")
        else:
            message = _("Đã quá thời hạn %(days)s ngày kể từ ngày chết %(born)s (hạn cuối "
                        "%(due)s, Điều 33 Luật Hộ tịch): phải đăng ký khai tử quá hạn.")
        raise InvalidInput(message % {"days": days, "born": dmy(happened), "due": dmy(due)},
                           code="late_registration", fields={"kind": [_("Chọn quá hạn.")]})
    if requested == LATE and not late:
        raise InvalidInput(
            _("Còn trong thời hạn %(days)s ngày (đến hết ngày %(due)s): đăng ký đúng hạn, "
              "không phải quá hạn.") % {"days": days, "due": dmy(due)},
            fields={"kind": [_("Chọn đúng hạn.")]})
    return LATE if late else NORMAL


def check_content(event_type: str, facts: dict, *, declared_on: datetime.date,
                  registered_on: datetime.date) -> None:
    """The rules on the facts themselves: dates in order, ages, ID numbers consistent."""
    errors: dict[str, list[str]] = {}
    paths = INPUT_PATHS[event_type]

    def add(column, message):
        errors.setdefault(paths.get(column, column), []).append(message)

    def check_id(column, **person):
        value = facts.get(column)
        if value:
            for message in check_id_number(value, **person):
                add(column, message)

    born = facts.get("birth_date")
    if born and born > declared_on:
        add("birth_date", _("Ngày sinh %(born)s sau ngày đăng ký %(day)s.")
            % {"born": dmy(born), "day": dmy(declared_on)})
    if event_type == BIRTH:
        check_id("id_number", birth_date=born, sex=facts.get("sex"))
        check_id("father_id_number", birth_year=facts.get("father_birth_year"), sex=MALE)
        check_id("mother_id_number", birth_year=facts.get("mother_birth_year"), sex=FEMALE)
        check_id("declarant_id_number")
        for parent in ("father", "mother"):
            year = facts.get(f"{parent}_birth_year")
            if year and born and year >= born.year:
                add(f"{parent}_birth_year", _("Năm sinh của %(who)s phải trước năm sinh của con.")
                    % {"who": GROUP_LABELS[parent]})
    elif event_type == MARRIAGE:
        for prefix, sex in (("", MALE), ("partner_", FEMALE)):
            dob = facts.get(f"{prefix}birth_date")
            check_id(f"{prefix}id_number", birth_date=dob, sex=sex)
            if dob is None:
                continue
            if dob > registered_on:
                add(f"{prefix}birth_date", _("Ngày sinh sau ngày đăng ký."))
                continue
            age, minimum = full_years(dob, registered_on), MARRIAGE_AGE[sex]
            if age < minimum:
                comes_of_age = _anniversary(dob, minimum)
                add(f"{prefix}birth_date", _(
                    "%(who)s %(name)s sinh ngày %(born)s, đến ngày đăng ký %(day)s mới %(age)s "
                    "tuổi; %(who_lower)s phải từ đủ %(min)s tuổi (Điều 8 Luật Hôn nhân và gia đình), "
                    "tức từ ngày %(from)s.") % {
                    "who": _("Bên nam") if sex == MALE else _("Bên nữ"),
                    "who_lower": _("nam") if sex == MALE else _("nữ"),
                    "name": facts.get(f"{prefix}full_name", ""), "born": dmy(dob),
                    "day": dmy(registered_on), "age": age, "min": minimum,
                    "from": dmy(comes_of_age)})
        if facts.get("id_number") and facts.get("id_number") == facts.get("partner_id_number"):
            add("partner_id_number", _("Hai bên không thể có cùng số định danh cá nhân."))
    elif event_type == DEATH:
        died = facts.get("death_date")
        check_id("id_number", birth_date=born, sex=facts.get("sex"))
        check_id("declarant_id_number")
        if died and born and died < born:
            add("death_date", _("Ngày chết %(died)s trước ngày sinh %(born)s.")
                % {"died": dmy(died), "born": dmy(born)})
        if died and died > declared_on:
            add("death_date", _("Ngày chết %(died)s sau ngày đăng ký %(day)s.")
                % {"died": dmy(died), "day": dmy(declared_on)})
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, code="rule_violation", fields=errors)


def _anniversary(born: datetime.date, years: int) -> datetime.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29/02 in a common year
        return datetime.date(born.year + years, 3, 1)


def validate(event_type: str, data, *, declared_on: datetime.date, registered_on: datetime.date,
             requested_kind: str | None = None) -> tuple[dict, str]:
    """Parse and check: (facts, kind). The timing rules are checked first, then the content."""
    facts = parse_facts(event_type, data)
    if event_type in DEADLINE_DAYS:
        happened = event_date(event_type, facts)
        if happened and happened > declared_on:
            column = "birth_date" if event_type == BIRTH else "death_date"
            raise InvalidInput(
                _("Ngày %(what)s %(day)s sau ngày đăng ký %(reg)s.")
                % {"what": _("sinh") if event_type == BIRTH else _("chết"), "day": dmy(happened),
                   "reg": dmy(declared_on)},
                code="rule_violation",
                fields={INPUT_PATHS[event_type][column]: [_("Không được sau ngày đăng ký.")]})
    kind = classify_kind(event_type, facts, declared_on, requested_kind)
    check_content(event_type, facts, declared_on=declared_on, registered_on=registered_on)
    return facts, kind
