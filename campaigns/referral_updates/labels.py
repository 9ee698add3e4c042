"""What a referral email may say about a referral: a reference, dates and a status.
Nothing here reads the patient or the service line, so no email built from these can
carry them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

STAGE_LABELS = {
    "received": "Received",
    "scheduled": "Scheduled",
    "completed": "First visit completed",
}


def referral_label(referral_id: int, partner_reference: str | None) -> str:
    """The partner's own reference when they gave one, else our referral number."""
    return (partner_reference or "").strip() or f"No. {referral_id}"


def day(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%B} {local.day}, {local.year}"


def update_line(label: str, stage: str, happened_at: datetime, zone: ZoneInfo) -> str:
    return f"{label}: {STAGE_LABELS[stage]} on {day(happened_at, zone)}"
