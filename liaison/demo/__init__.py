"""A believable sports-medicine practice to explore and demonstrate Liaison with:
clinics, liaisons, a leadership viewer, partners with contacts, years of touches and
referrals, and a few patients. Generated from a seed, so a demo can be rebuilt exactly.

The first admin is not created here (that is `crm users ensure-admin`); the demo users
are extra accounts sharing one documented password."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm import audit, partner_links
from crm.access import SYSTEM
from crm.db import session_scope
from crm.errors import InvalidInput
from crm.models import (
    Contact,
    Location,
    Partner,
    PartnerOpeningHours,
    Patient,
    Referral,
    Touch,
    User,
)
from crm.settings import Settings
from crm.users import hash_password
from crm.vocab import ReferralChannel, Role
from liaison.demo import places
from liaison.demo.bulk import insert_tables, loading
from liaison.demo.generate import WEB_FORM_DAYS, Context, Plan, default_referrals, generate

__all__ = [
    "DEFAULT_PASSWORD",
    "PASSWORD_ENV",
    "DemoSummary",
    "WebFormSample",
    "default_referrals",
    "demo_users",
    "has_partners",
    "seed_demo",
    "web_form_sample",
]

DEFAULT_PASSWORD = "liaison-demo-2026"
PASSWORD_ENV = "LIAISON_DEMO_PASSWORD"
_TABLES = {
    "partner": Partner,
    "contact": Contact,
    "patient": Patient,
    "referral": Referral,
    "touch": Touch,
    "partner_opening_hours": PartnerOpeningHours,
}


@dataclass(frozen=True)
class DemoSummary:
    """Rows added per table (existing demo users and clinics are reused, not counted)."""

    locations: int
    users: int
    partners: int
    contacts: int
    touches: int
    referrals: int
    patients: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class WebFormSample:
    """What the seed's summary says of the partner links: how many recent referrals came
    through them, and one partner's link to open, as its office would."""

    referrals: int
    partner: str
    link: str


def web_form_sample(engine: Engine, settings: Settings, now: datetime) -> WebFormSample | None:
    """The web-form referrals of the last WEB_FORM_DAYS and the link of the partner that
    sent the latest; None when there are none. Reads by the received-at index."""
    recent = (
        Referral.channel == ReferralChannel.WEB_FORM.value,
        Referral.received_at >= now - timedelta(days=WEB_FORM_DAYS),
        Referral.received_at <= now,
    )
    with Session(engine) as session:
        latest = session.scalar(
            select(Referral.partner_id)
            .where(*recent)
            .order_by(Referral.received_at.desc(), Referral.id.desc())
            .limit(1)
        )
        if latest is None:
            return None
        count = session.scalar(select(func.count(Referral.id)).where(*recent)) or 0
        partner = session.get(Partner, latest)
        return WebFormSample(count, partner.name, partner_links.link_for(settings, partner))


def demo_users() -> list[tuple[str, str, str]]:
    """(name, email, role) of every demo account."""
    liaisons = [(name, email, Role.MARKETER.value) for name, email in places.LIAISONS]
    return liaisons + [(*places.LEADERSHIP, Role.VIEWER.value)]


def has_partners(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(Partner.id).limit(1)).first() is not None


def seed_demo(
    engine: Engine,
    *,
    partners: int = 400,
    years: int = 3,
    seed: int = 1,
    now: datetime,
    referrals: int | None = None,
    password: str = DEFAULT_PASSWORD,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Add a demo practice whose history ends at `now`. Referrals default to
    partners × years × 8; the same arguments on an empty database give identical rows."""
    if partners < 1 or years < 1:
        raise InvalidInput("the demo needs at least one partner and one year")
    if referrals is not None and referrals < 0:
        raise InvalidInput("the number of referrals cannot be negative")
    if now.utcoffset() is None:
        raise ValueError("now needs a time zone")
    report = progress or (lambda _message: None)
    plan = Plan(
        partners=partners,
        years=years,
        seed=seed,
        now=now,
        referrals=default_referrals(partners, years) if referrals is None else referrals,
    )
    with session_scope(engine) as session:
        locations, new_locations = _ensure_locations(session, now)
        liaisons, new_users = _ensure_users(session, password, now)
        first_ids = _next_ids(session)
    report(f"generating {plan.partners:,} partners and {plan.referrals:,} referrals (seed {seed})")
    tables = generate(
        plan, Context(liaison_ids=liaisons, location_ids=locations, first_ids=first_ids)
    )
    counts = {table.name: len(table) for table in tables}
    with loading(engine) as connection:
        insert_tables(connection, tables, report)
    summary = DemoSummary(
        locations=new_locations,
        users=new_users,
        partners=counts["partner"],
        contacts=counts["contact"],
        touches=counts["touch"],
        referrals=counts["referral"],
        patients=counts["patient"],
    )
    with session_scope(engine) as session:
        audit.record(
            session,
            SYSTEM,
            "seed",
            "demo",
            None,
            {**summary.as_dict(), "seed": seed, "years": years},
            now,
        )
    return summary


def _ensure_locations(session: Session, now: datetime) -> tuple[list[int], int]:
    """The practice's clinics by name, created when missing; ids in `places.CLINICS` order."""
    existing = dict(session.execute(select(Location.name, Location.id)).all())
    missing = [c for c in places.CLINICS if c.name not in existing]
    for clinic in missing:
        location = Location(
            name=clinic.name,
            address=clinic.address,
            city=clinic.city,
            state="MA",
            zip=clinic.zip,
            phone=clinic.phone,
            fax=clinic.fax,
            timezone="America/New_York",
            created_at=now,
        )
        session.add(location)
        session.flush()
        existing[clinic.name] = location.id
        audit.record(session, SYSTEM, "create", "location", location.id, {"name": clinic.name}, now)
    return [existing[c.name] for c in places.CLINICS], len(missing)


def _ensure_users(session: Session, password: str, now: datetime) -> tuple[list[int], int]:
    """Demo accounts by email, created when missing with one password hash (argon2 is
    deliberately slow); returns the liaisons' ids and how many accounts were added."""
    wanted = demo_users()
    existing = dict(
        session.execute(
            select(User.email, User.id).where(User.email.in_([e for _, e, _ in wanted]))
        ).all()
    )
    missing = [user for user in wanted if user[1] not in existing]
    password_hash = hash_password(password) if missing else ""
    for name, email, role in missing:
        # Leadership reads the monthly report, so the demo's leadership account gets it.
        user = User(
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            created_at=now,
            monthly_report=role == Role.VIEWER.value,
        )
        session.add(user)
        session.flush()
        existing[email] = user.id
        audit.record(
            session, SYSTEM, "create", "user", user.id, {"email": email, "role": role}, now
        )
    return [existing[email] for _, email, role in wanted if role == Role.MARKETER.value], len(
        missing
    )


def _next_ids(session: Session) -> dict[str, int]:
    """Ids are given explicitly so rows can point at each other before they are written."""
    return {
        name: (session.execute(select(func.max(model.id))).scalar() or 0) + 1
        for name, model in _TABLES.items()
    }
