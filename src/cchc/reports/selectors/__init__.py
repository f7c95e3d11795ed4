"""Reads of the reports app: the report queries. One module per report; the names other apps
(e.g. the inspection) call are re-exported here."""

from .common import Filters, Period, build_filters, can_view_reports, parse_period
from .timeliness import (
    MEASURES,
    Counts,
    TimelinessReport,
    timeliness_dossiers,
    timeliness_report,
)

__all__ = [
    "MEASURES", "Counts", "Filters", "Period", "TimelinessReport", "build_filters",
    "can_view_reports", "parse_period", "timeliness_dossiers", "timeliness_report",
]
