"""The hook through which lifecycle moves reach the cadences.

The domain decides that a partner who became a referral source leaves its prospecting
cadences and that a dormant one enters win-back; enrolling and exiting belong to the
cadence program, a layer above. So the domain declares what it needs here and the
program connects itself at start (as listmonk's manager declares the interfaces it
uses). Until then a lifecycle move that must touch a cadence fails loudly rather than
leaving partners in cadences they should have left."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from crm.access import Actor


class Outreach(Protocol):
    def enrol(
        self,
        session: Session,
        actor: Actor,
        cadence_id: int,
        partner_ids: list[int],
        *,
        source: str,
        now: datetime,
    ) -> int:
        """Enrol the partners; the number newly enrolled."""
        ...

    def exit(
        self,
        session: Session,
        actor: Actor,
        partner_ids: list[int],
        *,
        reason: str,
        now: datetime,
        only_exit_on_referral_source: bool,
    ) -> int:
        """End the partners' live enrolments; the number ended."""
        ...


class NotConnected(RuntimeError):
    pass


class _Unconnected:
    def enrol(self, *_: object, **__: object) -> int:
        raise NotConnected("the cadence program is not connected (liaison.wiring.connect at start)")

    exit = enrol


_outreach: Outreach = _Unconnected()


def connect(outreach: Outreach) -> None:
    global _outreach
    _outreach = outreach


def current() -> Outreach:
    return _outreach
