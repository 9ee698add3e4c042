"""Normalisers shared by the app's forms and the CSV import, so both accept exactly
the same values and store them the same way. Each raises ValueError with a message a
marketer can act on."""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from crm.errors import InvalidInput

US_STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "PR": "Puerto Rico",
    "GU": "Guam",
    "VI": "U.S. Virgin Islands",
    "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}
_STATE_BY_NAME = {name.lower(): code for code, name in US_STATES.items()}
_ZIP = re.compile(r"^(\d{5})(?:[-\s]?(\d{4}))?$")


def email(raw: str) -> str:
    """A deliverable-looking address, lowercased; no DNS lookup (imports run offline)."""
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"invalid email {raw!r}: {exc}") from None
    return checked.normalized.lower()


_SHORT_ZIP = re.compile(r"\d{3,4}")
_TEN_DIGITS = re.compile(r"\d{10}")
_LIST_SEPARATOR = re.compile(r"[,;|]")
_US_PHONE = re.compile(r"^(?:\+?1[\s.\-]*)?\(?(\d{3})\)?[\s.\-]*(\d{3})[\s.\-]*(\d{4})$")


def phone(raw: str) -> str:
    """E.164 form, so the same number typed two ways is one number. A plain US number
    (the digits in the usual punctuation) is checked once per number: a list has the
    same office numbers many times, written many ways."""
    text = raw.strip()
    plain = _US_PHONE.match(text)
    if plain is not None:
        try:
            return _us_phone("".join(plain.groups()))
        except InvalidInput:
            raise InvalidInput(f"invalid phone number {raw!r}") from None
    return _phone(text, raw)


def _us_phone(digits: str) -> str:
    if not _us_exchange_valid(digits[:6]):
        raise InvalidInput(f"invalid phone number {digits!r}")
    return "+1" + digits


@lru_cache(maxsize=16_384)
def _us_exchange_valid(prefix: str) -> bool:
    """Whether numbers in this area code and exchange are valid. In the numbering plan's
    metadata every US pattern leaves the last four digits (the line) free, so the first
    six decide, and a list of 400,000 offices asks phonenumbers once per exchange, not
    once per number (tests/test_validation.py holds this against phonenumbers itself)."""
    try:
        parsed = phonenumbers.parse(prefix + "0000", "US")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)


def _phone(text: str, raw: str) -> str:
    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"invalid phone number {raw!r}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(f"invalid phone number {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, "US")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def state(raw: str) -> str:
    text = raw.strip()
    if text.upper() in US_STATES:
        return text.upper()
    code = _STATE_BY_NAME.get(text.lower().replace(".", ""))
    if code is None:
        raise InvalidInput(f"unknown US state {raw!r}; use a two-letter code such as MA")
    return code


def zip_code(raw: str) -> str:
    """Five digits, or ZIP+4. Spreadsheets drop leading zeros, so 4-digit zips are padded."""
    text = raw.strip()
    if _SHORT_ZIP.fullmatch(text):
        text = text.zfill(5)
    match = _ZIP.match(text)
    if match is None:
        raise InvalidInput(f"invalid ZIP code {raw!r}; expected 12345 or 12345-6789")
    return match.group(1) + (f"-{match.group(2)}" if match.group(2) else "")


def npi(raw: str) -> str:
    """A National Provider Identifier: ten digits whose last is a Luhn check digit
    computed with the 80840 prefix, as CMS specifies."""
    digits = raw.strip()
    if not _TEN_DIGITS.fullmatch(digits):
        raise InvalidInput(f"invalid NPI {raw!r}: an NPI has 10 digits")
    if not _luhn_valid("80840" + digits):
        raise InvalidInput(f"invalid NPI {raw!r}: the check digit does not match")
    return digits


def _luhn_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def website(raw: str) -> str:
    text = raw.strip()
    if not re.match(r"^https?://", text, re.IGNORECASE):
        text = "https://" + text
    if not re.fullmatch(r"https?://[\w.-]+\.[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?", text, re.IGNORECASE):
        raise InvalidInput(f"invalid website {raw!r}")
    return text


def time_zone(raw: str) -> ZoneInfo:
    """An IANA zone the machine knows, so a stored name always turns back into a zone."""
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {raw!r}") from None


def word_list(raw: str) -> str:
    """Tags and sports are stored as one sorted, lowercase, comma-separated string so that
    the same set always compares equal and a filter can match ',tag,' in SQL."""
    items = {part.strip().lower() for part in _LIST_SEPARATOR.split(raw) if part.strip()}
    return ",".join(sorted(items))
