import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner

from crm import partner_links, settings, validation
from crm.dbadmin import empty_all_tables
from crm.models import Contact, Partner, PartnerOpeningHours, Patient, Referral, Touch, User
from crm.prospects import geo
from crm.users import authenticate
from crm.vocab import ReferralChannel, ReferralStatus, ServiceLine, Urgency
from liaison.cli import app
from liaison.demo import DEFAULT_PASSWORD, demo_users, seed_demo
from liaison.demo.generate import WEB_FORM_DAYS, Context, Plan, generate
from tests.factories import make_partner


def seed(engine, now, **options):
    return seed_demo(engine, **{"partners": 120, "years": 2, "seed": 3, "now": now, **options})


def snapshot(engine) -> dict[str, list[tuple]]:
    rows = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name != "password_hash"]
            key = table.c.id if "id" in table.c else columns[0]
            rows[table.name] = [
                tuple(r) for r in connection.execute(select(*columns).order_by(key))
            ]
    return rows


def referrals(engine) -> list[Referral]:
    with Session(engine) as session:
        return list(session.scalars(select(Referral)))


def test_the_same_seed_gives_identical_rows_in_a_fresh_database(engine, now):
    seed(engine, now, seed=7)
    first = snapshot(engine)
    empty_all_tables(engine)
    seed(engine, now, seed=7)
    assert snapshot(engine) == first
    assert len(first["referral"]) == 120 * 2 * 8


def test_a_different_seed_gives_different_partners(now):
    context = Context(
        liaison_ids=[1, 2],
        location_ids=[1, 2, 3, 4],
        first_ids=dict.fromkeys(
            ["partner", "contact", "patient", "referral", "touch", "partner_opening_hours"], 1
        ),
    )
    one, two = (
        generate(Plan(partners=50, years=1, seed=s, now=now, referrals=200), context)[0]
        for s in (1, 2)
    )
    assert list(one.columns["name"]) != list(two.columns["name"])


def test_about_a_fifth_of_the_partners_send_most_referrals(engine, now):
    seed(engine, now, partners=400, years=2)
    with engine.connect() as connection:
        per_partner = sorted(
            connection.execute(
                select(func.count(Referral.id))
                .select_from(Partner)
                .join(Referral, Referral.partner_id == Partner.id, isouter=True)
                .group_by(Partner.id)
            ).scalars(),
            reverse=True,
        )
    share = sum(per_partner[: len(per_partner) // 5]) / sum(per_partner)
    assert len(per_partner) == 400 and 0.7 <= share <= 0.9


def test_each_funnel_stage_holds_fewer_referrals_than_the_one_before(engine, now):
    seed(engine, now)
    with engine.connect() as connection:
        stages = connection.execute(
            select(
                func.count(Referral.id),
                func.count(Referral.contacted_at),
                func.count(Referral.scheduled_at),
                func.count(Referral.first_visit_at),
            )
        ).one()
    assert stages[0] > stages[1] > stages[2] > stages[3] > 0


def test_referral_dates_follow_the_funnel_and_end_by_now(engine, now):
    seed(engine, now)
    for r in referrals(engine):
        stages = [
            t
            for t in (r.received_at, r.contacted_at, r.scheduled_at, r.first_visit_at)
            if t is not None
        ]
        assert stages == sorted(stages) and stages[-1] <= now
        assert (r.contacted_at is None) <= (r.scheduled_at is None) <= (r.first_visit_at is None)


def test_a_referral_status_follows_its_dates_and_a_lost_one_has_a_reason(engine, now):
    seed(engine, now)
    rows = referrals(engine)
    for r in rows:
        if r.lost_reason:
            expected = ReferralStatus.LOST
        elif r.first_visit_at:
            expected = ReferralStatus.COMPLETED
        elif r.scheduled_at:
            expected = ReferralStatus.SCHEDULED
        elif r.contacted_at:
            expected = ReferralStatus.CONTACTED
        else:
            expected = ReferralStatus.RECEIVED
        assert r.status == expected.value
    assert {r.status for r in rows} >= {"lost", "completed"}


def test_the_time_to_a_first_visit_is_a_few_days_with_a_long_tail(engine, now):
    seed(engine, now)
    days = sorted(
        (r.first_visit_at - r.received_at) / timedelta(days=1)
        for r in referrals(engine)
        if r.first_visit_at
    )
    median, slowest = days[len(days) // 2], days[-1]
    assert 2 <= median <= 10 and slowest > 3 * median


def test_fall_brings_more_referrals_than_summer(engine, now):
    seed(engine, now)
    months = [r.received_at.month for r in referrals(engine)]
    assert months.count(9) + months.count(10) > 1.2 * (months.count(6) + months.count(7))


def test_concussions_are_a_larger_share_of_referrals_in_the_fall(engine, now):
    seed(engine, now, partners=300)
    rows = referrals(engine)

    def concussion_share(months: set[int]) -> float:
        lines = [r.service_line for r in rows if r.received_at.month in months]
        return lines.count(ServiceLine.CONCUSSION.value) / len(lines)

    assert concussion_share({9, 10, 11}) > 1.5 * concussion_share({5, 6, 7})


def test_every_contact_npi_passes_the_luhn_check(engine, now):
    seed(engine, now)
    with Session(engine) as session:
        npis = list(session.scalars(select(Contact.npi).where(Contact.npi.is_not(None))))
    assert npis and all(validation.npi(npi) == npi for npi in npis)


def test_a_partner_status_matches_its_referral_history(engine, now):
    seed(engine, now)
    recent = now - timedelta(days=180)
    with engine.connect() as connection:
        history = connection.execute(
            select(Partner.status, func.count(Referral.id), func.max(Referral.received_at))
            .join(Referral, Referral.partner_id == Partner.id, isouter=True)
            .group_by(Partner.id, Partner.status)
        ).all()
    for status, count, last in history:
        if status == "referral_source":
            assert count > 0 and last >= recent
        elif status == "dormant":
            assert count > 0 and last < recent
        else:
            assert count == 0
    assert {s for s, _, _ in history} >= {"referral_source", "dormant", "prospect"}


def test_tier_a_partners_get_more_touches_than_tier_c(engine, now):
    seed(engine, now)
    with engine.connect() as connection:
        per_tier = {
            tier: touches / partners
            for tier, touches, partners in connection.execute(
                select(Partner.tier, func.count(Touch.id), func.count(func.distinct(Partner.id)))
                .join(Touch, Touch.partner_id == Partner.id, isouter=True)
                .group_by(Partner.tier)
            )
        }
    assert per_tier["A"] > 2 * per_tier["C"]


def test_patients_are_linked_to_referrals_and_consent_has_a_source(engine, now):
    seed(engine, now)
    with Session(engine) as session:
        patients = list(session.scalars(select(Patient)))
        linked = set(
            session.scalars(select(Referral.patient_id).where(Referral.patient_id.is_not(None)))
        )
    assert patients and linked == {p.id for p in patients}
    assert all(p.consent_source and p.consent_at for p in patients if p.consent_to_contact)


def test_demo_users_sign_in_with_the_demo_password(engine, now):
    seed(engine, now)
    with Session(engine) as session:
        for name, email, role in demo_users():
            user = authenticate(session, email, DEFAULT_PASSWORD, now)
            assert (user.name, user.role) == (name, role)


def test_the_demo_creates_no_admin(engine, now):
    seed(engine, now)
    with engine.connect() as connection:
        roles = set(connection.execute(select(User.role)).scalars())
    assert roles == {"marketer", "viewer"}


def test_the_demo_leadership_account_gets_the_monthly_report_and_the_liaisons_do_not(engine, now):
    seed(engine, now)
    with engine.connect() as connection:
        opted = dict(connection.execute(select(User.role, User.monthly_report).distinct()).all())
    assert opted == {"viewer": True, "marketer": False}


def test_a_second_seed_adds_partners_and_reuses_the_demo_users(engine, now):
    first = seed(engine, now)
    second = seed(engine, now, seed=4)
    with engine.connect() as connection:
        partners = connection.execute(select(func.count(Partner.id))).scalar()
        users = connection.execute(select(func.count(User.id))).scalar()
    assert (first.users, second.users) == (len(demo_users()), 0)
    assert partners == 240 and users == len(demo_users())


def test_rows_added_after_the_demo_get_fresh_ids(engine, session, now):
    seed(engine, now)
    partner = make_partner(session, name="Added Later")
    assert partner.id == 121


def test_seed_if_empty_does_nothing_the_second_time(engine, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("LIAISON_DATABASE_URL", database_url)
    monkeypatch.setenv("LIAISON_SECRET_KEY", "test-secret-key")
    monkeypatch.chdir(tmp_path)
    settings.get.cache_clear()
    try:
        runner = CliRunner()
        command = ["demo", "seed", "--partners", "30", "--years", "1", "--if-empty"]
        first = runner.invoke(app, command)
        second = runner.invoke(app, command)
    finally:
        settings.get.cache_clear()
    assert first.exit_code == 0, first.output
    assert "leadership@example.com" in first.output and DEFAULT_PASSWORD in first.output
    token = re.search(r"/p/(\S+)", first.output).group(1)
    with Session(engine) as session:
        partner = partner_links.resolve_token(session, "test-secret-key", token)
        assert partner is not None and f"the latest from {partner.name}" in first.output
    assert second.exit_code == 0 and "not added" in second.output
    with engine.connect() as connection:
        assert connection.execute(select(func.count(Partner.id))).scalar() == 30


def test_a_share_of_recent_referrals_came_through_the_partner_link_as_its_form_makes_them(
    engine, now
):
    seed(engine, now)
    recent = [r for r in referrals(engine) if r.received_at >= now - timedelta(days=WEB_FORM_DAYS)]
    web = [r for r in recent if r.channel == ReferralChannel.WEB_FORM.value]
    urgencies = {u: sum(r.urgency == u for r in web) for u in Urgency.choices()}
    assert 0.2 < len(web) / len(recent) < 0.5
    assert all(r.contact_id is not None and r.location_id is not None for r in web)
    assert 0 < urgencies["soon"] < urgencies["routine"]
    assert 0 < sum(r.partner_reference is not None for r in web) < len(web)
    assert {r.urgency for r in referrals(engine) if r.channel != "web_form"} == {"routine"}


def test_every_demo_partner_is_on_the_map_at_its_zip_centre(engine, now):
    seed(engine, now)
    with Session(engine) as session:
        partners = list(session.scalars(select(Partner)))
    assert partners and all(p.position_source == "zip" for p in partners)
    assert all((p.latitude, p.longitude) == geo.centroid(p.zip) for p in partners), (
        "a demo partner is off its ZIP centre"
    )


def test_most_demo_offices_have_opening_hours_and_schools_have_none(engine, now):
    seed(engine, now)
    with Session(engine) as session:
        hours = list(session.scalars(select(PartnerOpeningHours)))
        kinds = dict(session.execute(select(Partner.id, Partner.partner_type)).all())
    week = {}
    for row in hours:
        week.setdefault(row.partner_id, []).append(row)
        assert 0 <= row.weekday <= 6 and row.opens < row.closes
    offices = [p for p, kind in kinds.items() if kind in ("primary_care", "orthopedics")]
    assert 0.5 < len(set(week) & set(offices)) / len(offices) < 0.9
    assert not any(kinds[p] in ("school", "sports_club") for p in week)
    assert all({r.weekday for r in rows} >= {0, 1, 2, 3, 4} for rows in week.values())
