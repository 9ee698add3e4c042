"""Partner feedback: the quarterly Four C's survey's results, by partner type and by
partner, quarter by quarter, with the partners' comments; and, for editors, sending this
quarter's survey to a segment's contacts of chosen roles."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from campaigns.surveys.sending import REMINDER_AFTER, SendReport, send_quarter_survey
from crm import clock
from crm.segments import list_segments
from crm.surveys import (
    LOW_SCORE,
    QUESTIONS,
    SHORT,
    FeedbackComment,
    FeedbackRow,
    quarter_of,
    recent_quarters,
    results_by_partner,
    results_by_partner_type,
    survey_comments,
)
from crm.vocab import ContactRole, PartnerType
from ui.shell import AppContext, context
from ui.widgets import label_of, local, read, show_flash, submit

QUARTER_CHOICES = (4, 8, 12)


def render(ctx: AppContext) -> None:
    st.title("Partner feedback")
    st.caption(
        "Once a quarter, chosen contacts score us 1 to 5 on communication, credibility, "
        "capacity, consistency and how likely they are to recommend us, and may leave a "
        f"comment. A score of {LOW_SCORE} or less makes a call task for the partner's liaison."
    )
    show_flash()
    if ctx.actor.can_edit:
        _send_form(ctx)
    count = st.selectbox(
        "Quarters shown", QUARTER_CHOICES, format_func=lambda n: f"Last {n}", key="fb_quarters"
    )
    quarters = recent_quarters(clock.now(), ctx.zone, count)
    by_type = read(ctx.engine, lambda s: results_by_partner_type(s, quarters))
    if not by_type:
        st.info("No surveys were sent in these quarters yet.")
        return
    st.subheader("By partner type", anchor=False)
    type_label = label_of(PartnerType)
    st.dataframe(_frame(by_type, "Partner type", type_label), hide_index=True, key="fb_types")
    st.subheader("By partner", anchor=False)
    by_partner = read(ctx.engine, lambda s: results_by_partner(s, quarters))
    st.dataframe(_frame(by_partner, "Partner", str), hide_index=True, key="fb_partners")
    st.caption("Averages of the answers given; a blank means nobody answered that question.")
    st.subheader("Comments", anchor=False)
    comments = read(ctx.engine, lambda s: survey_comments(s, quarters))
    if not comments:
        st.caption("No comments in these quarters.")
        return
    st.dataframe(_comments(comments, ctx), hide_index=True, key="fb_comments")


def _frame(rows: list[FeedbackRow], heading: str, label) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return pd.DataFrame(
        [
            {
                heading: label(r.group),
                "Quarter": r.quarter,
                "Asked": r.sent,
                "Answered": r.responses,
                **{SHORT[q]: r.averages.get(q) for q in QUESTIONS},
            }
            for r in rows
        ]
    )


def _comments(comments: list[FeedbackComment], ctx: AppContext) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "When": local(c.at, ctx.zone, with_time=False),
                "Quarter": c.quarter,
                "Partner": c.partner_name,
                "Partner type": label_of(PartnerType)(c.partner_type),
                "From": c.contact_name,
                "Comment": c.comment,
            }
            for c in comments
        ]
    )


def _send_form(ctx: AppContext) -> None:
    quarter = quarter_of(clock.now(), ctx.zone)
    segments = read(ctx.engine, list_segments)
    with st.expander(f"Send the {quarter} survey"):
        if not segments:
            st.info("Make a segment first: the survey goes to the contacts of a segment.")
            return
        by_id = {s.id: s.name for s in segments}
        with st.form("fb_send"):
            segment_id = st.selectbox(
                "Segment", list(by_id), format_func=by_id.__getitem__, key="fb_segment"
            )
            roles = st.multiselect(
                "Contact roles to ask",
                ContactRole.choices(),
                default=[ContactRole.OFFICE_MANAGER.value, ContactRole.REFERRAL_COORDINATOR.value],
                format_func=label_of(ContactRole),
                key="fb_roles",
            )
            st.caption(
                f"Each contact is asked at most once a quarter; those already asked in {quarter} "
                f"are skipped. One reminder goes {REMINDER_AFTER.days} days later to those "
                "who have not answered."
            )
            sent = st.form_submit_button("Send the survey", type="primary")
        if sent:
            submit(
                ctx.engine,
                lambda s: send_quarter_survey(
                    s, ctx.settings, ctx.actor, segment_id, roles, clock.now()
                ),
                _said,
            )


def _said(report: SendReport) -> str:
    parts = [f"Queued {report.queued} survey email(s) for {report.quarter}."]
    if report.skipped:
        parts.append(f"Skipped {report.skipped} contact(s) already asked this quarter.")
    if report.without_email:
        parts.append(f"{report.without_email} contact(s) have no email address.")
    return " ".join(parts)


if __name__ == "__main__":
    render(context())
