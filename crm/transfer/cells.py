"""Cell text: turning spreadsheet values into strings, and guarding exported text
against CSV formula injection in a way the import undoes exactly."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo

from crm.errors import InvalidInput

_FORMULA = re.compile(r"^'*[=+\-@]")
_GUARDED = re.compile(r"^'+[=+\-@]")


def neutralise(text: str) -> str:
    """A spreadsheet runs a cell starting with = + - or @ as a formula; a leading quote
    makes it text. Text that already starts with quotes before such a character gets one
    more, so that `restore` gives back exactly what was stored."""
    return "'" + text if _FORMULA.match(text) else text


def restore(text: str) -> str:
    return text[1:] if text.startswith("'") and _GUARDED.match(text) else text


def cell_text(value: object) -> str:
    """A workbook cell as the text a person sees (integers without '.0', dates in ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def export_text(value: object) -> str:
    """A stored value as an export cell; times in UTC ISO 8601 so they re-import exactly."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return neutralise(str(value))


_US_FORMATS = (
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y %H:%M",
    "%m/%d/%y %I:%M %p",
)


def parse_when(text: str, zone: tzinfo) -> datetime:
    """ISO 8601 or US month/day/year, with or without a time. A time without an offset
    (and a bare date, taken as midnight) is in `zone`, the practice's time zone."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = _us_date(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _us_date(value: str) -> datetime:
    for pattern in _US_FORMATS:
        try:
            return datetime.strptime(value.upper(), pattern)
        except ValueError:
            continue
    raise InvalidInput(
        f"not a date or time: {value!r}; use 2026-03-01, 2026-03-01 14:30 or 3/1/2026"
    )
