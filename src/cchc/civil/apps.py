from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def on_dossier_processed(sender, dossier_id, **kwargs):
    """A processed dossier (status 9) may carry a civil-status request: write it in the book."""
    from .services import complete_civil_request

    complete_civil_request(dossier_id)


class CivilConfig(AppConfig):
    name = "cchc.civil"
    label = "civil"
    verbose_name = _("Hộ tịch")

    def ready(self):
        from cchc.onestop.signals import dossier_processed

        dossier_processed.connect(on_dossier_processed, dispatch_uid="civil.dossier_processed")
