"""Rows and settings for the partner survey tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select, update

from campaigns.surveys.sending import send_quarter_survey
from crm.access import Actor
from crm.models import Message, Partner, SurveyRequest
from crm.segments.service import SegmentInput, add_members, create_segment
from crm.settings import Settings
from crm.vocab import MessageStatus
from tests.conftest import NOW

KEY = "test-secret-key"


def settings(**fields: Any) -> Settings:
    return Settings(_env_file=None, secret_key=KEY, public_url="https://crm.example.org", **fields)


def static_segment(session: Session, actor: Actor, partners: list[Partner], name: str = "") -> int:
    segment = create_segment(
        session, actor, SegmentInput(name=name or f"Survey {len(partners)}", kind="static"), NOW
    )
    add_members(session, actor, segment.id, [p.id for p in partners], NOW)
    session.commit()
    return segment.id


def send(
    session: Session,
    actor: Actor,
    segment_id: int,
    roles: tuple[str, ...] = ("physician",),
    now: datetime = NOW,
):  # type: ignore[no-untyped-def]
    report = send_quarter_survey(session, settings(), actor, segment_id, list(roles), now)
    session.commit()
    return report


def requests(session: Session) -> list[SurveyRequest]:
    session.expire_all()
    return list(session.exec(select(SurveyRequest).order_by(SurveyRequest.id)))


def survey_messages(session: Session) -> list[Message]:
    session.expire_all()
    return list(session.exec(select(Message).where(Message.kind == "survey").order_by(Message.id)))


def mark_sent(session: Session, at: datetime) -> None:
    """What the dispatcher does: the queued survey emails went out at `at`."""
    session.exec(
        update(Message)
        .where(Message.kind == "survey", Message.status == MessageStatus.QUEUED.value)
        .values(status=MessageStatus.SENT.value, sent_at=at, attempts=1)
    )
    session.commit()
