"""Seasonal sports education: the practice's sports calendar, the year's pre-, mid- and
post-season sends generated from it, a marketer's approval, and the job that enqueues
approved sends when their day comes."""

from campaigns.seasonal.enqueue import EnqueueReport, enqueue_due, seasonal_job
from campaigns.seasonal.preview import SendPreview, preview_send
from campaigns.seasonal.recipients import SeasonalRecipient, seasonal_recipients
from campaigns.seasonal.sends import (
    MISSED,
    PHASE_LABELS,
    PHASES,
    GenerateReport,
    SendError,
    approve,
    approve_season,
    generate_year,
    next_year_to_plan,
    phase_days,
    sends_of,
    shown_status,
    withdraw,
)
from campaigns.seasonal.sports_calendar import (
    DEFAULT_SPORTS,
    SEASONS,
    SeasonError,
    add_defaults,
    default_dates,
    remove_season,
    save_season,
    seasons_of,
)

__all__ = [
    "DEFAULT_SPORTS",
    "MISSED",
    "PHASES",
    "PHASE_LABELS",
    "SEASONS",
    "EnqueueReport",
    "GenerateReport",
    "SeasonError",
    "SeasonalRecipient",
    "SendError",
    "SendPreview",
    "add_defaults",
    "approve",
    "approve_season",
    "default_dates",
    "enqueue_due",
    "generate_year",
    "next_year_to_plan",
    "phase_days",
    "preview_send",
    "remove_season",
    "save_season",
    "seasonal_job",
    "seasonal_recipients",
    "seasons_of",
    "sends_of",
    "shown_status",
    "withdraw",
]
