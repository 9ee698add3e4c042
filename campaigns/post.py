"""The post box: how a program hands its letters to the mail room.

Programs (cadences, events, reviews, seasonal sends, referral updates, the report)
decide who gets which email; the mail room, a layer above, renders it, queues it and
sends it. So the programs declare here what they use of it, and the mail room connects
its implementation at start (liaison.wiring), as the domain's Outreach hook does for
the cadences. The letters and the preview's verdicts are plain data, declared here so
that both sides speak of the same things. Until the mail room is connected, a program
that posts fails loudly instead of dropping the email."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from crm.settings import Settings

ACCENT_COLOR = "#0b6e8a"  # the practice's brand colour: header band, links and buttons


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Draft:
    """A rendered email on its way into the outbox."""

    idempotency_key: str
    kind: str
    to_email: str
    template: str
    subject: str
    html: str
    text: str
    to_name: str = ""
    transactional: bool = False
    contact_id: int | None = None
    patient_id: int | None = None
    partner_id: int | None = None
    source: str = ""
    timezone: str = "America/New_York"
    not_before: datetime | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    failure: str = ""


@dataclass(frozen=True)
class TemplateSource:
    """A template's three editable parts, as written (not yet rendered)."""

    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    partner_id: int
    partner_name: str
    name: str
    role: str
    email: str  # lowercased, as the outbox stores it; "" when there is none


@dataclass(frozen=True)
class LeftOut:
    recipient: Recipient
    reason: str


@dataclass(frozen=True)
class StepPreview:
    at: datetime
    included: list[Recipient]
    left_out: list[LeftOut]

    def reasons(self) -> Counter[str]:
        """How many are left out for each reason, with the cap's wording shortened to
        "frequency cap" and a suppression's source kept ("suppressed (bounce)")."""
        return Counter(
            "frequency cap" if entry.reason.startswith("frequency cap") else entry.reason
            for entry in self.left_out
        )


class PostOffice(Protocol):
    def compose(
        self,
        session: Session,
        settings: Settings,
        *,
        template: str,
        variables: dict[str, Any],
        idempotency_key: str,
        kind: str,
        to_email: str,
        now: datetime,
        to_name: str = "",
        contact_id: int | None = None,
        patient_id: int | None = None,
        partner_id: int | None = None,
        source: str = "",
        timezone: str | None = None,
        not_before: datetime | None = None,
        attachments: tuple[Attachment, ...] = (),
        template_source: TemplateSource | None = None,
    ) -> Draft:
        """The template rendered for one recipient; a bad template or value gives a
        Draft whose `failure` says why, never an exception mid-batch."""
        ...

    def enqueue_many(self, session: Session, drafts: list[Draft], now: datetime) -> int:
        """Queue the drafts, skipping keys already queued; the number newly queued."""
        ...

    def effective_template(self, session: Session, name: str) -> TemplateSource:
        """The version in effect: the marketer's edit, or the one shipped."""
        ...

    def template_variables(self, name: str) -> list[str]:
        """The variables the template may use, in declaration order."""
        ...

    def template_names(self, *, audience: str, kind: str, in_cadences: bool = False) -> list[str]:
        """The templates written for this audience ("partner", "patient") and kind
        ("marketing", "transactional"), sorted; with `in_cadences`, only those a cadence
        step may send."""
        ...

    def preview(
        self, session: Session, people: list[Recipient], at: datetime, cap: int
    ) -> StepPreview:
        """Who of `people` a send at `at` would reach, judged as the dispatcher judges."""
        ...

    def render_document(
        self, name: str, context: dict[str, Any], *, max_chars: int, steps: int, seconds: float
    ) -> tuple[str, str]:
        """The app's own templates/email/{name}.html and .txt (not editable by
        marketers), rendered in the email sandbox with this budget: (html, text)."""
        ...


class NotConnected(RuntimeError):
    pass


class _Unconnected:
    def __getattr__(self, name: str) -> Any:
        raise NotConnected("the mail room is not connected (liaison.wiring.connect at start)")


_office: PostOffice = _Unconnected()  # type: ignore[assignment]


def connect(office: PostOffice) -> None:
    global _office
    _office = office


def office() -> PostOffice:
    return _office
