"""The front desk's referral queue: patients to call, then patients to book, oldest
deadline first, with one click per move; and the short form for a referral that came
by phone or fax. The queue and the moves are crm.referral_queue's."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from crm import clock
from crm.analytics.timing import Targets
from crm.contacts import contacts_of
from crm.locations import list_locations
from crm.referral_queue import (
    CONTACT,
    DESK_CHANNELS,
    DeskReferralInput,
    QueueEntry,
    StageQueue,
    desk_partners,
    enter_referral,
    log_contacted,
    log_lost,
    log_scheduled,
    referral_queue,
)
from crm.validation import display_phone
from crm.vocab import ReferralChannel, ServiceLine
from ui.shell import AppContext, context
from ui.widgets import (
    form_key,
    label_of,
    now_local,
    read,
    short_time,
    show_flash,
    submit,
    to_utc,
)

SHOWN = 50
_PARTNER = "desk_partner"


def render(ctx: AppContext) -> None:
    st.title("Referral queue")
    targets = Targets.from_settings(ctx.settings)
    st.caption(
        f"Deadlines count business days from the day a referral was received: "
        f"{targets.label('first contact')}, {targets.label('scheduled')}. "
        "Overdue ones are marked; each stage lists the oldest deadline first."
    )
    show_flash()
    if ctx.actor.can_edit:
        _desk_entry(ctx)
    else:
        st.info("Your role is read-only: you see the queue but cannot log calls or referrals.")
    for stage in read(
        ctx.engine, lambda s: referral_queue(s, targets, clock.now(), ctx.zone, limit=SHOWN)
    ):
        _stage(ctx, stage)


def _stage(ctx: AppContext, stage: StageQueue) -> None:
    overdue = f", **:red[{stage.overdue} overdue]**" if stage.overdue else ""
    st.subheader(f"{stage.label}: {stage.waiting}", anchor=False)
    st.markdown(f"{stage.waiting} waiting{overdue}. Target: {stage.target}.")
    if not stage.entries:
        st.caption("Nobody is waiting at this stage.")
        return
    if stage.waiting > len(stage.entries):
        st.caption(f"The {len(stage.entries)} oldest deadlines of {stage.waiting}.")
    for entry in stage.entries:
        _row(ctx, entry)


def _row(ctx: AppContext, entry: QueueEntry) -> None:
    with st.container(border=True, key=f"queue_row_{entry.referral_id}"):
        info, actions = st.columns([3, 2])
        info.markdown(_described(ctx, entry))
        if ctx.actor.can_edit:
            _actions(ctx, entry, actions)


def _described(ctx: AppContext, entry: QueueEntry) -> str:
    due = f"due {entry.deadline:%a %b} {entry.deadline.day}"
    flag = f":red[**Overdue**, {due}]" if entry.overdue else due
    reach = (
        " · ".join(p for p in (display_phone(entry.patient_phone), entry.patient_email) if p)
        or "no phone or email"
    )
    referred = entry.partner + (f", {entry.contact}" if entry.contact else "")
    if entry.contact_phone:
        referred += f" ({display_phone(entry.contact_phone)})"
    details = [
        ServiceLine(entry.service_line).label,
        entry.location or "no location",
        label_of(ReferralChannel)(entry.channel),
        f"received {short_time(entry.received_at.astimezone(ctx.zone))}",
    ]
    return (
        f"{flag} · #{entry.referral_id}  \n**{entry.patient or '(patient not recorded)'}** · "
        f"{reach}  \nReferred by {referred}  \n" + " · ".join(details)
    )


def _actions(ctx: AppContext, entry: QueueEntry, column) -> None:  # type: ignore[no-untyped-def]
    rid, who = entry.referral_id, entry.patient or f"Referral #{entry.referral_id}"
    with column:
        if entry.stage == CONTACT and st.button(
            "Contacted", key=f"queue_contacted_{rid}", icon=":material/call:"
        ):
            submit(
                ctx.engine,
                lambda s: log_contacted(s, ctx.actor, rid, clock.now()),
                f"{who}: contacted.",
            )
        with st.popover("Scheduled…", icon=":material/event_available:"):
            _schedule_form(ctx, rid, who)
        with st.popover("Lost…", icon=":material/block:"):
            _lost_form(ctx, rid, who)


def _schedule_form(ctx: AppContext, rid: int, who: str) -> None:
    now = now_local(ctx.zone)
    with st.form(f"queue_schedule_{rid}"):
        day = st.date_input(
            "Appointment",
            value=(now + timedelta(days=1)).date(),
            format="MM/DD/YYYY",
            key=f"queue_schedule_day_{rid}",
        )
        at = st.time_input(
            "Time", value=now.replace(hour=9, minute=0).time(), key=f"queue_schedule_time_{rid}"
        )
        booked = st.form_submit_button("Book", type="primary", key=f"queue_schedule_save_{rid}")
    if booked:
        submit(
            ctx.engine,
            lambda s: log_scheduled(s, ctx.actor, rid, to_utc(day, at, ctx.zone), clock.now()),
            f"{who}: scheduled for {day:%b} {day.day}, {at:%I:%M %p}.",
        )


def _lost_form(ctx: AppContext, rid: int, who: str) -> None:
    with st.form(f"queue_lost_{rid}"):
        reason = st.text_input(
            "Reason",
            max_chars=200,
            placeholder="no answer after three calls, chose another practice, ...",
            key=f"queue_lost_reason_{rid}",
        )
        lost = st.form_submit_button("Mark lost", key=f"queue_lost_save_{rid}")
    if lost:
        submit(
            ctx.engine,
            lambda s: log_lost(s, ctx.actor, rid, reason, clock.now()),
            f"{who}: lost ({reason.strip()}).",
        )


def _desk_entry(ctx: AppContext) -> None:
    """Tab from field to field, Enter to save: the partner first (found by a few letters
    of its name), so that its contacts are the ones offered."""
    st.subheader("Phone or fax referral", anchor=False)
    typed = st.text_input(
        "Referring partner",
        placeholder="Type part of the partner's name, then Enter",
        key="desk_partner_search",
    )
    partners = dict(read(ctx.engine, lambda s: desk_partners(s, typed)))
    if typed.strip() and not partners:
        st.caption("No partner has that in its name: add it on the Partners page first.")
    if not partners:
        return
    partner_id = st.selectbox(
        "Partner",
        list(partners),
        format_func=partners.get,
        key=_PARTNER,
    )
    if partner_id is None:
        return
    contacts = read(ctx.engine, lambda s: contacts_of(s, partner_id))
    locations = read(ctx.engine, list_locations)
    people: dict[int | None, str] = {
        None: "Not recorded",
        **{c.id: f"{c.first_name} {c.last_name}".strip() for c in contacts},
    }
    places: dict[int | None, str] = {None: "Not chosen", **{loc.id: loc.name for loc in locations}}
    name = form_key("desk_referral")
    with st.form(name):
        a, b, c = st.columns(3)
        first = a.text_input("Patient's first name", max_chars=80, key=f"{name}_first")
        last = b.text_input("Patient's last name", max_chars=80, key=f"{name}_last")
        phone = c.text_input("Patient's phone", key=f"{name}_phone")
        a, b, c = st.columns(3)
        email = a.text_input("Patient's email", key=f"{name}_email")
        contact_id = b.selectbox(
            "Referred by", list(people), format_func=people.get, key=f"{name}_contact"
        )
        location_id = c.selectbox(
            "Location", list(places), format_func=places.get, key=f"{name}_location"
        )
        a, b, _ = st.columns(3)
        service = a.selectbox(
            "Service line",
            ServiceLine.choices(),
            format_func=label_of(ServiceLine),
            index=ServiceLine.choices().index(ServiceLine.GENERAL.value),
            key=f"{name}_service",
        )
        channel = b.radio(
            "Came by",
            DESK_CHANNELS,
            format_func=label_of(ReferralChannel),
            horizontal=True,
            key=f"{name}_channel",
        )
        st.caption("No clinical details here: documents go by fax or the secure channel.")
        saved = st.form_submit_button("Add to the queue", type="primary", key=f"{name}_save")
    if saved:
        submit(
            ctx.engine,
            lambda s: enter_referral(
                s,
                ctx.actor,
                DeskReferralInput(
                    partner_id=partner_id,
                    contact_id=contact_id,
                    first_name=first,
                    last_name=last,
                    phone=phone,
                    email=email,
                    location_id=location_id,
                    service_line=service,
                    channel=channel,
                ),
                clock.now(),
            ),
            lambda referral: (
                f"Referral #{referral.id} from {partners[partner_id]} is in the queue."
            ),
            fresh="desk_referral",
        )


if __name__ == "__main__":
    render(context())
