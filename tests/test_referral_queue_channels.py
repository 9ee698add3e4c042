"""The funnel and the target breaches count referrals by the channel they came by, so
web-form referrals can be followed beside the phone and fax ones. Now is Wednesday 25
November 2026, 10:00 in New York."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from crm.analytics.filters import Filters, Period
from crm.analytics.funnel import funnel
from crm.analytics.timing import Targets, breach_counts, breach_counts_by_channel, timings
from tests.apptest import app_database, signed_in  # noqa: F401
from tests.conftest import NOW
from tests.factories import make_partner, make_referral, make_user

NOVEMBER = Filters(period=Period(date(2026, 11, 1), date(2026, 12, 1)))


def utc(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def referrals(session: Session) -> None:
    partner = make_partner(session)
    # web form: one contacted on time, one never contacted (overdue)
    make_referral(session, partner, utc(16, 15), channel="web_form", contacted_at=utc(16, 18))
    make_referral(session, partner, utc(17, 15), channel="web_form")
    # phone: contacted two days late
    make_referral(session, partner, utc(16, 15), channel="phone", contacted_at=utc(19, 15))
    make_referral(session, partner, utc(18, 15), channel="fax", status="lost", lost_reason="x")
    make_referral(session, partner, utc(18, 15))


def test_the_funnel_breaks_down_by_channel(session: Session) -> None:
    referrals(session)
    table = funnel(session, NOVEMBER, by="channel")
    rows = {
        r["group"]: (r["received"], r["contacted"], r["lost"]) for r in table.to_dict("records")
    }
    assert rows == {
        "Web form": (2, 1, 0),
        "Phone": (1, 1, 0),
        "Fax": (1, 0, 1),
        "(no channel)": (1, 0, 0),
    }


def test_breach_counts_by_channel_add_up_to_the_breach_counts(session: Session) -> None:
    referrals(session)
    table = breach_counts_by_channel(session, NOVEMBER, Targets(), NOW)
    contact = table[table["target"] == "first contact within 1 business day"]
    assert dict(zip(contact["channel"], zip(contact["breached"], contact["total"]))) == {
        "(no channel)": (1, 1),
        "Fax": (0, 0),
        "Phone": (1, 1),
        "Web form": (1, 2),
    }
    whole = breach_counts(session, NOVEMBER, Targets(), NOW)
    for target, breached, total in zip(whole["target"], whole["breached"], whole["total"]):
        mine = table[table["target"] == target]
        assert (int(mine["breached"].sum()), int(mine["total"].sum())) == (breached, total)
    together = timings(session, NOVEMBER, Targets(), NOW)
    assert together.breach_counts_by_channel.equals(table)
    assert together.breach_counts.equals(whole)


def test_the_breach_list_names_each_referrals_channel(session: Session) -> None:
    referrals(session)
    listed = timings(session, NOVEMBER, Targets(), NOW).breaches
    contact = listed[listed["target"] == "first contact within 1 business day"]
    assert sorted(contact["channel"]) == ["(no channel)", "Phone", "Web form"]


def test_the_funnel_page_shows_the_channels(app_database, session) -> None:  # type: ignore[no-untyped-def]
    referrals(session)
    make_user(session, email="viv@practice.test", role="viewer")
    at: AppTest = signed_in("viv@practice.test").switch_page("ui/pages/analytics_funnel.py").run()
    at.selectbox(key="funnel_period").set_value("Custom").run()
    at = at.date_input(key="funnel_custom").set_value((date(2026, 11, 1), date(2026, 11, 30))).run()
    at = at.selectbox(key="funnel_by").set_value("Channel").run()
    assert not at.exception, at.exception
    assert set(at.dataframe[1].value["Channel"]) == {"Web form", "Phone", "Fax", "(no channel)"}
    assert "Web form" in set(at.dataframe[5].value["Channel"])
    assert "Web form" in set(at.dataframe[6].value["Channel"])
