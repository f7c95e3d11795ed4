from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilConfig(AppConfig):
    name = "cchc.civil"
    label = "civil"
    verbose_name = _("Hộ tịch")
