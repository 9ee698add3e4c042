"""The Story section of a partner's detail: its monthly referrals with the outreach
marked on the same time axis, and the outreach as a table to download."""

from __future__ import annotations

import json

import pandas as pd
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_partner, make_touch, make_user
from tests.outreach_data import at, cadence, email_sent, enrol, referred


def opened(session, partner, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role=role)
    at_ = signed_in("maria@practice.test").selectbox(key="open_partner").set_value(partner.id).run()
    assert not at_.exception, at_.exception
    return at_


def story_table(app):  # type: ignore[no-untyped-def]
    return next(
        d.value
        for d in app.dataframe
        if list(d.value.columns) == ["When", "What", "Title", "Details"]
    )


def chart(app) -> tuple[dict, dict[str, pd.DataFrame]]:  # type: ignore[no-untyped-def]
    """The one chart's Vega-Lite spec and its data sets by name."""
    charts = app.get("vega_lite_chart")
    assert len(charts) == 1
    proto = charts[0].proto
    return json.loads(proto.spec), {
        d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in proto.datasets
    }


def test_a_partners_story_lists_its_outreach_in_the_practice_time_zone(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    make_touch(session, partner, at(2, 3), kind="visit", outcome="Left flyers")
    enrol(
        session, cadence(session, "New-partner introduction"), [partner], at(1, 15), status="active"
    )
    email_sent(session, partner, at(3, 10))
    app = opened(session, partner)
    assert "Story" in [h.value for h in app.subheader]
    table = story_table(app)
    assert list(table["What"]) == ["Cadence", "Visit", "Seasonal email"]
    assert list(table["Title"]) == [
        "Enrolled in New-partner introduction",
        "Visit",
        "Getting your athletes ready for spring",
    ]
    assert table["When"].iloc[0] == "Jan 15, 2026 11:00 AM"


def test_the_story_chart_puts_monthly_referrals_and_outreach_on_one_time_axis(
    app_database, session
):
    partner = make_partner(session, name="Elm Family Medicine")
    referred(session, partner, at(3, 2), at(3, 30))
    make_touch(session, partner, at(2, 3), kind="call")
    spec, datasets = chart(opened(session, partner))
    layers = spec["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["bar", "point"]
    assert all(layer["encoding"]["x"]["type"] == "temporal" for layer in layers)
    bars = datasets[layers[0]["data"]["name"]]
    assert (len(bars), bars["referrals"].sum()) == (18, 2)
    marks = datasets[layers[1]["data"]["name"]]
    assert list(zip(marks["what"], marks["title"])) == [("Call", "Call")]
    assert {t["field"] for t in layers[1]["encoding"]["tooltip"]} >= {"title", "detail"}


def test_the_story_table_downloads_as_csv_and_excel(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    make_touch(session, partner, at(2, 3))
    labels = [b.label for b in opened(session, partner).get("download_button")]
    assert labels[-2:] == ["CSV", "Excel"]  # after the partner link's QR code and form


def test_a_viewer_reads_the_story_too(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    make_touch(session, partner, at(2, 3))
    assert list(story_table(opened(session, partner, role="viewer"))["What"]) == ["Call"]


def test_a_partner_without_outreach_says_so_under_its_chart(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    app = opened(session, partner)
    assert "No touches, cadences, events or emails in the last 18 months." in texts(app)
    assert not {"CSV", "Excel"} & {b.label for b in app.get("download_button")}
