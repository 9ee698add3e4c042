"""A year's seasonal sends, generated from the sports calendar, and their approval.

There is one SeasonalSend per sport and phase (pre-, mid-, post-season). The sends of
one season and phase share a day, so that the contacts of a partner serving football and
soccer get one pre-season email naming both: pre-season `PRE_SEASON_WEEKS` before the
season's earliest start, mid-season halfway between its earliest start and latest end,
post-season `POST_SEASON_DAYS` after its latest end. Generated sends are drafts; only an
approved send is ever enqueued (see `campaigns.seasonal.enqueue`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlmodel import Session

from campaigns.seasonal.sports_calendar import SEASONS, default_dates, seasons_of
from crm import audit
from crm.access import Actor, require_editor
from crm.errors import InvalidInput
from crm.models import SeasonalSend, SportSeason

PHASES = ("pre", "mid", "post")
PHASE_LABELS = {"pre": "Pre-season", "mid": "Mid-season", "post": "Post-season"}
PHASE_TEMPLATES = {
    "pre": "preseason_education",
    "mid": "midseason_education",
    "post": "postseason_education",
}
PRE_SEASON_WEEKS = 3
POST_SEASON_DAYS = 3
DRAFT, APPROVED, SENT = "draft", "approved", "sent"
MISSED = "missed"  # shown, never stored: a draft whose day passed before anyone approved it


class SendError(InvalidInput):
    pass


@dataclass(frozen=True)
class GenerateReport:
    created: int
    moved: int  # drafts whose day changed because the calendar changed


def phase_days(seasons: list[SportSeason]) -> dict[tuple[str, str], date]:
    """(season, phase) -> the day its sends go, from the sports in that season."""
    spans: dict[str, list[SportSeason]] = defaultdict(list)
    for row in seasons:
        spans[row.season].append(row)
    days: dict[tuple[str, str], date] = {}
    for season, rows in spans.items():
        first = min(r.starts_on for r in rows)
        last = max(r.ends_on for r in rows)
        days[(season, "pre")] = first - timedelta(weeks=PRE_SEASON_WEEKS)
        days[(season, "mid")] = first + timedelta(days=(last - first).days // 2)
        days[(season, "post")] = last + timedelta(days=POST_SEASON_DAYS)
    return days


def generate_year(session: Session, actor: Actor, year: int, now: datetime) -> GenerateReport:
    """Draft a send for every sport and phase of the year's calendar. Running it again
    adds what the calendar gained and moves drafts whose day changed; an approved or
    sent send is left alone (its approval was for that day)."""
    require_editor(actor)
    seasons = seasons_of(session, year)
    days = phase_days(seasons)
    existing = {(s.sport, s.phase): s for s in sends_of(session, year)}
    created, moved = [], 0
    for row in seasons:
        for phase in PHASES:
            day = days[(row.season, phase)]
            send = existing.get((row.sport, phase))
            if send is None:
                created.append(
                    SeasonalSend(
                        year=year,
                        sport=row.sport,
                        season=row.season,
                        phase=phase,
                        send_on=day,
                        status=DRAFT,
                        created_at=now,
                    )
                )
            elif send.status == DRAFT and (send.send_on, send.season) != (day, row.season):
                send.send_on, send.season = day, row.season
                moved += 1
    session.add_all(created)
    session.flush()
    audit.record(
        session,
        actor,
        "generate",
        "seasonal_send",
        None,
        {"year": year, "created": len(created), "moved": moved},
        now,
    )
    return GenerateReport(len(created), moved)


def sends_of(session: Session, year: int) -> list[SeasonalSend]:
    return list(
        session.execute(
            select(SeasonalSend)
            .where(SeasonalSend.year == year)
            .order_by(SeasonalSend.send_on, SeasonalSend.season, SeasonalSend.sport)
        ).scalars()
    )


def shown_status(send: SeasonalSend, today: date) -> str:
    """What the marketer reads: a draft whose day has passed was missed."""
    return MISSED if send.status == DRAFT and send.send_on < today else send.status


def next_year_to_plan(session: Session, today: date) -> int:
    """The calendar year holding the next send to come (a winter's sends run into the
    next January): from the sends drawn up, else from the sports calendar, else the year
    of the next school season to start."""
    upcoming = session.execute(
        select(SeasonalSend.year)
        .where(SeasonalSend.send_on >= today, SeasonalSend.status != SENT)
        .order_by(SeasonalSend.send_on, SeasonalSend.year)
        .limit(1)
    ).scalar()
    if upcoming is not None:
        return int(upcoming)
    years = (today.year - 1, today.year, today.year + 1)
    rows = session.execute(select(SportSeason).where(SportSeason.year.in_(years))).scalars().all()
    planned = [
        (day, year)
        for year in years
        for day in phase_days([r for r in rows if r.year == year]).values()
        if day >= today
    ]
    if planned:
        return min(planned)[1]
    starts = [
        (default_dates(year, season).starts_on, year) for year in years[1:] for season in SEASONS
    ]
    return min((start, year) for start, year in starts if start >= today)[1]


def approve(
    session: Session, actor: Actor, send_ids: list[int], now: datetime, *, zone: ZoneInfo
) -> int:
    """Approve these drafts (one send, or every send of a season); returns how many.
    Sends already approved or enqueued are left as they are. A draft whose day has
    passed in the practice's zone was missed: approving it would send a season's
    email weeks late, so it is refused."""
    require_editor(actor)
    today = now.astimezone(zone).date()
    drafts = (
        session.execute(
            select(SeasonalSend).where(
                SeasonalSend.id.in_(sorted(set(send_ids))), SeasonalSend.status == DRAFT
            )
        )
        .scalars()
        .all()
    )
    missed = [d for d in drafts if d.send_on < today]
    if missed:
        raise SendError(
            "missed: the day of "
            + ", ".join(
                f"{PHASE_LABELS[d.phase].lower()} {d.sport} ({d.send_on:%b %d, %Y})" for d in missed
            )
            + " passed before it was approved; it can no longer be sent"
        )
    ids = [d.id for d in drafts]
    if not ids:
        return 0
    session.execute(
        update(SeasonalSend)
        .where(SeasonalSend.id.in_(ids), SeasonalSend.status == DRAFT)
        .values(status=APPROVED, approved_by=actor.id, approved_at=now)
        .execution_options(synchronize_session="fetch")
    )
    audit.record_many(
        session,
        actor,
        [
            {
                "action": "approve",
                "entity": "seasonal_send",
                "entity_id": i,
                "changes": {"status": [DRAFT, APPROVED]},
            }
            for i in ids
        ],
        now,
    )
    return len(ids)


def approve_season(
    session: Session, actor: Actor, year: int, season: str, now: datetime, *, zone: ZoneInfo
) -> int:
    """Approve every draft of a season still to come in one go; its missed sends stay missed."""
    if season not in SEASONS:
        raise SendError(f"unknown season {season!r}")
    today = now.astimezone(zone).date()
    ids = (
        session.execute(
            select(SeasonalSend.id).where(
                SeasonalSend.year == year,
                SeasonalSend.season == season,
                SeasonalSend.status == DRAFT,
                SeasonalSend.send_on >= today,
            )
        )
        .scalars()
        .all()
    )
    return approve(session, actor, list(ids), now, zone=zone)


def withdraw(session: Session, actor: Actor, send_id: int, now: datetime) -> SeasonalSend:
    """Back to draft, as long as it has not been enqueued."""
    require_editor(actor)
    send = session.get(SeasonalSend, send_id)
    if send is None:
        raise SendError(f"no seasonal send with id {send_id}")
    if send.status != APPROVED:
        raise SendError(f"only an approved send can be withdrawn (this one is {send.status})")
    send.status, send.approved_by, send.approved_at = DRAFT, None, None
    session.flush()
    audit.record(
        session, actor, "withdraw", "seasonal_send", send.id, {"status": [APPROVED, DRAFT]}, now
    )
    return send
