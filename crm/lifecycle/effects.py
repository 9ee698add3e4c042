"""What a lifecycle move does to outreach. A partner that became a referral source
leaves every cadence set to exit on it (typically prospecting) and, when that cadence
names a nurture cadence, enters it; a partner that went dormant enters every active
win-back cadence. Enrolling and exiting are the cadence program's, reached through
the hook in `crm.lifecycle.outreach`, a whole group of partners per call."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session

from crm.access import SYSTEM, Actor
from crm.lifecycle.outreach import current
from crm.lifecycle.rules import DORMANT, SOURCE, Move, final_statuses
from crm.models import Cadence, Enrolment
from crm.vocab import CadencePurpose, EnrolmentStatus, ExitReason

# Enrolments are manual, segment or rule; a lifecycle enrolment is made by a rule of the
# practice (its cadence settings), so it is recorded as "rule".
ENROLMENT_SOURCE = "rule"
LIVE = (EnrolmentStatus.ACTIVE.value, EnrolmentStatus.PAUSED.value)
BATCH = 900


@dataclass
class CadenceEffects:
    exited: int = 0
    enrolled: dict[int, int] = field(default_factory=dict)  # cadence id -> partners newly enrolled


def apply_cadence_effects(session: Session, moves: list[Move], now: datetime) -> CadenceEffects:
    """Exits for every partner that became a source in this pass (even if it then went
    dormant in the same pass: it has referred, so it is no prospect); nurture only for
    those still sources at the end, win-back for those dormant at the end."""
    final = final_statuses(moves)
    became_source = sorted({m.partner_id for m in moves if m.to_status == SOURCE})
    effects = CadenceEffects()
    if became_source:
        nurture = _nurture_targets(session, became_source)
        effects.exited = _exit(
            session,
            became_source,
            ExitReason.REFERRAL_SOURCE.value,
            now,
            only_exit_on_referral_source=True,
        )
        for cadence_id, partner_ids in nurture.items():
            _enrol(
                session, effects, cadence_id, [p for p in partner_ids if final[p] == SOURCE], now
            )
    dormant = sorted(p for p, status in final.items() if status == DORMANT)
    if dormant:
        for cadence_id in _win_back_cadences(session):
            _enrol(session, effects, cadence_id, dormant, now)
    return effects


def exit_all(
    session: Session, actor: Actor, partner_ids: list[int], reason: str, now: datetime
) -> int:
    """Every live enrolment of these partners ends (a person set do not contact)."""
    return _exit(session, partner_ids, reason, now, only_exit_on_referral_source=False, actor=actor)


def batches(ids: list[int], size: int = BATCH) -> list[list[int]]:
    """IN lists in pieces: SQLite and PostgreSQL cap the parameters of one statement,
    and an import can move tens of thousands of partners at once."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _nurture_targets(session: Session, partner_ids: list[int]) -> dict[int, list[int]]:
    """For the partners' live enrolments in cadences that exit on becoming a source and
    name an active nurture cadence: nurture cadence id -> partner ids. Read before the
    exits, which end those enrolments."""
    nurture = aliased(Cadence)
    targets: dict[int, list[int]] = defaultdict(list)
    for batch in batches(partner_ids):
        rows = session.execute(
            select(Cadence.nurture_cadence_id, Enrolment.partner_id)
            .distinct()
            .join(Cadence, Cadence.id == Enrolment.cadence_id)
            .join(nurture, nurture.id == Cadence.nurture_cadence_id)
            .where(
                Enrolment.partner_id.in_(batch),
                Enrolment.status.in_(LIVE),
                Cadence.exit_on_referral_source == true(),
                nurture.active == true(),
            )
        ).all()
        for cadence_id, partner_id in rows:
            targets[cadence_id].append(partner_id)
    return targets


def _win_back_cadences(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(Cadence.id)
            .where(Cadence.purpose == CadencePurpose.WIN_BACK.value, Cadence.active == true())
            .order_by(Cadence.id)
        )
    )


def _exit(
    session: Session,
    partner_ids: list[int],
    reason: str,
    now: datetime,
    *,
    only_exit_on_referral_source: bool,
    actor: Actor = SYSTEM,
) -> int:
    outreach = current()
    return sum(
        outreach.exit(
            session,
            actor,
            batch,
            reason=reason,
            now=now,
            only_exit_on_referral_source=only_exit_on_referral_source,
        )
        for batch in batches(partner_ids)
    )


def _enrol(
    session: Session,
    effects: CadenceEffects,
    cadence_id: int,
    partner_ids: list[int],
    now: datetime,
) -> None:
    if not partner_ids:
        return
    outreach = current()
    for batch in batches(sorted(partner_ids)):
        enrolled = outreach.enrol(
            session, SYSTEM, cadence_id, batch, source=ENROLMENT_SOURCE, now=now
        )
        effects.enrolled[cadence_id] = effects.enrolled.get(cadence_id, 0) + enrolled
