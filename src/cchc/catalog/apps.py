from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_search_index(sender, using="default", **kwargs):
    from .search_index import ensure_sqlite_search_index

    ensure_sqlite_search_index(using)


class CatalogConfig(AppConfig):
    name = "cchc.catalog"
    label = "catalog"
    verbose_name = _("Thủ tục hành chính")

    def ready(self):
        post_migrate.connect(_ensure_search_index, sender=self,
                             dispatch_uid="catalog_search_index")
