"""Patient reviews: requests sent, opened and clicked by location and month; each
location's review page and the front desk's printable QR code of its review link."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from campaigns.reviews.links import location_url
from campaigns.reviews.locations import printable_page, qr_svg, set_review_url
from campaigns.reviews.stats import MonthRow, monthly_stats
from crm import clock
from crm.locations import list_locations
from crm.models import Location
from ui.shell import AppContext, context
from ui.widgets import read, show_flash, submit


def render(ctx: AppContext) -> None:
    st.title("Patient reviews")
    s = ctx.settings
    st.caption(
        f"Every patient who consented to contact is asked the same way, {s.review_delay_hours} hours after "
        f"a completed visit, at most once every {s.review_period_days} days, with one reminder "
        f"{s.review_reminder_days} days later if the link was not clicked. Emails name the clinic only."
    )
    show_flash()
    _stats(read(ctx.engine, monthly_stats))
    locations = read(ctx.engine, list_locations)
    if not locations:
        st.info("Add a location first: each location has its own review page.")
        return
    _location(ctx, locations)


def _stats(rows: list[MonthRow]) -> None:
    st.subheader("Requests by location and month", anchor=False)
    if not rows:
        st.info("No review requests yet.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Month": r.month,
                    "Location": r.location,
                    "Sent": r.sent,
                    "Reminders sent": r.reminders_sent,
                    "Opened": r.opened,
                    "Clicked": r.clicked,
                    "Front-desk scans": r.qr_scans,
                }
                for r in rows
            ]
        ),
        hide_index=True,
    )
    st.caption(
        "Months are in UTC. Opened counts a person's open reported by SendGrid's Event Webhook; "
        "Apple Mail's privacy prefetch is not counted. An opened or clicked request gets no reminder."
    )


def _location(ctx: AppContext, locations: list[Location]) -> None:
    st.subheader("Review page and front-desk QR code", anchor=False)
    by_id = {loc.id: loc for loc in locations}
    chosen = by_id[
        st.selectbox(
            "Location", list(by_id), format_func=lambda i: by_id[i].name, key="review_location"
        )
    ]
    if ctx.actor.can_edit:
        _review_url_form(ctx, chosen)
    else:
        st.markdown(f"Review page: {chosen.review_url or '— (none: its patients are not asked)'}")
    if not chosen.review_url:
        st.warning(
            "This location has no review page yet, so its patients are not asked and it has no QR code."
        )
        return
    link = location_url(ctx.settings, chosen.id)
    svg = qr_svg(link)
    st.html(f'<div style="width:12rem">{svg[svg.index("<svg") :]}</div>')
    st.caption(f"The code opens {link}, which counts the scan and forwards to the review page.")
    st.download_button(
        "Download the printable page",
        printable_page(ctx.settings.practice_name, chosen.name, link),
        file_name=f"review-qr-{chosen.id}.html",
        mime="text/html",
        key="review_qr_page",
    )
    st.download_button(
        "Download the QR code (SVG)",
        svg,
        file_name=f"review-qr-{chosen.id}.svg",
        mime="image/svg+xml",
        key="review_qr_svg",
    )


def _review_url_form(ctx: AppContext, location: Location) -> None:
    with st.form(f"review_url_{location.id}"):
        url = st.text_input(
            "Review page",
            value=location.review_url,
            placeholder="https://g.page/r/.../review",
            help="Where patients leave a review of this location (Google, Yelp, ...).",
        )
        submitted = st.form_submit_button("Save", type="primary")
    if submitted:
        submit(
            ctx.engine,
            lambda s: set_review_url(s, ctx.actor, location.id, url, clock.now()),
            lambda saved: f"Saved the review page of {saved.name}.",
        )


if __name__ == "__main__":
    render(context())
