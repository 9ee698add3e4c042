"""Saving segments, static members, counting, previewing and exporting; who may do what."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from crm.access import PermissionDenied
from crm.models import AuditLog, Segment
from crm.segments import (
    SegmentInput,
    add_members,
    archive_segment,
    count_members,
    create_segment,
    export_csv,
    get_segment,
    list_segments,
    member_ids_select,
    preview_members,
    remove_members,
    update_segment,
)
from tests.factories import make_partner, make_referral, make_touch

TIER_A = {"conditions": [{"field": "tier", "op": "in", "value": ["A"]}]}


def dynamic(session: Session, actor, now, definition=TIER_A, name: str = "Tier A") -> Segment:  # type: ignore[no-untyped-def]
    segment = create_segment(session, actor, SegmentInput(name=name, definition=definition), now)
    session.commit()
    return segment


def static(session: Session, actor, now, name: str = "Golf outing") -> Segment:  # type: ignore[no-untyped-def]
    segment = create_segment(session, actor, SegmentInput(name=name, kind="static"), now)
    session.commit()
    return segment


# Saving ----------------------------------------------------------------------------


def test_a_marketer_creates_a_dynamic_segment_with_its_definition_stored(session, marketer, now):
    segment = dynamic(session, marketer, now)
    stored = json.loads(get_segment(session, segment.id).definition)
    assert (segment.kind, stored["conditions"][0]["value"]) == ("dynamic", ["A"])


def test_creating_a_segment_is_audited(session, marketer, now):
    segment = dynamic(session, marketer, now)
    entry = session.exec(select(AuditLog)).one()
    assert (entry.action, entry.entity, entry.entity_id, entry.user_id) == (
        "create",
        "segment",
        segment.id,
        marketer.id,
    )


def test_updating_changes_the_definition_and_audits_it(session, marketer, now):
    segment = dynamic(session, marketer, now)
    tier_b = {"conditions": [{"field": "tier", "op": "in", "value": ["B"]}]}
    update_segment(
        session, marketer, segment.id, SegmentInput(name="Tier B", definition=tier_b), now
    )
    session.commit()
    changes = json.loads(
        session.exec(select(AuditLog).where(AuditLog.action == "update")).one().changes
    )
    assert set(changes) == {"name", "definition"}


def test_a_second_segment_with_the_same_name_is_refused(session, marketer, now):
    dynamic(session, marketer, now, name="Tier A")
    with pytest.raises(ValueError, match="a segment named 'tier a' already exists"):
        create_segment(session, marketer, SegmentInput(name="tier a"), now)


def test_a_static_segment_cannot_become_dynamic(session, marketer, now):
    segment = static(session, marketer, now)
    with pytest.raises(ValueError, match="a static segment cannot become dynamic"):
        update_segment(session, marketer, segment.id, SegmentInput(name="Golf outing"), now)


def test_an_invalid_definition_is_refused_with_a_clear_message(session, marketer, now):
    with pytest.raises(ValueError, match="condition 1: Tier is any of: unknown value 'Z'"):
        SegmentInput(
            name="Bad", definition={"conditions": [{"field": "tier", "op": "in", "value": ["Z"]}]}
        )


def test_archived_segments_are_not_listed(session, marketer, now):
    dynamic(session, marketer, now, name="Kept")
    gone = dynamic(session, marketer, now, name="Gone")
    archive_segment(session, marketer, gone.id, now)
    session.commit()
    assert [s.name for s in list_segments(session)] == ["Kept"]


def test_a_viewer_cannot_create_a_segment(session, viewer, now):
    with pytest.raises(PermissionDenied):
        create_segment(session, viewer, SegmentInput(name="Mine"), now)


def test_a_viewer_cannot_edit_a_segment(session, marketer, viewer, now):
    segment = dynamic(session, marketer, now)
    with pytest.raises(PermissionDenied):
        update_segment(
            session, viewer, segment.id, SegmentInput(name="Renamed", definition=TIER_A), now
        )


def test_a_viewer_cannot_pick_static_members(session, marketer, viewer, now):
    segment = static(session, marketer, now)
    partner = make_partner(session)
    with pytest.raises(PermissionDenied):
        add_members(session, viewer, segment.id, [partner.id], now)


# Static segments ---------------------------------------------------------------------


def test_a_static_segment_holds_exactly_its_picked_partners(session, marketer, now):
    segment = static(session, marketer, now)
    picked, _ = make_partner(session), make_partner(session)
    add_members(session, marketer, segment.id, [picked.id], now)
    session.commit()
    assert session.scalars(member_ids_select(session, segment.id, now)).all() == [picked.id]


def test_adding_a_member_twice_adds_it_once(session, marketer, now):
    segment = static(session, marketer, now)
    partner = make_partner(session)
    add_members(session, marketer, segment.id, [partner.id], now)
    assert add_members(session, marketer, segment.id, [partner.id], now) == 0


def test_removing_a_member(session, marketer, now):
    segment = static(session, marketer, now)
    kept, dropped = make_partner(session), make_partner(session)
    add_members(session, marketer, segment.id, [kept.id, dropped.id], now)
    remove_members(session, marketer, segment.id, [dropped.id], now)
    session.commit()
    assert session.scalars(member_ids_select(session, segment.id, now)).all() == [kept.id]


def test_a_dynamic_segment_takes_no_picked_members(session, marketer, now):
    segment = dynamic(session, marketer, now)
    partner = make_partner(session)
    with pytest.raises(ValueError, match="is a dynamic segment"):
        add_members(session, marketer, segment.id, [partner.id], now)


def test_an_archived_partner_picked_earlier_is_not_a_member(session, marketer, now):
    segment = static(session, marketer, now)
    partner = make_partner(session)
    add_members(session, marketer, segment.id, [partner.id], now)
    partner.archived_at = now
    session.commit()
    assert count_members(session, segment.id, now) == 0


# Counting, previewing, exporting --------------------------------------------------------


def test_count_members_excludes_archived_partners(session, marketer, now):
    segment = dynamic(session, marketer, now)
    make_partner(session, tier="A")
    make_partner(session, tier="A", archived_at=now)
    make_partner(session, tier="B")
    assert count_members(session, segment.id, now) == 1


def test_a_viewer_previews_the_first_members_by_name_with_their_activity(
    session, marketer, viewer, now
):
    segment = dynamic(session, marketer, now)
    zed, able = (
        make_partner(session, name="Zed", tier="A"),
        make_partner(session, name="Able", tier="A"),
    )
    make_partner(session, name="Baker", tier="A")
    make_referral(session, zed, now - timedelta(days=10))
    make_touch(session, able, now - timedelta(days=3))
    rows = preview_members(session, segment.id, now, limit=2)
    assert [(r.name, r.referrals_12m, r.last_touch_at is not None) for r in rows] == [
        ("Able", 0, True),
        ("Baker", 0, False),
    ]


def test_export_writes_a_header_and_one_row_per_member(session, marketer, now):
    segment = dynamic(session, marketer, now)
    make_partner(session, name="Ortho One", tier="A")
    make_partner(session, name="Other", tier="C")
    out = io.StringIO()
    written = export_csv(session, segment.id, out, now)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (written, [r["name"] for r in rows], rows[0]["tier"]) == (1, ["Ortho One"], "A")


def test_export_neutralises_formula_cells(session, marketer, now):
    segment = dynamic(session, marketer, now)
    make_partner(session, name='=HYPERLINK("http://evil")', tier="A", specialty="+1 sports")
    out = io.StringIO()
    export_csv(session, segment.id, out, now)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["name"], row["specialty"]) == ('\'=HYPERLINK("http://evil")', "'+1 sports")


def test_a_viewer_may_count_and_export(session, marketer, viewer, now):
    """Reading needs no actor: nothing is refused to a viewer."""
    segment = dynamic(session, marketer, now)
    make_partner(session, tier="A")
    out = io.StringIO()
    assert (count_members(session, segment.id, now), export_csv(session, segment.id, out, now)) == (
        1,
        1,
    )


def test_member_ids_select_works_as_a_subquery(session, marketer, now):
    """What cadences and events do with it: partners IN the segment, in one statement."""
    from crm.models import Partner

    segment = dynamic(session, marketer, now)
    wanted = make_partner(session, name="Wanted", tier="A")
    make_partner(session, name="Not", tier="C")
    names = session.exec(
        select(Partner.name).where(Partner.id.in_(member_ids_select(session, segment.id, now)))
    )
    assert names.all() == [wanted.name]
