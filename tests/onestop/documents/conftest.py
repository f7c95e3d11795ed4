import pytest

from cchc.catalog.models import DossierComponent


@pytest.fixture
def components(world):
    """Dossier components on the five-day procedure's version in force."""
    version = world.five_days.versions.get()
    DossierComponent.objects.bulk_create([
        DossierComponent(version=version, position=1, name="Tờ khai đăng ký kết hôn",
                         originals=1, form_template="Mẫu TP/HT-2020-KH.TK"),
        DossierComponent(version=version, position=2, name="Giấy xác nhận tình trạng hôn nhân",
                         originals=1),
        DossierComponent(version=version, position=3, name="Hộ chiếu của người nước ngoài",
                         certified_copies=1, copies=2),
    ])
    return version
