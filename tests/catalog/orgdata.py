"""A small Đồng Tháp for the catalog tests: the new province 82 with three communes, the old
province 87 with the district Thành phố Hồng Ngự, and the agencies the demo catalog looks up."""

import datetime

from cchc.org.models import AgencyKind, Era, Level
from tests.factories import AgencyFactory, UnitFactory

OLD_END = datetime.date(2025, 6, 30)


def build_dong_thap() -> dict:
    province = UnitFactory(era=Era.CURRENT, code="82", name="Đồng Tháp", level=Level.PROVINCE)
    communes = [
        UnitFactory(era=Era.CURRENT, code=code, name=name, level=Level.COMMUNE, parent=province)
        for code, name in [("30280", "Phường Hồng Ngự"), ("30301", "Phường Mỹ Tho"),
                           ("30316", "Xã Tân Hồng")]
    ]
    old = UnitFactory(era=Era.PRE_2025, code="87", name="Đồng Tháp", level=Level.PROVINCE,
                      valid_from=None, valid_to=OLD_END)
    district = UnitFactory(era=Era.PRE_2025, code="868", name="Thành phố Hồng Ngự",
                           level=Level.DISTRICT, parent=old, valid_from=None, valid_to=OLD_END)
    old.successors.add(province)
    agencies = {
        "ubnd": AgencyFactory(unit=province, code="000.00.00.H20", name="Ủy ban nhân dân tỉnh Đồng Tháp",
                              kind=AgencyKind.PEOPLES_COMMITTEE),
        "centre": AgencyFactory(unit=province, code="000.00.01.H20",
                                name="Trung tâm Phục vụ hành chính công tỉnh Đồng Tháp",
                                kind=AgencyKind.SERVICE_CENTRE),
        "justice": AgencyFactory(unit=province, code="000.00.02.H20", name="Sở Tư pháp",
                                 kind=AgencyKind.DEPARTMENT),
        "district_desk": AgencyFactory(unit=district, code="000.00.40.H20",
                                       name="Bộ phận một cửa Thành phố Hồng Ngự",
                                       kind=AgencyKind.RECEPTION_DESK),
    }
    for index, commune in enumerate(communes):
        agencies[f"commune{index}"] = AgencyFactory(
            unit=commune, code=f"000.{index + 10:02d}.50.H20",
            name=f"Bộ phận Tiếp nhận và Trả kết quả {commune.name}",
            kind=AgencyKind.RECEPTION_DESK)
        agencies[f"commune{index}_ubnd"] = AgencyFactory(
            unit=commune, code=f"{index + 100:03d}.01.51.H20", name=f"Ủy ban nhân dân {commune.name}",
            kind=AgencyKind.PEOPLES_COMMITTEE)
    return {"province": province, "communes": communes, "old": old, "district": district,
            "agencies": agencies}
