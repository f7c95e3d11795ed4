from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "cchc.inspection"
    label = "inspection"
    verbose_name = _("Kiểm tra cải cách hành chính")
