"""Demo registers of Đồng Tháp (idempotent; skipped when the demo units already have books).

- The old wards and communes that became Phường Hồng Ngự on 1/7/2025 (Phường An Thạnh, Xã
  Bình Thạnh, Xã Tân Hội): birth, marriage and death books 2022-2024, closed on 31/12, and
  their 2025 books closed on 30/6/2025; the old district (Thành phố Hồng Ngự) kept the
  foreign-element marriages. These are imported history (no dossier).
- Phường Hồng Ngự and two other new communes: books from 1/7/2025 (closed on 31/12/2025) and
  the current year's open books. Entries up to ten days ago are imported from the ministry's
  shared civil-status software; the last days' were registered here with their one-stop
  dossiers, with a correction (marginal note), a divorce, a copy of an extract, and a birth
  received at the desk that waits for processing.
A few thousand entries in all, generated from a fixed seed.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from cchc.errors import DomainError
from cchc.org.models import REFORM_DATE, AdministrativeUnit, Era, Level, User
from cchc.workcal.calendar import VN_TZ

from . import rules, services
from .models import RegisterBook, RegisterEntry

SEED = 2026
OLD_PROVINCE_PREFIX = "087"  # CCCD prefix of Đồng Tháp (pre-2025 code 87)
DEMO_COMMUNE = "Phường Hồng Ngự"
DEMO_OLD_DISTRICT = "Thành phố Hồng Ngự"
PER_YEAR = {rules.BIRTH: 110, rules.MARRIAGE: 40, rules.DEATH: 55}

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ",
          "Ngô", "Hồ", "Dương", "Lý", "Đinh", "Lâm", "Châu", "Tạ", "Mai"]
MIDDLE_M = ["Văn", "Minh", "Quốc", "Thanh", "Hoàng", "Hữu", "Đức", "Công", "Gia", "Tấn"]
MIDDLE_F = ["Thị", "Ngọc", "Thị Kim", "Thị Thu", "Thị Mỹ", "Bảo", "Thị Ngọc", "Thanh", "Kim"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khang", "Khoa", "Lộc",
           "Long", "Minh", "Nam", "Nghĩa", "Phát", "Phúc", "Quang", "Sơn", "Tài", "Thắng",
           "Thịnh", "Toàn", "Trí", "Trung", "Tuấn", "Việt", "Vinh", "Vũ", "Huy"]
GIVEN_F = ["Anh", "Châu", "Diễm", "Dung", "Giang", "Hà", "Hằng", "Hạnh", "Hoa", "Hương", "Lan",
           "Linh", "Mai", "My", "Ngân", "Ngọc", "Nhi", "Nhung", "Oanh", "Phương", "Quyên",
           "Tâm", "Thảo", "Thư", "Trâm", "Trang", "Tuyết", "Uyên", "Vy", "Yến"]
CAUSES = ["Bệnh già", "Bệnh tim mạch", "Tai biến mạch máu não", "Ung thư phổi",
          "Tai nạn giao thông", "Suy hô hấp", "Bệnh tiểu đường"]


def _say(stdout, message):
    if stdout:
        stdout.write(message)


class People:
    """Names and ID numbers consistent with the rules (prefix 087, century/sex digit, year)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.serial = 0

    def name(self, sex: str, family: str | None = None) -> str:
        middle = self.rng.choice(MIDDLE_M if sex == rules.MALE else MIDDLE_F)
        given = self.rng.choice(GIVEN_M if sex == rules.MALE else GIVEN_F)
        return f"{family or self.rng.choice(FAMILY)} {middle} {given}"

    def id_number(self, year: int, sex: str) -> str:
        self.serial += 1
        digit = (year - 1900) // 100 * 2 + (1 if sex == rules.FEMALE else 0)
        return f"{OLD_PROVINCE_PREFIX}{digit}{year % 100:02d}{self.serial:06d}"

    def day_in(self, year: int) -> datetime.date:
        return datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randrange(365))


def _office_instant(day: datetime.date, rng: random.Random) -> datetime.datetime:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    minutes = rng.choice([rng.randrange(7 * 60 + 30, 11 * 60 + 30), rng.randrange(13 * 60 + 30, 16 * 60 + 45)])
    return datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60), tzinfo=VN_TZ)


def _record(event_type: str, at: datetime.datetime, place: str, people: People) -> dict:
    rng = people.rng
    on = at.astimezone(VN_TZ).date()
    residence = f"{place}, Đồng Tháp"
    if event_type == rules.BIRTH:
        late = rng.random() < 0.04
        born = on - datetime.timedelta(days=rng.randrange(61, 400) if late else rng.randrange(3, 58))
        sex = rng.choice([rules.MALE, rules.FEMALE])
        father_year, mother_year = born.year - rng.randrange(23, 40), born.year - rng.randrange(20, 36)
        family = rng.choice(FAMILY)
        father = people.name(rules.MALE, family)
        return {
            "kind": rules.LATE if late else rules.NORMAL, "full_name": people.name(sex, family),
            "sex": sex, "birth_date": born, "birth_place": rng.choice(
                ["Bệnh viện Đa khoa khu vực Hồng Ngự, Đồng Tháp", f"Trạm Y tế {place}",
                 "Bệnh viện Sản Nhi Đồng Tháp"]),
            "hometown": "Đồng Tháp", "ethnicity": "Kinh", "nationality": "Việt Nam",
            "id_number": people.id_number(born.year, sex),
            "father_name": father, "father_birth_year": father_year, "father_ethnicity": "Kinh",
            "father_nationality": "Việt Nam", "father_residence": residence,
            "father_id_number": people.id_number(father_year, rules.MALE),
            "mother_name": people.name(rules.FEMALE), "mother_birth_year": mother_year,
            "mother_ethnicity": "Kinh", "mother_nationality": "Việt Nam",
            "mother_residence": residence,
            "mother_id_number": people.id_number(mother_year, rules.FEMALE),
            "declarant_name": father, "declarant_relationship": "Cha",
        }
    if event_type == rules.MARRIAGE:
        husband = on - datetime.timedelta(days=rng.randrange(21 * 366, 36 * 365))
        wife = on - datetime.timedelta(days=rng.randrange(19 * 366, 33 * 365))
        return {
            "kind": rules.NORMAL, "full_name": people.name(rules.MALE), "sex": rules.MALE,
            "birth_date": husband, "ethnicity": "Kinh", "nationality": "Việt Nam",
            "residence": residence, "id_number": people.id_number(husband.year, rules.MALE),
            "partner_full_name": people.name(rules.FEMALE), "partner_sex": rules.FEMALE,
            "partner_birth_date": wife, "partner_ethnicity": "Kinh",
            "partner_nationality": "Việt Nam", "partner_residence": rng.choice(
                [residence, "Xã Tân Hồng, Đồng Tháp", "Phường Sa Đéc, Đồng Tháp"]),
            "partner_id_number": people.id_number(wife.year, rules.FEMALE),
        }
    late = rng.random() < 0.05
    died = on - datetime.timedelta(days=rng.randrange(16, 200) if late else rng.randrange(0, 14))
    born = people.day_in(rng.randrange(1930, 1975))
    sex = rng.choice([rules.MALE, rules.FEMALE])
    return {
        "kind": rules.LATE if late else rules.NORMAL, "full_name": people.name(sex), "sex": sex,
        "birth_date": born, "ethnicity": "Kinh", "nationality": "Việt Nam",
        "residence": residence, "id_number": people.id_number(born.year, sex),
        "death_date": died, "death_place": rng.choice([f"Tại nhà, {place}",
                                                       "Bệnh viện Đa khoa Đồng Tháp"]),
        "death_cause": rng.choice(CAUSES), "declarant_name": people.name(rules.MALE),
        "declarant_relationship": rng.choice(["Con", "Vợ", "Chồng", "Cháu"]),
    }


def _records(event_type, start: datetime.date, end: datetime.date, count: int, place: str,
             people: People) -> list[dict]:
    days = (end - start).days + 1
    instants = sorted(_office_instant(start + datetime.timedelta(days=people.rng.randrange(days)),
                                      people.rng) for _ in range(count))
    instants = [i for i in instants if start <= i.date() <= end]
    return [{**_record(event_type, at, place, people), "registered_at": at} for at in instants]


def _fill_year(unit, year: int, start, end, people: People, scale: float = 1.0,
               types=(rules.BIRTH, rules.MARRIAGE, rules.DEATH)) -> int:
    place = unit.name
    total = 0
    for event_type in types:
        count = max(1, int(PER_YEAR[event_type] * scale * ((end - start).days + 1) / 365))
        records = _records(event_type, start, end, count, place, people)
        total += services.import_entries(unit=unit, event_type=event_type, records=records)
    return total


def _close_all(unit, year: int, on: datetime.date, leader):
    closing = datetime.datetime.combine(on, datetime.time(16, 30), tzinfo=VN_TZ)
    for book in RegisterBook.objects.filter(unit=unit, year=year, closed_at__isnull=True):
        services.close_book(book, actor=leader, at=closing)


def _units():
    commune = AdministrativeUnit.objects.filter(era=Era.CURRENT, level=Level.COMMUNE,
                                                name=DEMO_COMMUNE).first()
    if commune is None:
        return None
    old_communes = list(commune.predecessors.filter(level=Level.COMMUNE).order_by("code"))
    old_district = AdministrativeUnit.objects.filter(
        era=Era.PRE_2025, level=Level.DISTRICT, name=DEMO_OLD_DISTRICT).first()
    others = list(AdministrativeUnit.objects.filter(era=Era.CURRENT, level=Level.COMMUNE,
                                                    parent=commune.parent)
                  .exclude(pk=commune.pk).order_by("code")[:2])
    return commune, old_communes, old_district, others


def load(stdout=None):
    units = _units()
    if units is None:
        _say(stdout, "Bỏ qua sổ hộ tịch mẫu: chưa có đơn vị hành chính mẫu.")
        return
    commune, old_communes, old_district, others = units
    if RegisterBook.objects.filter(unit__in=[commune, *old_communes]).exists():
        return
    today = timezone.localdate()
    rng = random.Random(SEED)
    people = People(rng)
    leader = User.objects.filter(username="lanhdao.xa").first()
    old_leader = User.objects.filter(username="lanhdao.hongngu").first()
    total = 0
    with transaction.atomic():
        for unit in old_communes:
            for year in range(2022, 2025):
                total += _fill_year(unit, year, datetime.date(year, 1, 1),
                                    datetime.date(year, 12, 31), people, scale=0.7)
                _close_all(unit, year, datetime.date(year, 12, 31), None)
            total += _fill_year(unit, 2025, datetime.date(2025, 1, 1),
                                REFORM_DATE - datetime.timedelta(days=1), people, scale=0.7)
            _close_all(unit, 2025, REFORM_DATE - datetime.timedelta(days=1), None)
        if old_district is not None:
            for year in range(2022, 2025):
                total += _fill_year(old_district, year, datetime.date(year, 1, 1),
                                    datetime.date(year, 12, 31), people, scale=0.15,
                                    types=(rules.MARRIAGE,))
                _close_all(old_district, year, datetime.date(year, 12, 31), old_leader)
        recent = today - datetime.timedelta(days=10)
        for unit in [commune, *others]:
            for year in range(2025, today.year + 1):
                start = max(datetime.date(year, 1, 1), REFORM_DATE)
                end = min(datetime.date(year, 12, 31), recent)
                if start > end:
                    continue
                total += _fill_year(unit, year, start, end, people,
                                    scale=1.0 if unit == commune else 0.6)
                if year < today.year:
                    _close_all(unit, year, datetime.date(year, 12, 31),
                               leader if unit == commune else None)
    live = _live_registrations(commune, old_communes, people, today, stdout)
    _say(stdout, f"Đã nạp sổ hộ tịch mẫu: {total + live} mục "
                 f"({live} mục đăng ký kèm hồ sơ một cửa).")


def _live_registrations(commune, old_communes, people: People, today, stdout=None) -> int:
    """The last days' registrations through the one-stop services (dossier with each)."""
    officer = User.objects.filter(username="chuyenvien.xa").first()
    desk_officer = User.objects.filter(username="motcua.xa").first()
    if officer is None or today < REFORM_DATE:
        return 0
    rng = people.rng
    count = 0
    try:
        with transaction.atomic():
            for offset in range(9, 0, -1):
                day = today - datetime.timedelta(days=offset)
                if day.weekday() >= 5 or day.year != today.year:
                    continue
                events = (rules.BIRTH, rules.BIRTH, rules.DEATH, rules.MARRIAGE)
                instants = sorted(_office_instant(day, rng) for _event in events)
                for event_type, at in zip(events, instants, strict=True):
                    record = _record(event_type, at, commune.name, people)
                    if record["kind"] == rules.LATE:
                        continue
                    services.register_directly(event_type=event_type, unit=commune,
                                               data=_as_input(event_type, record),
                                               actor=officer, at=at)
                    count += 1
            when = _office_instant(today - datetime.timedelta(days=1), rng)
            last = (RegisterEntry.objects.filter(unit=commune, event_type=rules.BIRTH,
                                                 imported=False)
                    .order_by("-registered_at").first())
            if last is not None:
                when = max(when, last.registered_at + datetime.timedelta(minutes=30))
                place = next(p for p in ("Bệnh viện Sản Nhi Đồng Tháp", "Bệnh viện Đa khoa Đồng Tháp")
                             if p != last.birth_place)
                services.record_note_directly(
                    entry=last, kind="correction", actor=officer, at=when,
                    changes={"child.birth_place": place},
                    basis="Giấy chứng sinh số 1234/GCS do Bệnh viện Sản Nhi Đồng Tháp cấp",
                    applicant={"name": last.declarant_name or last.father_name})
                services.issue_extract_copy(entry=last, actor=officer, at=when,
                                            applicant={"name": last.declarant_name})
            old_marriage = (RegisterEntry.objects.filter(
                unit__in=old_communes, event_type=rules.MARRIAGE, book__year=2024)
                .order_by("unit__code", "number").first())
            if old_marriage is not None:
                services.record_note_directly(
                    entry=old_marriage, kind="divorce", actor=officer, at=when,
                    basis="Bản án số 45/2026/HNGĐ-ST ngày 12/3/2026 của Tòa án nhân dân khu vực 3 "
                          "- Đồng Tháp")
            if desk_officer is not None:
                record = _record(rules.BIRTH, when, commune.name, people)
                if record["kind"] == rules.NORMAL:
                    services.register_at_desk(agency=services.desk_of(commune),
                                              event_type=rules.BIRTH, actor=desk_officer,
                                              data=_as_input(rules.BIRTH, record), at=when)
    except DomainError as exc:
        _say(stdout, f"Bỏ qua phần đăng ký kèm hồ sơ của sổ hộ tịch mẫu: {exc.message}")
        return 0
    return count


def _as_input(event_type: str, record: dict) -> dict:
    """A generated record as the nested input of the registration form."""
    paths = rules.INPUT_PATHS[event_type]
    data: dict = {}
    for column, path in paths.items():
        value = record.get(column)
        if value in (None, ""):
            continue
        group, key = path.split(".")
        data.setdefault(group, {})[key] = value.isoformat() if hasattr(value, "isoformat") \
            else value
    if event_type != rules.MARRIAGE:
        data.setdefault("declarant", {}).setdefault("full_name", record.get("declarant_name"))
    return data
