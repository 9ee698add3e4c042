"""Events: lunch-and-learns, in-services, talks, CME evenings and open houses. Everyone
sees the events, their answers and attendance, and the compliance report; marketers
and admins create, invite, check in, change, cancel and follow up."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from campaigns.events.attendance import check_in, import_sign_in_sheet
from campaigns.events.compensation import limit_for, set_limit, year_to_date
from campaigns.events.preview import invitation_preview
from campaigns.events.sending import (
    send_cancellation,
    send_follow_ups,
    send_invitations,
    send_update,
    starts_text,
    venue_text,
)
from campaigns.events.service import (
    CANCELLED,
    EventInput,
    cancel_event,
    create_event,
    get_event,
    invite,
    list_events,
    update_event,
)
from campaigns.events.stats import event_stats
from campaigns.events.views import contact_choices, invitee_rows, location_choices, partner_choices
from crm import clock
from crm.models import Event
from crm.segments import list_segments
from crm.transfer.report import ImportFileError
from crm.vocab import EventKind
from ui.shell import AppContext, context
from ui.widgets import attempt, form_key, label_of, local, now_local, read, show_flash, submit

PICK = "event_pick"
NEW = 0
_OPEN_NEXT = "_event_open_next"
_RSVP_LABELS = {"none": "No answer", "yes": "Yes", "no": "No", "waitlist": "Wait list"}


def render(ctx: AppContext) -> None:
    st.title("Events")
    st.caption(
        "Lunch-and-learns, in-services, talks, CME evenings and open houses for referral partners."
    )
    show_flash()
    events_tab, report_tab = st.tabs(["Events", "Compensation report"])
    with events_tab:
        _events(ctx)
    with report_tab:
        _report(ctx)


def _events(ctx: AppContext) -> None:
    events = read(ctx.engine, list_events)
    if events:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Title": e.title,
                        "Kind": EventKind(e.kind).label,
                        "Starts": local(e.starts_at, ZoneInfo(e.timezone)),
                        "Status": e.status.capitalize(),
                        "Capacity": e.capacity or "",
                        "Cost per attendee": f"${e.cost_per_attendee_cents / 100:,.2f}",
                    }
                    for e in events
                ]
            ),
            hide_index=True,
        )
    else:
        st.info("No events yet." + (" Create one below." if ctx.actor.can_edit else ""))
    names = ({NEW: "New event"} if ctx.actor.can_edit else {}) | {e.id: e.title for e in events}
    if not names:
        return
    if _OPEN_NEXT in st.session_state:  # set after creating, before the picker exists this run
        st.session_state[PICK] = st.session_state.pop(_OPEN_NEXT)
    if st.session_state.get(PICK) not in names:
        st.session_state[PICK] = next(iter(names))
    chosen = st.selectbox("Open an event", list(names), format_func=names.get, key=PICK)
    st.divider()
    if chosen == NEW:
        _event_form(ctx, None)
    else:
        _event(ctx, read(ctx.engine, lambda s: get_event(s, chosen)))


# Creating and changing ------------------------------------------------------------------


def _event_form(ctx: AppContext, event: Event | None) -> None:
    locations = read(ctx.engine, location_choices)
    partners = read(ctx.engine, partner_choices)
    segments = {s.id: s.name for s in read(ctx.engine, list_segments)}
    name = f"event_form_{event.id if event else 'new'}"
    zone = ZoneInfo(event.timezone) if event else ctx.zone
    starts = (
        event.starts_at.astimezone(zone)
        if event
        else datetime.combine(now_local(zone).date() + timedelta(days=14), time(12, 0))
    )
    ends = event.ends_at.astimezone(zone) if event else starts + timedelta(hours=1)
    with st.form(form_key(name)):
        st.subheader("Change the event" if event else "New event")
        title = st.text_input("Title", value=event.title if event else "")
        kinds = EventKind.choices()
        kind = st.selectbox(
            "Kind",
            kinds,
            index=kinds.index(event.kind) if event else 0,
            format_func=label_of(EventKind),
        )
        topic = st.text_input("Topic", value=event.topic if event else "")
        speaker = st.text_input("Speaker", value=event.speaker if event else "")
        description = st.text_area("Description", value=event.description if event else "")
        day = st.date_input("Date", value=starts.date())
        start_time = st.time_input("Starts", value=starts.time())
        end_time = st.time_input("Ends", value=ends.time())
        at_partner = (
            st.radio(
                "Venue",
                ["Practice location", "Partner's office"],
                horizontal=True,
                index=1 if event and event.venue_partner_id else 0,
            )
            == "Partner's office"
        )
        location_ids = list(locations)
        location_id = (
            st.selectbox(
                "Location",
                location_ids,
                format_func=lambda i: locations[i][0],
                index=location_ids.index(event.location_id)
                if event and event.location_id in locations
                else 0,
            )
            if locations
            else None
        )
        partner_ids = list(partners)
        venue_partner = (
            st.selectbox(
                "Partner's office",
                partner_ids,
                format_func=partners.get,
                index=partner_ids.index(event.venue_partner_id)
                if event and event.venue_partner_id in partners
                else 0,
            )
            if partners
            else None
        )
        venue_note = st.text_input("Room or directions", value=event.venue_note if event else "")
        capacity = st.number_input(
            "Capacity (0 = no limit)",
            min_value=0,
            step=1,
            value=(event.capacity or 0) if event else 0,
        )
        cost = st.number_input(
            "Meal and gift cost per attendee ($)",
            min_value=0.0,
            step=1.0,
            value=(event.cost_per_attendee_cents / 100) if event else 0.0,
        )
        segment_ids = [None, *segments]
        segment = st.selectbox(
            "Audience segment",
            segment_ids,
            format_func=lambda i: segments.get(i, "No segment"),
            index=segment_ids.index(event.audience_segment_id)
            if event and event.audience_segment_id in segments
            else 0,
        )
        saved = st.form_submit_button(
            "Save and tell everyone invited" if event else "Create event", type="primary"
        )
    if not saved:
        return
    event_zone = (
        ctx.settings.timezone if at_partner or location_id is None else locations[location_id][1]
    )
    local_zone = ZoneInfo(event_zone)
    values = dict(
        title=title,
        kind=kind,
        topic=topic,
        speaker=speaker,
        description=description,
        starts_at=datetime.combine(day, start_time, tzinfo=local_zone),
        ends_at=datetime.combine(day, end_time, tzinfo=local_zone),
        timezone=event_zone,
        location_id=None if at_partner else location_id,
        venue_partner_id=venue_partner if at_partner else None,
        venue_note=venue_note,
        capacity=capacity or None,
        cost_per_attendee_cents=round(cost * 100),
        audience_segment_id=segment,
    )
    now = clock.now()
    if event is None:
        submit(
            ctx.engine,
            lambda s: create_event(s, ctx.actor, EventInput(**values), now),
            lambda created: f"Created {created.title}.",
            fresh=name,
            then=lambda created: st.session_state.update({_OPEN_NEXT: created.id}),
        )
        return

    def change(session):  # type: ignore[no-untyped-def]
        update_event(session, ctx.actor, event.id, EventInput(**values), now)
        return send_update(session, ctx.settings, ctx.actor, event.id, now)

    submit(
        ctx.engine,
        change,
        lambda sent: (
            f"Saved; {sent} update{'s' if sent != 1 else ''} with the new calendar entry queued."
        ),
    )


# One event ----------------------------------------------------------------------------


def _event(ctx: AppContext, event: Event) -> None:
    st.subheader(event.title)
    where = read(ctx.engine, lambda s: venue_text(s, event))
    status = " · **Cancelled**" if event.status == CANCELLED else ""
    st.markdown(f"{EventKind(event.kind).label} · {starts_text(event)} · {where}{status}")
    if event.topic or event.speaker:
        st.caption(" · ".join(p for p in (event.topic, event.speaker) if p))
    _counts(ctx, event)
    tabs = (
        ["Invitees", "Invite", "Attendance", "Follow-up", "Change or cancel"]
        if ctx.actor.can_edit
        else ["Invitees"]
    )
    panes = st.tabs(tabs)
    with panes[0]:
        _invitees(ctx, event)
    if not ctx.actor.can_edit:
        return
    with panes[1]:
        _invite(ctx, event)
    with panes[2]:
        _attendance(ctx, event)
    with panes[3]:
        _follow_up(ctx, event)
    with panes[4]:
        _change_or_cancel(ctx, event)


def _counts(ctx: AppContext, event: Event) -> None:
    stats = read(ctx.engine, lambda s: event_stats(s, event))
    columns = st.columns(8)
    for column, (label, value) in zip(
        columns,
        [
            ("Invited", stats.invited),
            ("Yes", stats.yes),
            ("No", stats.no),
            ("No answer", stats.no_answer),
            ("Wait list", stats.waitlist),
            ("Attended", stats.attended),
            ("Referrals 90 days before", stats.referrals_before),
            ("Referrals 90 days after", stats.referrals_after),
        ],
    ):
        column.metric(label, value)
    st.caption("Referrals counted from partners with at least one attendee.")


def _invitees(ctx: AppContext, event: Event) -> None:
    rows = read(ctx.engine, lambda s: invitee_rows(s, event.id))
    if not rows:
        st.info("Nobody invited yet.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Name": r.name,
                    "Partner": r.partner,
                    "Email": r.email,
                    "Answer": _RSVP_LABELS.get(r.rsvp, r.rsvp),
                    "Attended": r.attended,
                }
                for r in rows
            ]
        ),
        hide_index=True,
    )


def _invite(ctx: AppContext, event: Event) -> None:
    if event.status == CANCELLED:
        st.info("This event is cancelled.")
        return
    partners = read(ctx.engine, partner_choices)
    picked = st.multiselect(
        "Add partners (all their contacts who can be emailed)",
        list(partners),
        format_func=partners.get,
        key=f"event_invite_partners_{event.id}",
    )
    contacts = read(ctx.engine, contact_choices)
    people = st.multiselect(
        "Add people",
        list(contacts),
        format_func=contacts.get,
        key=f"event_invite_contacts_{event.id}",
    )
    now = clock.now()
    preview = read(
        ctx.engine,
        lambda s: invitation_preview(
            s, event, ctx.zone, now, partner_ids=picked, contact_ids=people
        ),
    )
    st.markdown(
        f"**{preview.recipients}** people will have been invited, with the event's segment and those "
        f"picked here."
    )
    for flag in preview.flags:
        st.warning(
            f"{flag.name} ({flag.partner_name}) has received ${flag.so_far_cents / 100:,.2f} this year; "
            f"this event would bring it to ${flag.with_event_cents / 100:,.2f}, past the "
            f"${flag.limit_cents / 100:,.2f} non-monetary compensation limit.",
            icon=":material/gavel:",
        )
    if st.button("Invite and send invitations", type="primary", key=f"event_invite_{event.id}"):

        def send(session):  # type: ignore[no-untyped-def]
            invite(session, ctx.actor, event.id, now, partner_ids=picked, contact_ids=people)
            return send_invitations(session, ctx.settings, ctx.actor, event.id, now)

        submit(
            ctx.engine, send, lambda sent: f"{sent} invitation{'s' if sent != 1 else ''} queued."
        )


def _attendance(ctx: AppContext, event: Event) -> None:
    rows = [r for r in read(ctx.engine, lambda s: invitee_rows(s, event.id)) if not r.attended]
    labels = {r.invitee_id: f"{r.name} ({r.partner})" for r in rows}
    here = st.multiselect(
        "Check in", list(labels), format_func=labels.get, key=f"event_check_in_{event.id}"
    )
    if st.button("Check in", key=f"event_check_in_button_{event.id}", disabled=not here):
        submit(
            ctx.engine,
            lambda s: check_in(s, ctx.actor, event.id, here, clock.now()),
            lambda count: f"{count} checked in.",
        )
    sheet = st.file_uploader(
        "Or import the sign-in sheet (CSV or Excel, with an Email column)",
        type=["csv", "xlsx"],
        key=f"event_sheet_{event.id}",
    )
    if sheet is not None and st.button(
        "Import sign-in sheet", key=f"event_sheet_button_{event.id}"
    ):
        try:
            result = attempt(
                ctx.engine,
                lambda s: import_sign_in_sheet(
                    s, ctx.actor, event.id, sheet.getvalue(), sheet.name, clock.now()
                ),
            )
        except ImportFileError as error:
            st.error(str(error))
            return
        if result is not None:
            st.success(f"{result.checked_in} checked in; {result.already} were already.")
            for line in result.unknown:
                st.warning(f"Not on file: {line}")


def _follow_up(ctx: AppContext, event: Event) -> None:
    url = st.text_input("Link to the slides or handouts", key=f"event_resources_{event.id}")
    if st.button("Send follow-ups", key=f"event_follow_up_{event.id}", disabled=not url.strip()):
        submit(
            ctx.engine,
            lambda s: send_follow_ups(
                s, ctx.settings, ctx.actor, event.id, url.strip(), clock.now()
            ),
            lambda sent: (
                f"{sent} follow-up{'s' if sent != 1 else ''} queued (attendees and those who missed it)."
            ),
        )


def _change_or_cancel(ctx: AppContext, event: Event) -> None:
    if event.status == CANCELLED:
        st.info("This event is cancelled.")
        return
    _event_form(ctx, event)
    if st.button("Cancel the event and tell everyone invited", key=f"event_cancel_{event.id}"):

        def cancel(session):  # type: ignore[no-untyped-def]
            cancel_event(session, ctx.actor, event.id, clock.now())
            return send_cancellation(session, ctx.settings, ctx.actor, event.id, clock.now())

        submit(
            ctx.engine,
            cancel,
            lambda sent: f"Cancelled; {sent} cancellation{'s' if sent != 1 else ''} queued.",
        )


# The compliance report ------------------------------------------------------------------


def _report(ctx: AppContext) -> None:
    this_year = clock.now().astimezone(ctx.zone).year
    year = st.selectbox("Year", list(range(this_year, this_year - 6, -1)), key="event_report_year")
    limit = read(ctx.engine, lambda s: limit_for(s, year))
    st.markdown(
        f"Non-monetary compensation limit for {year}: "
        + (f"**${limit / 100:,.2f}**" if limit is not None else "**not set**")
        + " (42 CFR 411.357(k))."
    )
    rows = read(ctx.engine, lambda s: year_to_date(s, year, ctx.zone, clock.now()))
    if rows:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Physician": r.name,
                        "Partner": r.partner_name,
                        "Events": r.events,
                        "Year to date": f"${r.total_cents / 100:,.2f}",
                        "Over the limit": r.over,
                    }
                    for r in rows
                ]
            ),
            hide_index=True,
        )
    else:
        st.info("No physician has attended an event with meals or gifts this year.")
    if ctx.actor.can_edit:
        with st.form(form_key("event_limit")):
            dollars = st.number_input(
                f"Set the {year} limit ($)", min_value=0.0, step=1.0, value=(limit or 0) / 100
            )
            if st.form_submit_button("Save limit"):
                submit(
                    ctx.engine,
                    lambda s: set_limit(s, ctx.actor, year, round(dollars * 100), clock.now()),
                    f"Limit for {year} saved.",
                    fresh="event_limit",
                )


if __name__ == "__main__":
    render(context())
