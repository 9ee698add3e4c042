"""The Overview page: October 2026 of the practice in tests/analytics_data.py, as a
viewer reads it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from tests.analytics_data import practice
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_partner, make_referral, make_user

PAGE = "ui/pages/analytics_overview.py"


def october(session) -> AppTest:  # type: ignore[no-untyped-def]
    make_user(session, email="viv@practice.test", role="viewer")
    at = signed_in("viv@practice.test").switch_page(PAGE).run()
    at.selectbox(key="overview_period").set_value("Custom").run()
    at = (
        at.date_input(key="overview_custom")
        .set_value((date(2026, 10, 1), date(2026, 10, 31)))
        .run()
    )
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(m for m in at.metric if m.label == label)


def test_a_viewer_sees_the_headline_figures_against_the_month_before(app_database, session):
    practice(session)
    at = october(session)
    referrals = metric(at, "Referrals")
    assert (referrals.value, referrals.delta) == ("7", "+133%")
    assert metric(at, "Median days to first appointment").value == "10.0"
    assert metric(at, "Referrals from the top 20% of referring partners").value == "43%"


def test_the_partners_are_listed_by_month(app_database, session):
    practice(session)
    table = october(session).dataframe[1].value
    assert list(zip(table["partner"], table["2026-10"])) == [
        ("Harbor Primary Care", 3),
        ("Summit Orthopedics", 2),
        ("Bay Physical Therapy", 1),
        ("Lakeside School", 1),
    ]


def test_choosing_a_partner_type_changes_the_figures(app_database, session):
    practice(session)
    at = october(session).multiselect(key="overview_types").select("primary_care").run()
    assert not at.exception, at.exception
    assert metric(at, "Referrals").value == "3"


def test_every_table_can_be_downloaded(app_database, session):
    practice(session)
    at = october(session)
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"] * 3


def test_an_empty_database_says_there_is_nothing_to_show_yet(app_database, session):
    at = october(session)
    assert "No referrals were received in October 2026" in texts(at)
    assert metric(at, "Referrals").value == "0"


def chart_rows(chart) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The rows a Vega-Lite chart draws, as the browser receives them."""
    return pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()


def test_the_figures_table_shows_days_to_one_decimal_and_counts_whole(app_database, session):
    elm = make_partner(session, name="Elm Family Medicine")
    received = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)
    make_referral(
        session,
        elm,
        received,
        status="completed",
        first_visit_at=received + timedelta(days=5.742361),
    )
    table = october(session).dataframe[0].value.set_index("Figure")
    assert table.loc["Median days to first appointment", "This period"] == "5.7"
    assert table.loc["Referrals", "This period"] == "1"
    assert table.loc["Referrals", "Period before"] == "0"
    assert table.loc["Median days to first appointment", "Period before"] == "—"


def test_a_single_month_shows_no_trend_column(app_database, session):
    practice(session)
    table = october(session).dataframe[1].value
    assert "trend" not in table.columns
    assert not table.isin(["None"]).any().any()


def test_several_months_show_each_partners_trend(app_database, session):
    practice(session)
    at = (
        october(session)
        .date_input(key="overview_custom")
        .set_value((date(2026, 8, 1), date(2026, 10, 31)))
        .run()
    )
    table = at.dataframe[1].value
    assert table.set_index("partner").loc["Harbor Primary Care", "trend"] == 1.0


def test_the_pareto_bars_fall_in_rank_order_and_namesakes_stay_apart(app_database, session):
    received = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)
    for name, count in (
        ("Oak Orthopedics", 9),
        ("Elm Family Medicine", 6),
        ("Pine Urgent Care", 6),
        ("Oak Orthopedics", 3),
    ):
        partner = make_partner(session, name=name)
        for n in range(count):
            make_referral(session, partner, received + timedelta(hours=n))
    pareto = october(session).get("vega_lite_chart")[1]
    rows = chart_rows(pareto).sort_values("rank")
    assert rows["referrals"].tolist() == [9, 6, 6, 3]
    assert rows["cumulative_share"].is_monotonic_increasing
    spec = json.loads(pareto.proto.spec)
    axis = spec["layer"][0]["encoding"]["x"]
    assert axis["field"] == "rank"
    names = json.loads(axis["axis"]["labelExpr"].removesuffix("[datum.value]"))
    assert [names[str(r)] for r in rows["rank"]] == [
        "Oak Orthopedics",
        "Elm Family Medicine",
        "Pine Urgent Care",
        "Oak Orthopedics",
    ]
