"""The practice's sports calendar: which sports it follows, in which school season, and
when each season starts and ends in a year.

A year starts from US school defaults (`DEFAULT_SPORTS`) that a marketer then edits.
Sport names are the words partners' `sports` lists use ("ice hockey", "track and
field"), so that a partner serving a sport is found by the same word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.db import insert_for
from crm.errors import InvalidInput
from crm.models import SportSeason

SEASONS = ("fall", "winter", "spring")
DEFAULT_SPORTS: dict[str, tuple[str, ...]] = {
    "fall": ("football", "soccer", "volleyball", "cross country"),
    "winter": ("basketball", "wrestling", "ice hockey", "swimming"),
    "spring": ("baseball", "softball", "track and field", "lacrosse", "tennis"),
}


class SeasonError(InvalidInput):
    pass


@dataclass(frozen=True)
class SeasonDates:
    starts_on: date
    ends_on: date


def default_dates(year: int, season: str) -> SeasonDates:
    """Typical US high-school seasons; winter runs into the next calendar year."""
    if season == "fall":
        return SeasonDates(date(year, 8, 17), date(year, 11, 14))
    if season == "winter":
        return SeasonDates(date(year, 11, 23), date(year + 1, 2, 27))
    if season == "spring":
        return SeasonDates(date(year, 3, 9), date(year, 5, 30))
    raise SeasonError(f"unknown season {season!r}; it is one of {', '.join(SEASONS)}")


def seasons_of(session: Session, year: int) -> list[SportSeason]:
    return list(
        session.execute(
            select(SportSeason)
            .where(SportSeason.year == year)
            .order_by(SportSeason.starts_on, SportSeason.sport)
        ).scalars()
    )


def add_defaults(session: Session, actor: Actor, year: int, now: datetime) -> int:
    """The default sports for `year` that the calendar does not have yet; returns how
    many were added (a sport already there, edited or not, is left as it is)."""
    require_editor(actor)
    rows = [
        {
            "year": year,
            "sport": sport,
            "season": season,
            "starts_on": dates.starts_on,
            "ends_on": dates.ends_on,
        }
        for season, sports in DEFAULT_SPORTS.items()
        for dates in [default_dates(year, season)]
        for sport in sports
    ]
    before = len(seasons_of(session, year))
    session.execute(
        insert_for(session, SportSeason).on_conflict_do_nothing(index_elements=["year", "sport"]),
        rows,
    )
    added = len(seasons_of(session, year)) - before
    audit.record(
        session, actor, "add_defaults", "sport_season", None, {"year": year, "added": added}, now
    )
    return added


def save_season(
    session: Session,
    actor: Actor,
    *,
    year: int,
    sport: str,
    season: str,
    starts_on: date,
    ends_on: date,
    now: datetime,
) -> SportSeason:
    """Add a sport to the year's calendar, or change its season and dates."""
    require_editor(actor)
    name = " ".join(sport.strip().lower().split())
    _check(name, season, starts_on, ends_on)
    row = session.execute(
        select(SportSeason).where(SportSeason.year == year, SportSeason.sport == name)
    ).scalar_one_or_none()
    values = {"season": season, "starts_on": starts_on, "ends_on": ends_on}
    if row is None:
        row = SportSeason(year=year, sport=name, **values)
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "create",
            "sport_season",
            row.id,
            {"year": year, "sport": name, **values},
            now,
        )
        return row
    changes = audit.diff(row, values)
    for field, value in values.items():
        setattr(row, field, value)
    session.flush()
    if changes:
        audit.record(session, actor, "update", "sport_season", row.id, changes, now)
    return row


def remove_season(session: Session, actor: Actor, season_id: int, now: datetime) -> None:
    require_editor(actor)
    row = session.get(SportSeason, season_id)
    if row is None:
        raise SeasonError(f"no sport season with id {season_id}")
    audit.record(
        session,
        actor,
        "delete",
        "sport_season",
        row.id,
        {"year": row.year, "sport": row.sport},
        now,
    )
    session.delete(row)
    session.flush()


def _check(sport: str, season: str, starts_on: date, ends_on: date) -> None:
    if not sport:
        raise SeasonError("a sport needs a name")
    if "," in sport:
        raise SeasonError("one sport at a time (no commas)")
    if season not in SEASONS:
        raise SeasonError(f"unknown season {season!r}; it is one of {', '.join(SEASONS)}")
    if ends_on <= starts_on:
        raise SeasonError("a season must end after it starts")
