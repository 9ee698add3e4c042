"""The Segments page: a live count while building, saving for marketers, reading only
for viewers."""

from __future__ import annotations

from sqlmodel import select

from crm.models import Partner, Segment
from crm.segments import SegmentInput, create_segment
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_partner, make_user

PAGE = "ui/pages/segments.py"


def page_for(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role=role)
    return signed_in("maria@practice.test").switch_page(PAGE).run()


def partners(session) -> None:  # type: ignore[no-untyped-def]
    make_partner(session, name="Alpha", tier="A")
    make_partner(session, name="Bravo", tier="A")
    make_partner(session, name="Charlie", tier="C")


def add_tier_condition(at, tiers: list[str]):  # type: ignore[no-untyped-def]
    """Add a condition (the first field offered is Type), switch it to Tier, pick tiers."""
    next(b for b in at.button if b.label == "Add condition").click().run()
    next(s for s in at.selectbox if s.label == "Field").set_value("tier").run()
    next(m for m in at.multiselect if m.label == "Values").set_value(tiers).run()
    return at


def test_the_live_count_follows_the_conditions(app_database, session):
    partners(session)
    at = page_for(session)
    assert "**3** partners in this segment" in texts(at)
    add_tier_condition(at, ["A"])
    assert "**2** partners in this segment" in texts(at)
    next(m for m in at.multiselect if m.label == "Values").set_value(["C"]).run()
    assert "**1** partner in this segment" in texts(at)


def test_the_preview_lists_the_matching_partners(app_database, session):
    partners(session)
    at = add_tier_condition(page_for(session), ["A"])
    assert list(at.dataframe[-1].value["Name"]) == ["Alpha", "Bravo"]


def test_an_incomplete_condition_says_what_is_missing(app_database, session):
    partners(session)
    at = page_for(session)
    next(b for b in at.button if b.label == "Add condition").click().run()
    assert "Type is any of: needs at least one value" in texts(at)


def test_a_marketer_saves_a_segment(app_database, session):
    partners(session)
    at = add_tier_condition(page_for(session), ["A"])
    at.text_input(key="seg_name").input("Tier A offices").run()
    at.button(key="segment_save").click().run()
    assert "Segment “Tier A offices” saved." in texts(at)
    saved = session.exec(select(Segment)).one()
    assert (saved.name, '"value": ["A"]' in saved.definition) == ("Tier A offices", True)


def test_a_viewer_sees_the_count_but_no_save_button(app_database, session, admin, now):
    partners(session)
    tier_a = {"conditions": [{"field": "tier", "op": "in", "value": ["A"]}]}
    create_segment(session, admin, SegmentInput(name="Tier A offices", definition=tier_a), now)
    session.commit()
    at = page_for(session, role="viewer")
    assert "**2** partners in this segment" in texts(at)
    assert [b for b in at.button if b.key == "segment_save"] == []


def test_a_saved_segment_opens_with_its_conditions(app_database, session, admin, now):
    """Every kind of value widget is filled back from the stored definition."""
    partners(session)
    definition = {
        "conditions": [
            {"field": "tier", "op": "in", "value": ["A"]},
            {
                "match": "any",
                "conditions": [
                    {
                        "field": "referrals",
                        "op": "per_month_below",
                        "value": {"per_month": 1.5, "months": 6},
                    },
                    {"field": "last_touch", "op": "older_than_days", "value": 45},
                    {"field": "tags", "op": "any", "value": ["vip"]},
                    {"field": "cadence", "op": "not_enrolled"},
                ],
            },
        ]
    }
    create_segment(session, admin, SegmentInput(name="Neglected A", definition=definition), now)
    session.commit()
    at = page_for(session)
    at.selectbox(key="segment_pick").set_value(session.exec(select(Segment.id)).one()).run()
    assert not at.exception, at.exception
    assert ([n.value for n in at.number_input], at.text_input[0].value) == ([1.5, 6, 45], "vip")
    assert "**2** partners in this segment" in texts(at)


def test_a_marketer_picks_partners_for_a_static_segment(app_database, session, admin, now):
    partners(session)
    create_segment(session, admin, SegmentInput(name="Golf outing", kind="static"), now)
    session.commit()
    at = page_for(session)
    at.selectbox(key="segment_pick").set_value(session.exec(select(Segment.id)).one()).run()
    at.text_input(key="segment_find").input("brav").run()
    bravo = session.exec(select(Partner.id).where(Partner.name == "Bravo")).one()
    at.multiselect(key="segment_add_pick").set_value([bravo]).run()
    at.button(key="segment_add").click().run()
    assert "1 partner added." in texts(at)
    assert list(at.dataframe[-1].value["Name"]) == ["Bravo"]


def test_a_marketer_archives_a_segment(app_database, session, admin, now):
    """It leaves the list; its rows stay for whatever used it."""
    create_segment(session, admin, SegmentInput(name="Old list"), now)
    session.commit()
    at = page_for(session)
    at.selectbox(key="segment_pick").set_value(session.exec(select(Segment.id)).one()).run()
    at.button(key="segment_archive").click().run()
    assert "Old list" not in at.selectbox(key="segment_pick").options
