import datetime

import factory

from cchc.org.models import (
    AdministrativeUnit,
    Agency,
    AgencyKind,
    Era,
    Level,
    Membership,
    Role,
    User,
)

PASSWORD = "mat-khau-thu-nghiem-42"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("era", "code")

    era = Era.CURRENT
    code = factory.Sequence(lambda n: f"{90000 + n}")
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    level = Level.COMMUNE
    valid_from = datetime.date(2025, 7, 1)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    unit = factory.SubFactory(UnitFactory)
    code = factory.Sequence(lambda n: f"{n % 1000:03d}.{n // 1000 % 100:02d}.99.H99")
    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    kind = AgencyKind.PEOPLES_COMMITTEE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"canbo{n}")
    full_name = factory.Sequence(lambda n: f"Cán Bộ Số {n}")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.DESK_OFFICER


def small_tree():
    """Province P (new era) with communes A and B; old province OP with district D and commune OC,
    whose successor is A."""
    p = UnitFactory(era=Era.CURRENT, code="P1", name="Tỉnh Thử", level=Level.PROVINCE)
    a = UnitFactory(era=Era.CURRENT, code="A1", name="Xã An", level=Level.COMMUNE, parent=p)
    b = UnitFactory(era=Era.CURRENT, code="B1", name="Xã Bình", level=Level.COMMUNE, parent=p)
    op = UnitFactory(era=Era.PRE_2025, code="P1", name="Tỉnh Cũ", level=Level.PROVINCE,
                     valid_from=None, valid_to=datetime.date(2025, 6, 30))
    d = UnitFactory(era=Era.PRE_2025, code="D1", name="Huyện Cũ", level=Level.DISTRICT, parent=op,
                    valid_from=None, valid_to=datetime.date(2025, 6, 30))
    oc = UnitFactory(era=Era.PRE_2025, code="C1", name="Xã Cũ", level=Level.COMMUNE, parent=d,
                     valid_from=None, valid_to=datetime.date(2025, 6, 30))
    op.successors.add(p)
    oc.successors.add(a)
    d.successors.add(a)
    return {"p": p, "a": a, "b": b, "op": op, "d": d, "oc": oc}
