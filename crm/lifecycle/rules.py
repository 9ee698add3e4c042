"""The lifecycle rules as pure functions: from what is known about one partner (its
status, when that status was last set, its first conversation and first referral since
then, its last referral and its usual interval between referrals) and `now`, the moves
it makes. No database here, so every rule is tested with plain values.

A partner moves on its own from what happens:

- prospect -> engaged on a conversation (a call, a visit, a lunch-and-learn, an
  in-service, event attendance); an email is outreach, not a conversation;
- prospect, engaged or dormant -> referral source on a referral received after the
  status was last set (cause "referral", cause_id that referral);
- referral source -> dormant when it has gone quiet (see `dormant_threshold_days`);
- dormant -> referral source again on a new referral, or when its last referral turns
  out to be within its rhythm (typed in late, or a dormant status that came with
  imported or demo rows and no recorded history).

A move is dated when it happened (the referral's or the touch's time, never before the
status it leaves was set), so conversion after outreach is measured on real dates even
when the history arrives by import; going dormant is dated when the pass noticed it.

`do_not_contact` is never moved by these rules: only a person sets or clears it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from crm.vocab import PartnerStatus

DORMANT_AFTER_INTERVALS = 3.0
DORMANT_MIN_DAYS = 60
DORMANT_MAX_DAYS = 180

CONVERSATION_KINDS = ("call", "visit", "lunch_and_learn", "in_service", "event_attendance")

PROSPECT = PartnerStatus.PROSPECT.value
ENGAGED = PartnerStatus.ENGAGED.value
SOURCE = PartnerStatus.REFERRAL_SOURCE.value
DORMANT = PartnerStatus.DORMANT.value


@dataclass(frozen=True)
class Event:
    """A touch or a referral: when it happened and its id, to name it as a cause."""

    at: datetime
    id: int


@dataclass(frozen=True)
class Thresholds:
    dormant_after_intervals: float = DORMANT_AFTER_INTERVALS
    dormant_min_days: int = DORMANT_MIN_DAYS
    dormant_max_days: int = DORMANT_MAX_DAYS


@dataclass(frozen=True)
class PartnerFacts:
    """One partner's summary. `since` is when its status was last set (None when no
    change was ever recorded, for instance rows imported or generated with a status);
    `first_conversation` is the first conversation after `since`, `first_referral` the
    first referral received after it, `late_referral` the latest one received before it
    but entered after it (typed in late)."""

    partner_id: int
    status: str
    since: datetime | None
    created_at: datetime
    first_conversation: Event | None = None
    first_referral: Event | None = None
    late_referral: Event | None = None
    last_referral: Event | None = None
    usual_interval_days: float | None = None


@dataclass(frozen=True)
class Move:
    partner_id: int
    at: datetime
    from_status: str
    to_status: str
    cause: str
    cause_id: int | None = None
    detail: str = ""


def dormant_threshold_days(usual_interval_days: float | None, thresholds: Thresholds) -> float:
    """How long a referral source may be quiet before it counts as dormant: a threshold
    on the partner's own rhythm, like a control limit. A source that refers weekly is
    worrying after a few silent weeks; one that refers twice a year is not. So the
    limit is `dormant_after_intervals` times its usual interval (the median gap between
    its referrals, robust to one odd gap), never less than `dormant_min_days` (a busy
    source is not dormant after a quiet fortnight) and never more than
    `dormant_max_days` (half a year of silence is dormant whatever the rhythm). With
    fewer than two referrals there is no rhythm yet, so the limit is `dormant_max_days`."""
    if usual_interval_days is None:
        return float(thresholds.dormant_max_days)
    rhythm = max(
        float(thresholds.dormant_min_days), thresholds.dormant_after_intervals * usual_interval_days
    )
    return min(float(thresholds.dormant_max_days), rhythm)


def moves_for(
    facts: PartnerFacts, now: datetime, thresholds: Thresholds = Thresholds()
) -> list[Move]:
    """Every move the partner makes now, in order, until its status is settled, so one
    pass leaves nothing for the next (a prospect whose only referrals are a year old
    becomes a referral source and then dormant in the same pass)."""
    moves: list[Move] = []
    for _ in range(4):  # at most prospect -> engaged -> source -> dormant
        move = _next_move(facts, now, thresholds)
        if move is None:
            break
        moves.append(move)
        facts = replace(
            facts,
            status=move.to_status,
            since=move.at,
            first_conversation=_after(facts.first_conversation, move.at),
            first_referral=_after(facts.first_referral, move.at),
            late_referral=None,
        )
    return moves


def _after(event: Event | None, since: datetime) -> Event | None:
    """What happened up to a move is spent by it; only later events can move the partner again."""
    return event if event and event.at > since else None


def final_statuses(moves: list[Move]) -> dict[int, str]:
    """Where each moved partner ends up after all its moves."""
    return {move.partner_id: move.to_status for move in moves}


def _next_move(facts: PartnerFacts, now: datetime, thresholds: Thresholds) -> Move | None:
    conversation = facts.first_conversation
    referral = facts.first_referral or facts.late_referral
    if (
        facts.status == PROSPECT
        and conversation
        and (referral is None or conversation.at < referral.at)
    ):
        return _move(facts, conversation.at, ENGAGED, "touch", conversation.id, "a conversation")
    if facts.status in (PROSPECT, ENGAGED) and referral:
        return _move(facts, referral.at, SOURCE, "referral", referral.id, "a referral")
    if facts.status == DORMANT and facts.since and facts.first_referral:
        return _move(
            facts,
            facts.first_referral.at,
            SOURCE,
            "referral",
            facts.first_referral.id,
            "referring again",
        )
    if facts.status == DORMANT and not _quiet_since_last_referral(facts, now, thresholds):
        return _revived(facts)
    if facts.status == SOURCE and _quiet(facts, now, thresholds):
        return _move(facts, now, DORMANT, "quiet", None, _quiet_detail(facts, now, thresholds))
    return None


def _revived(facts: PartnerFacts) -> Move | None:
    """A dormant partner whose last referral is within its rhythm after all: one typed in
    after it went dormant, or (with no recorded history, as after an import or the demo)
    any recent one."""
    referral = facts.late_referral if facts.since else facts.last_referral
    if referral is None:
        return None
    return _move(
        facts,
        referral.at,
        SOURCE,
        "referral",
        referral.id,
        "its last referral is within its rhythm",
    )


def _move(
    facts: PartnerFacts, at: datetime, to_status: str, cause: str, cause_id: int | None, detail: str
) -> Move:
    """A move is never dated before the status it leaves was set, so history stays in order."""
    at = max(at, facts.since) if facts.since else at
    return Move(facts.partner_id, at, facts.status, to_status, cause, cause_id, detail)


def _quiet_from(facts: PartnerFacts) -> datetime:
    """Silence counts from the last referral or from when the status was set, whichever is
    later: a partner a person just marked as a source is not dormant the same day. The
    row's creation counts only when there is nothing else: an imported partner is
    created today with referrals from years ago."""
    candidates = [t for t in (facts.since, facts.last_referral and facts.last_referral.at) if t]
    return max(candidates) if candidates else facts.created_at


def _quiet(facts: PartnerFacts, now: datetime, thresholds: Thresholds) -> bool:
    limit = dormant_threshold_days(facts.usual_interval_days, thresholds)
    return now - _quiet_from(facts) > timedelta(days=limit)


def _quiet_since_last_referral(facts: PartnerFacts, now: datetime, thresholds: Thresholds) -> bool:
    if facts.last_referral is None:
        return True
    limit = dormant_threshold_days(facts.usual_interval_days, thresholds)
    return now - facts.last_referral.at > timedelta(days=limit)


def _quiet_detail(facts: PartnerFacts, now: datetime, thresholds: Thresholds) -> str:
    days = (now - _quiet_from(facts)).days
    limit = dormant_threshold_days(facts.usual_interval_days, thresholds)
    rhythm = (
        f"usual interval {facts.usual_interval_days:.0f} days"
        if facts.usual_interval_days is not None
        else "no usual interval yet"
    )
    return f"no referral for {days} days; {rhythm}; dormant after {limit:.0f} days"
