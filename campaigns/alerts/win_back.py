"""From the Dormancy page to a win-back cadence in one click. Only a cadence whose
purpose is win-back may be chosen, so a slipping partner is never dropped into a
prospecting sequence by a mis-click; enrolling itself is `campaigns.cadences.enrolment.enrol`,
which reports partners already in the cadence instead of enrolling them twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from campaigns.cadences.enrolment import EnrolReport, enrol, get_cadence
from crm.access import Actor, require_editor
from crm.errors import InvalidInput
from crm.models import Cadence
from crm.vocab import CadencePurpose


@dataclass(frozen=True)
class WinBackCadence:
    id: int
    name: str


def win_back_cadences(session: Session) -> list[WinBackCadence]:
    """Switched-on cadences meant for winning partners back, by name."""
    rows = session.execute(
        select(Cadence.id, Cadence.name)
        .where(Cadence.purpose == CadencePurpose.WIN_BACK.value, Cadence.active.is_(True))
        .order_by(Cadence.name)
    )
    return [WinBackCadence(cid, name) for cid, name in rows]


def enrol_in_win_back(
    session: Session, actor: Actor, partner_ids: Sequence[int], cadence_id: int, now: datetime
) -> EnrolReport:
    require_editor(actor)
    if not partner_ids:
        raise InvalidInput("choose at least one partner to enrol")
    cadence = get_cadence(session, cadence_id)
    if cadence.purpose != CadencePurpose.WIN_BACK.value:
        raise InvalidInput(f"{cadence.name} is not a win-back cadence")
    return enrol(session, actor, cadence.id, list(partner_ids), source="manual", now=now)
