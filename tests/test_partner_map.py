"""The partner map's points: filtered as the directory is and by segment, sized by
the referrals received in the period, in one query."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from crm.partner_map import partner_map
from crm.partners import PartnerQuery
from crm.prospects.geo import centroid
from crm.segments.service import SegmentInput, add_members, create_segment
from tests.factories import make_partner, make_referral, make_user


def points(session, now, query=None, **options):  # type: ignore[no-untyped-def]
    since = options.pop("since", now - timedelta(days=90))
    return partner_map(session, query or PartnerQuery(), since, now, now, **options)


def test_a_point_is_the_partner_at_its_position(session, now):
    partner = make_partner(session, name="Elm PT", zip="02139", tier="A", status="engaged")
    [point] = points(session, now).points
    assert (point.id, point.name, point.tier, point.status) == (
        partner.id,
        "Elm PT",
        "A",
        "engaged",
    )
    assert (point.latitude, point.longitude, point.position_source) == (*centroid("02139"), "zip")


def test_a_point_counts_only_the_referrals_received_in_the_period(session, now):
    partner = make_partner(session)
    make_referral(session, partner, now - timedelta(days=10))
    make_referral(session, partner, now - timedelta(days=20))
    make_referral(session, partner, now - timedelta(days=200))
    [point] = points(session, now, since=now - timedelta(days=30)).points
    assert point.referrals == 2


def test_a_partner_with_no_position_is_counted_not_drawn(session, now):
    make_partner(session, zip="00000")
    make_partner(session, zip="02139")
    found = points(session, now)
    assert (len(found.points), found.unplaced) == (1, 1)


def test_the_map_is_filtered_like_the_directory(session, now):
    make_partner(session, name="Elm PT", status="engaged", territory="North")
    make_partner(session, name="Oak PT", status="prospect", territory="North")
    make_partner(session, name="Ash PT", status="engaged", territory="South")
    query = PartnerQuery(statuses=["engaged"], territories=["North"])
    assert [p.name for p in points(session, now, query).points] == ["Elm PT"]


def test_each_liaisons_partners_are_shown_with_their_owner(session, now):
    maya = make_user(session, name="Maya Patel")
    make_partner(session, name="Elm PT", owner_id=maya.id)
    make_partner(session, name="Oak PT")
    found = points(session, now, PartnerQuery(owner_ids=[maya.id])).points
    assert [(p.name, p.owner) for p in found] == [("Elm PT", "Maya Patel")]


def test_archived_partners_are_left_off(session, now):
    make_partner(session, name="Elm PT", archived_at=now)
    assert points(session, now).points == []


def test_the_map_is_narrowed_to_a_segment(session, marketer, now):
    elm = make_partner(session, name="Elm PT")
    make_partner(session, name="Oak PT")
    segment = create_segment(session, marketer, SegmentInput(name="Golf", kind="static"), now)
    add_members(session, marketer, segment.id, [elm.id], now)
    found = points(session, now, segment_id=segment.id).points
    assert [p.name for p in found] == ["Elm PT"]


def test_the_points_are_read_in_one_query(session, engine, now):
    for n in range(30):
        make_referral(session, make_partner(session), now - timedelta(days=n))
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        found = points(session, now)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(found.points) == 30
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
