"""Settings that are more than a string, parsed when the settings are read so that a bad
value stops the app at start, before anything is sent.

The send window: marketing email goes out on business days and hours in the
recipient's own time zone, never at 3 a.m. their time. The SMTP URL: where and how
the SMTP transport connects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

_SCHEMES = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "ssl"}
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclass(frozen=True)
class SendWindow:
    days: frozenset[int]
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> SendWindow:
        """'Mon-Fri 08:00-18:00' or 'Mon,Wed,Fri 09:00-12:00'."""
        match = re.fullmatch(
            r"\s*([A-Za-z,\-]+)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text
        )
        if match is None:
            raise ValueError(f"send window {text!r} should look like 'Mon-Fri 08:00-18:00'")
        days = cls._days(match.group(1))
        start = time(int(match.group(2)), int(match.group(3)))
        end = time(int(match.group(4)), int(match.group(5)))
        if start >= end:
            raise ValueError(f"send window {text!r} ends before it starts")
        return cls(days=frozenset(days), start=start, end=end)

    @staticmethod
    def _days(spec: str) -> set[int]:
        days: set[int] = set()
        for part in spec.lower().split(","):
            ends = part.split("-")
            try:
                indexes = [_DAYS.index(end[:3]) for end in ends]
            except ValueError:
                raise ValueError(f"unknown day in {spec!r}; use Mon, Tue, ... Sun") from None
            if len(indexes) == 1:
                days.add(indexes[0])
            else:
                first, last = indexes
                days.update(
                    range(first, last + 1)
                    if first <= last
                    else [*range(first, 7), *range(0, last + 1)]
                )
        return days

    def is_open(self, now: datetime, zone: str) -> bool:
        local = now.astimezone(ZoneInfo(zone))
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_open(self, now: datetime, zone: str) -> datetime:
        """The first moment at or after `now` when the window is open, in UTC terms."""
        tz = ZoneInfo(zone)
        local = now.astimezone(tz)
        if self.is_open(now, zone):
            return now
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            if day.weekday() not in self.days:
                continue
            opening = datetime.combine(day, self.start, tzinfo=tz)
            if opening >= local:
                return opening.astimezone(now.tzinfo)
        raise ValueError("the send window has no open day")


@dataclass(frozen=True)
class SmtpConfig:
    """`LIAISON_SMTP_URL`: smtp://host:25 (no TLS), smtp+starttls://user:pass@host:587,
    or smtps://user:pass@host:465 (TLS from the start)."""

    host: str
    port: int
    tls: str
    username: str
    password: str

    @classmethod
    def parse(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES:
            raise ValueError("use smtp://, smtp+starttls:// or smtps:// followed by host:port")
        if not parts.hostname:
            raise ValueError("the SMTP URL has no host")
        tls = _SCHEMES[parts.scheme]
        try:
            port = parts.port or _DEFAULT_PORTS[tls]
        except ValueError:
            raise ValueError("the SMTP port is not a number") from None
        return cls(
            host=parts.hostname,
            port=port,
            tls=tls,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )
