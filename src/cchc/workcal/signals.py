"""Drop the cached calendar of this process when an override or the office hours change.

Invalidated at once (this process's next read inside the same transaction sees the
change) and again on commit (a calendar rebuilt by another thread before the commit
would hold the old rows). Other processes notice through the version check in
``selectors.get_calendar``.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import CalendarOverride, OfficeHours
from .selectors import invalidate_calendar


@receiver(post_save, sender=CalendarOverride, dispatch_uid="workcal_override_saved")
@receiver(post_delete, sender=CalendarOverride, dispatch_uid="workcal_override_deleted")
@receiver(post_save, sender=OfficeHours, dispatch_uid="workcal_hours_saved")
@receiver(post_delete, sender=OfficeHours, dispatch_uid="workcal_hours_deleted")
def _calendar_changed(sender, using=None, **kwargs):
    invalidate_calendar()
    transaction.on_commit(invalidate_calendar, using=using)
