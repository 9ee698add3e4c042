"""The lifecycle pass: read every partner's facts in a few grouped queries, apply the
pure rules, then write all the moves at once. It runs hourly from the scheduler and is
safe to run at any time (after a bulk import, twice in a row): a move is only made when
something happened after the partner's status was last set, so a second pass finds
nothing new."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, update
from sqlmodel import Session

from crm.lifecycle.effects import CadenceEffects, apply_cadence_effects, batches
from crm.lifecycle.facts import read_facts
from crm.lifecycle.rules import (
    DORMANT_AFTER_INTERVALS,
    DORMANT_MAX_DAYS,
    DORMANT_MIN_DAYS,
    Move,
    Thresholds,
    final_statuses,
    moves_for,
)
from crm.models import Partner, PartnerStatusChange


@dataclass
class LifecycleReport:
    moves: list[Move] = field(default_factory=list)
    cadences: CadenceEffects = field(default_factory=CadenceEffects)


def advance_lifecycle(
    session: Session,
    now: datetime,
    *,
    dormant_after_intervals: float = DORMANT_AFTER_INTERVALS,
    dormant_min_days: int = DORMANT_MIN_DAYS,
    dormant_max_days: int = DORMANT_MAX_DAYS,
    partner_ids: list[int] | None = None,
) -> LifecycleReport:
    """Move every partner (or just `partner_ids`) whose status follows from what
    happened, record each move with its time and cause, then apply the cadence effects
    (see `crm.lifecycle.effects`). See `crm.lifecycle.rules.dormant_threshold_days` for
    the dormant rule. The caller commits."""
    thresholds = Thresholds(dormant_after_intervals, dormant_min_days, dormant_max_days)
    facts = read_facts(session, now, quiet_for_days=dormant_min_days, partner_ids=partner_ids)
    moves = [move for partner in facts for move in moves_for(partner, now, thresholds)]
    moves = _write(session, moves, now)
    return LifecycleReport(moves=moves, cadences=apply_cadence_effects(session, moves, now))


def _write(session: Session, moves: list[Move], now: datetime) -> list[Move]:
    """Update the partners' statuses, one statement per (from, to) pair and guarded by the
    status that was read, so a person's change made meanwhile (do not contact above all)
    is never overwritten; then insert the moves of the partners actually updated."""
    first_from: dict[int, str] = {}
    for move in moves:
        first_from.setdefault(move.partner_id, move.from_status)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for partner_id, final in final_statuses(moves).items():
        groups[(first_from[partner_id], final)].append(partner_id)
    updated: set[int] = set()
    for (from_status, to_status), ids in groups.items():
        for batch in batches(ids):
            result = session.execute(
                update(Partner)
                .where(Partner.id.in_(batch), Partner.status == from_status)
                .values(status=to_status, updated_at=now)
                .returning(Partner.id)
            )
            updated.update(row[0] for row in result)
    written = [m for m in moves if m.partner_id in updated]
    if written:
        session.execute(
            insert(PartnerStatusChange.__table__),
            [
                {
                    "partner_id": m.partner_id,
                    "at": m.at,
                    "from_status": m.from_status,
                    "to_status": m.to_status,
                    "cause": m.cause,
                    "cause_id": m.cause_id,
                    "detail": m.detail[:300],
                    "user_id": None,
                }
                for m in written
            ],
        )
    return written
