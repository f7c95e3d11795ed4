"""Demo dossiers of Đồng Tháp from 1/1/2022 to today (``cchc demo``), after the org and
catalog demos.

- Before 1/7/2025: the district desks of old province 87 and its provincial centre
  receive the district-level and provincial procedures in force on each day (the catalog
  has district-level ones, so commune procedures are not received at the district desks).
  The four units the Department of Home Affairs inspected in 2022 (Thành phố Hồng Ngự,
  Huyện Hồng Ngự, Huyện Tân Hồng, Huyện Tam Nông) have many late dossiers up to the
  inspection (16/8/2022), fewer afterwards, and some left open and overdue in the
  software: what the inspection found.
- From 1/7/2025: the communes' centres and the provincial centre, with a few rough months
  after the reorganisation; the demo commune and the provincial centre are busier so that
  their accounts see full queues: open, due soon, overdue, waiting for a supplement today.

Idempotent: nothing is added when seeded dossiers exist already. The volume (30,000 by
default) keeps ``cchc demo`` quick on SQLite.
"""

import datetime
import random

from django.utils import timezone

from cchc.org.models import Era, Level

from .models import DossierEvent
from .seeding import Desk, Profile, seed_dossiers

FIRST_DAY = datetime.date(2022, 1, 1)
COUNT = 30_000
SEED = 20220816
INSPECTED = ("Thành phố Hồng Ngự", "Huyện Hồng Ngự", "Huyện Tân Hồng", "Huyện Tam Nông")
INSPECTION_DAY = datetime.date(2022, 8, 16)
REFORM_DAY = datetime.date(2025, 7, 1)
DEMO_COMMUNE = "Phường Hồng Ngự"
DEMO_DISTRICT = "Thành phố Hồng Ngự"


class DemoProfile(Profile):
    def __init__(self, today: datetime.date):
        super().__init__()
        self.today = today

    def day_weight(self, day: datetime.date) -> float:
        if (self.today - day).days <= 30:
            return 2.5  # the current month: queues to work on
        return 1.0

    def desk_weight(self, desk: Desk, rng: random.Random) -> float:
        if desk.level == Level.PROVINCE:
            return 12.0 if desk.era == Era.CURRENT else 6.0
        if desk.level == Level.DISTRICT:
            return (6.0 if desk.unit_name == DEMO_DISTRICT else 4.0) * (0.7 + 0.6 * rng.random())
        if desk.unit_name == DEMO_COMMUNE:
            return 10.0
        return 0.4 + 1.2 * rng.random()

    def late_rate(self, desk: Desk, day: datetime.date) -> float:
        if desk.era == Era.PRE_2025:
            if desk.unit_name in INSPECTED:
                if day <= INSPECTION_DAY:
                    return 0.24
                return 0.13 if day.year <= 2023 else 0.08
            return 0.07 if day.year <= 2023 else 0.05
        if day < REFORM_DAY + datetime.timedelta(days=92):
            return 0.12  # the first months of the two-tier government
        return 0.06

    def stuck_rate(self, desk: Desk, day: datetime.date) -> float:
        if desk.era == Era.PRE_2025 and desk.unit_name in INSPECTED and day <= INSPECTION_DAY:
            return 0.03
        return 0.003


def load(stdout=None, *, count: int = COUNT, now=None):
    if DossierEvent.objects.filter(data__seeded=True).exists():
        return None
    now = now or timezone.now()
    report = seed_dossiers(count, FIRST_DAY, timezone.localdate(now), seed=SEED, now=now,
                           profile=DemoProfile(timezone.localdate(now)), chunk_size=count or 1)
    if stdout and report.dossiers:
        stdout.write(f"Đã tạo {report.dossiers:,} hồ sơ một cửa mẫu (từ {report.first_day:%d/%m/%Y} "
                     f"đến {report.last_day:%d/%m/%Y}) trong {report.seconds:.1f} giây."
                     .replace(",", "."))
    return report
