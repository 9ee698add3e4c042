"""The referral hour counts: kept by every write, the pages' answers from them the same
as from the referrals, and a rebuild that repairs them."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import delete, update
from sqlmodel import Session, select
from typer.testing import CliRunner

from crm import settings
from crm.analytics import funnel
from crm.analytics.filters import Filters, Period
from crm.models import Referral, ReferralHourCount
from crm.referral_counts import answers_exactly, rebuild_summaries
from crm.referrals import complete_visits_due
from crm.transfer import import_file
from liaison.cli import app
from liaison.demo import seed_demo
from liaison.scheduler.jobs import registered
from tests.conftest import NOW
from tests.factories import make_location, make_partner, make_referral
from tests.summary_helpers import (
    LAST_12_FULL_MONTHS,
    NEW_YORK,
    counts_from_referrals,
    page_answers,
    stored_counts,
)

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
KOLKATA = ZoneInfo("Asia/Kolkata")  # +05:30: its days do not start on whole UTC hours
SERVICE_LINES = ("knee", "shoulder", "spine")
CHANNELS = ("", "fax", "web_form")


def _local_midnight(day: date, zone: ZoneInfo = NEW_YORK) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


# the instants the pages cut at: midnights that start months, periods and the days of the
# daylight saving changes, and the changes themselves (2 a.m. local)
EDGES = [
    *(
        _local_midnight(d)
        for d in (
            date(2024, 11, 1),
            date(2025, 11, 1),
            date(2025, 11, 2),
            date(2026, 3, 8),
            date(2026, 3, 15),
            date(2026, 10, 1),
            date(2026, 11, 1),
            date(2026, 11, 2),
        )
    ),
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
    _local_midnight(date(2026, 10, 1), LOS_ANGELES),
    _local_midnight(date(2026, 10, 1), KOLKATA),
]


@dataclass(frozen=True)
class _Named:
    id: int
    name: str
    address: str = ""


class World:
    """Random edits of referrals through every path that writes them."""

    def __init__(self, session: Session, actor, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
        self.session, self.actor, self.rng = session, actor, rng
        self.partners = [
            _Named(p.id, p.name, p.address)
            for p in (
                make_partner(session, partner_type="primary_care", territory="North"),
                make_partner(session, partner_type="physical_therapy", territory="South"),
                make_partner(session, partner_type="orthopedics", territory="North"),
            )
        ]
        self.locations = [
            _Named(loc.id, loc.name) for loc in (make_location(session), make_location(session))
        ]
        self.references = 0

    def time(self) -> datetime:
        edge = self.rng.choice(EDGES)
        return edge + timedelta(
            minutes=self.rng.randint(-150, 150), microseconds=self.rng.choice((0, 1, 999_999))
        )

    def later(self, start: datetime) -> datetime | None:
        if self.rng.random() < 0.4:
            return None
        return start + timedelta(minutes=self.rng.randint(0, 60 * 24 * 20))

    def ids(self, movable: bool = False) -> list[int]:
        """Referrals, or those without a partner's reference (which is unique per partner)."""
        query = select(Referral.id).order_by(Referral.id)
        if movable:
            query = query.where(Referral.partner_reference.is_(None))
        return list(self.session.exec(query))

    def referral(self, movable: bool = False) -> Referral | None:
        ids = self.ids(movable)
        return self.session.get(Referral, self.rng.choice(ids)) if ids else None

    def step(self) -> None:
        actions = [
            self.insert,
            self.insert,
            self.change_stage,
            self.change_stage,
            self.move,
            self.retime,
            self.relabel,
            self.remove,
            self.bulk_move,
            self.bulk_remove,
            self.imported,
            self.abandoned,
            self.visits_come,
        ]
        self.rng.choice(actions)()
        if self.rng.random() < 0.5:
            self.session.commit()

    def insert(self) -> None:
        received = self.time()
        contacted = self.later(received)
        self.session.add(
            Referral(
                partner_id=self.rng.choice(self.partners).id,
                received_at=received,
                service_line=self.rng.choice(SERVICE_LINES),
                channel=self.rng.choice(CHANNELS),
                location_id=self.rng.choice([None, *(loc.id for loc in self.locations)]),
                contacted_at=contacted,
                scheduled_at=self.later(received),
                first_visit_at=self.later(received),
                status=self.rng.choice(("received", "lost", "scheduled")),
                created_at=NOW,
                updated_at=NOW,
            )
        )
        self.session.flush()

    def change_stage(self) -> None:
        referral = self.referral()
        if referral is None:
            return
        name = self.rng.choice(("contacted_at", "scheduled_at", "first_visit_at", "status"))
        if name == "status":
            referral.status = self.rng.choice(("received", "lost", "completed"))
        else:
            setattr(referral, name, self.later(referral.received_at))
        self.session.flush()

    def move(self) -> None:
        referral = self.referral(movable=True)
        if referral is not None:
            referral.partner_id = self.rng.choice(self.partners).id
            self.session.flush()

    def retime(self) -> None:
        referral = self.referral()
        if referral is not None:
            referral.received_at = self.time()
            self.session.flush()

    def relabel(self) -> None:
        referral = self.referral()
        if referral is not None:
            referral.service_line = self.rng.choice(SERVICE_LINES)
            referral.channel = self.rng.choice(CHANNELS)
            referral.location_id = self.rng.choice([None, self.locations[0].id])
            self.session.flush()

    def remove(self) -> None:
        referral = self.referral()
        if referral is not None:
            self.session.delete(referral)
            self.session.flush()

    def bulk_move(self) -> None:
        ids = self.ids(movable=True)
        chosen = self.rng.sample(ids, min(len(ids), 3))
        self.session.execute(
            update(Referral)
            .where(Referral.id.in_(chosen))
            .values(partner_id=self.rng.choice(self.partners).id, received_at=self.time())
        )

    def bulk_remove(self) -> None:
        referral = self.referral()
        if referral is not None:
            self.session.execute(delete(Referral).where(Referral.id == referral.id))
            self.session.expunge(referral)

    def imported(self) -> None:
        """New rows and, by their references, rows imported before (an executemany UPDATE)."""
        self.session.commit()
        rows = [["Partner", "Partner Address", "Reference", "Received", "Service", "Clinic"]]
        rows[0] += ["Contacted", "Scheduled"]
        for _ in range(self.rng.randint(1, 4)):
            if self.references and self.rng.random() < 0.5:
                reference = self.rng.randint(1, self.references)
            else:
                self.references += 1
                reference = self.references
            partner = self.partners[reference % len(self.partners)]
            received = min([self.time(), *self.stages_of(partner.id, f"R-{reference}")])
            contacted, scheduled = self.later(received), self.later(received)
            rows.append(
                [
                    partner.name,
                    partner.address,
                    f"R-{reference}",
                    received.isoformat(),
                    self.rng.choice(("Knee", "Shoulder")),
                    self.rng.choice(("", self.locations[1].name)),
                    contacted.isoformat() if contacted else "",
                    scheduled.isoformat() if scheduled else "",
                ]
            )
        rows = list({row[2]: row for row in rows}.values())  # one row per reference
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        report = import_file(
            self.session, self.actor, "referrals", out.getvalue().encode(), "r.csv", now=NOW
        )
        assert report.written, report.rejected

    def stages_of(self, partner_id: int, reference: str) -> list[datetime]:
        """The stage dates a re-imported row keeps, which its receipt may not follow."""
        stored = self.session.exec(
            select(Referral).where(
                Referral.partner_id == partner_id, Referral.partner_reference == reference
            )
        ).first()
        if stored is None:
            return []
        dates = (stored.contacted_at, stored.scheduled_at, stored.first_visit_at)
        return [d for d in dates if d is not None]

    def abandoned(self) -> None:
        """Writes rolled back take their counts with them."""
        self.session.commit()
        self.insert()
        self.change_stage()
        self.session.rollback()

    def visits_come(self) -> None:
        complete_visits_due(self.session, NOW)


def _narrowings(world: World) -> list[Filters]:
    north, first = ("North",), world.locations[0].id
    return [
        Filters(period=LAST_12_FULL_MONTHS, zone=NEW_YORK),
        Filters(period=Period.month(2026, 11), zone=NEW_YORK, partner_types=("primary_care",)),
        Filters(period=Period(date(2026, 3, 1), date(2026, 3, 15)), zone=NEW_YORK),
        Filters(period=LAST_12_FULL_MONTHS, zone=NEW_YORK, territories=north),
        Filters(period=Period.month(2026, 10), zone=NEW_YORK, location_ids=(first,)),
        Filters(period=LAST_12_FULL_MONTHS, zone=NEW_YORK, service_lines=("knee", "spine")),
        Filters(period=Period.month(2026, 10), zone=LOS_ANGELES),
        Filters(period=Period.month(2026, 10), zone=KOLKATA),
    ]


def _assert_pages_agree(world: World) -> None:
    assert stored_counts(world.session) == counts_from_referrals(world.session)
    for filters in _narrowings(world):
        from_counts = page_answers(world.session, filters, summaries=True)
        from_referrals = page_answers(world.session, filters, summaries=False)
        for counted, truth in zip(from_counts, from_referrals, strict=True):
            pd.testing.assert_frame_equal(counted, truth)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_page_answers_the_same_from_the_counts_after_random_edits(session, marketer, seed):
    world = World(session, marketer, random.Random(seed))
    for step in range(80):
        world.step()
        if step % 40 == 39:
            session.commit()
            _assert_pages_agree(world)


def test_the_pages_read_the_counts_for_a_zone_of_whole_hours(session):
    filters = Filters(period=LAST_12_FULL_MONTHS, zone=NEW_YORK)
    assert answers_exactly(filters.bounds, filters.offset_minutes)


def test_the_pages_read_the_referrals_for_a_zone_of_half_hours(session):
    filters = Filters(period=Period.month(2026, 10), zone=KOLKATA)
    assert not answers_exactly(filters.bounds, filters.offset_minutes)


def test_a_referral_is_counted_in_its_own_transaction(session):
    alder = make_partner(session)
    make_referral(session, alder, datetime(2026, 10, 5, 14, 30, tzinfo=UTC), channel="fax")
    row = session.exec(select(ReferralHourCount)).one()
    assert (row.hour, row.partner_id, row.location_id, row.channel, row.received) == (
        datetime(2026, 10, 5, 14, 0, tzinfo=UTC),
        alder.id,
        0,
        "fax",
        1,
    )


def test_a_rolled_back_referral_leaves_no_count(session):
    alder = make_partner(session)
    session.add(
        Referral(
            partner_id=alder.id,
            received_at=NOW,
            service_line="knee",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    session.flush()
    session.rollback()
    assert session.exec(select(ReferralHourCount)).all() == []


def _corrupt(session: Session) -> None:
    session.execute(update(ReferralHourCount).values(received=ReferralHourCount.received + 5))
    session.commit()


def test_the_rebuild_repairs_corrupted_counts(session, engine):
    alder = make_partner(session)
    for day in (3, 10, 17):
        make_referral(session, alder, datetime(2026, 10, day, 15, tzinfo=UTC), contacted_at=NOW)
    _corrupt(session)
    october = Filters(period=Period.month(2026, 10), zone=NEW_YORK)
    assert funnel.funnel(session, october)["received"].tolist() == [18]
    rebuild_summaries(engine, *october.bounds)
    session.expire_all()
    assert funnel.funnel(session, october)["received"].tolist() == [3]
    assert stored_counts(session) == counts_from_referrals(session)


def test_a_rebuild_of_a_range_leaves_the_hours_outside_it(session, engine):
    alder = make_partner(session)
    make_referral(session, alder, datetime(2026, 9, 10, 15, tzinfo=UTC))
    make_referral(session, alder, datetime(2026, 10, 10, 15, tzinfo=UTC))
    _corrupt(session)
    rebuild_summaries(engine, *Period.month(2026, 10).bounds(NEW_YORK))
    session.expire_all()
    received = {r.hour.month: r.received for r in session.exec(select(ReferralHourCount))}
    assert received == {9: 6, 10: 1}


def test_the_command_rebuilds_the_days_given(app_env, session):
    alder = make_partner(session)
    make_referral(session, alder, datetime(2026, 10, 10, 15, tzinfo=UTC))
    make_referral(session, alder, datetime(2026, 11, 10, 15, tzinfo=UTC))
    _corrupt(session)
    result = CliRunner().invoke(
        app, ["analytics", "rebuild-summaries", "--from", "2026-10-01", "--to", "2026-10-31"]
    )
    assert result.exit_code == 0, result.output
    session.expire_all()
    received = {r.hour.month: r.received for r in session.exec(select(ReferralHourCount))}
    assert received == {10: 1, 11: 6}


def test_the_command_refuses_a_date_it_cannot_read(app_env):
    result = CliRunner().invoke(app, ["analytics", "rebuild-summaries", "--from", "10/01/2026"])
    assert result.exit_code == 2
    assert "should be a date like 2026-10-01" in result.output


def test_the_scheduler_reconciles_the_last_days(app_env, session, engine):
    alder = make_partner(session)
    make_referral(session, alder, NOW - timedelta(days=10))
    make_referral(session, alder, NOW - timedelta(days=1))
    _corrupt(session)
    job = next(j for j in registered() if j.name == "referral_counts")
    job.run(engine, settings.get(), lambda: NOW)
    session.expire_all()
    received = sorted(r.received for r in session.exec(select(ReferralHourCount)))
    assert received == [1, 6]


def test_the_demo_load_leaves_the_counts_equal_to_its_referrals(session, engine):
    seed_demo(engine, partners=30, years=1, now=NOW)
    assert stored_counts(session) == counts_from_referrals(session)


def test_referrals_written_after_the_demo_load_are_counted(session, engine):
    seed_demo(engine, partners=30, years=1, now=NOW)
    make_referral(session, make_partner(session), NOW)
    assert stored_counts(session) == counts_from_referrals(session)
