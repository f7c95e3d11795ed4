"""Signals other apps listen to (sent after commit). ``civil`` registers births, marriages
and deaths when their dossier is processed."""

from django.dispatch import Signal

dossier_processed = Signal()  # kwargs: dossier_id
