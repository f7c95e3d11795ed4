from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnestopConfig(AppConfig):
    name = "cchc.onestop"
    label = "onestop"
    verbose_name = _("Một cửa")

    def ready(self):
        from cchc.core.audittrail import register_sealer

        from . import audit

        register_sealer("onestop.events", seal=audit.seal_dossier_events,
                        verify=audit.verify_dossier_event_seals)
