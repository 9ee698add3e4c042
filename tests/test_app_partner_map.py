"""The Partner map page, driven through the real app: its points, their colours and
sizes, and the filters."""

from __future__ import annotations

import json
from datetime import timedelta

from crm.segments.service import SegmentInput, add_members, create_segment
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.conftest import NOW
from tests.factories import make_partner, make_referral, make_user

PAGE = "ui/pages/partner_map.py"


def page_for(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", name="Maria Lopez", role=role)
    at = signed_in("maria@practice.test").switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def spec(at) -> dict:  # type: ignore[no-untyped-def]
    [chart] = at.get("deck_gl_json_chart")
    return json.loads(chart.proto.json)


def drawn(at) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    [layer] = spec(at)["layers"]
    return {point["name"]: point for point in layer["data"]}


def test_the_map_draws_each_placed_partner_as_a_point(app_database, session):
    make_partner(session, name="Elm PT", zip="02139")
    make_partner(session, name="Oak PT", zip="01608")
    make_partner(session, name="Nowhere PT", zip="00000")
    at = page_for(session)
    assert set(drawn(at)) == {"Elm PT", "Oak PT"}
    assert "**2 partners on the map**" in texts(at)
    assert "1 more match but are not on the map" in texts(at)


def test_a_point_grows_with_the_referrals_in_the_period(app_database, session):
    busy = make_partner(session, name="Elm PT")
    make_partner(session, name="Oak PT")
    for days in (3, 10, 40):
        make_referral(session, busy, NOW - timedelta(days=days))
    make_referral(session, busy, NOW - timedelta(days=200))
    at = page_for(session)
    points = drawn(at)
    assert (points["Elm PT"]["referrals"], points["Oak PT"]["referrals"]) == (3, 0)
    assert points["Elm PT"]["radius"] > points["Oak PT"]["radius"]
    at.selectbox(key="map_period").set_value("Last 30 days").run()
    assert drawn(at)["Elm PT"]["referrals"] == 2


def test_points_are_coloured_by_status_or_by_tier(app_database, session):
    make_partner(session, name="Elm PT", status="referral_source", tier="A")
    make_partner(session, name="Oak PT", status="referral_source", tier="C")
    at = page_for(session)
    by_status = drawn(at)
    assert by_status["Elm PT"]["colour"] == by_status["Oak PT"]["colour"]
    at.segmented_control(key="map_colour").set_value("Tier").run()
    by_tier = drawn(at)
    assert by_tier["Elm PT"]["colour"] != by_tier["Oak PT"]["colour"]


def test_the_map_is_narrowed_to_a_territory_and_a_liaison(app_database, session):
    jordan = make_user(session, name="Jordan Ellis")
    make_partner(session, name="Elm PT", territory="North", owner_id=jordan.id)
    make_partner(session, name="Oak PT", territory="North")
    make_partner(session, name="Ash PT", territory="South", owner_id=jordan.id)
    at = page_for(session)
    at.multiselect(key="map_territories").select("North").run()
    assert set(drawn(at)) == {"Elm PT", "Oak PT"}
    at.multiselect(key="map_owners").select(jordan.id).run()
    assert set(drawn(at)) == {"Elm PT"}
    assert drawn(at)["Elm PT"]["owner"] == "Jordan Ellis"


def test_the_map_is_filtered_by_status_like_the_directory(app_database, session):
    make_partner(session, name="Elm PT", status="dormant")
    make_partner(session, name="Oak PT", status="engaged")
    at = page_for(session)
    at.multiselect(key="map_statuses").select("dormant").run()
    assert set(drawn(at)) == {"Elm PT"}


def test_without_the_street_map_the_chart_asks_for_no_tiles(app_database, session):
    make_partner(session, name="Elm PT")
    at = page_for(session)
    assert "cartocdn" in spec(at)["mapStyle"]
    at.toggle(key="map_streets").set_value(False).run()
    assert "cartocdn" not in json.dumps(spec(at))


def test_a_viewer_sees_the_map_too(app_database, session):
    make_partner(session, name="Elm PT")
    at = page_for(session, role="viewer")
    assert set(drawn(at)) == {"Elm PT"}


def test_no_matching_partner_says_so(app_database, session):
    at = page_for(session)
    assert "No partners match these filters." in texts(at)
    assert not at.get("deck_gl_json_chart")


def test_the_map_is_narrowed_to_a_segment(app_database, session):
    elm = make_partner(session, name="Elm PT")
    make_partner(session, name="Oak PT")
    marketer = make_user(session)
    segment = create_segment(session, marketer, SegmentInput(name="Golf", kind="static"), NOW)
    add_members(session, marketer, segment.id, [elm.id], NOW)
    session.commit()
    at = page_for(session)
    at.selectbox(key="map_segment").set_value(segment.id).run()
    assert set(drawn(at)) == {"Elm PT"}


def test_each_liaisons_partners_share_a_colour(app_database, session):
    jordan = make_user(session, name="Jordan Ellis")
    make_partner(session, name="Elm PT", owner_id=jordan.id, status="engaged")
    make_partner(session, name="Oak PT", owner_id=jordan.id, status="dormant")
    make_partner(session, name="Ash PT", status="engaged")
    at = page_for(session)
    at.segmented_control(key="map_colour").set_value("Liaison").run()
    points = drawn(at)
    assert points["Elm PT"]["colour"] == points["Oak PT"]["colour"] != points["Ash PT"]["colour"]
    assert "Jordan Ellis" in texts(at) and "No owner" in texts(at)


def test_a_name_in_the_legend_is_shown_as_text_not_html(app_database, session):
    make_partner(session, name="Elm PT", territory="<b>North</b>")
    at = page_for(session)
    at.segmented_control(key="map_colour").set_value("Territory").run()
    assert "&lt;b&gt;North&lt;/b&gt;" in texts(at)
