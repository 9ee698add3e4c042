"""My week: a liaison's overdue, today's and this week's calls, visits and drop-offs,
each with what is needed to act (who, where, the phone, the last three touches) and the
controls to complete, snooze, reassign or skip it. Read-only users see the lists only."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from crm import clock
from crm.contacts import contacts_of
from crm.tasks import (
    TASK_KINDS,
    TaskInput,
    TaskItem,
    complete_task,
    create_task,
    my_week,
    partner_choices,
    reassign_task,
    skip_task,
    snooze_task,
)
from crm.users import list_users
from crm.vocab import Role, StepAction, TouchKind
from ui import route_view
from ui.shell import AppContext, context
from ui.widgets import local, read, show_flash, submit


def render(ctx: AppContext) -> None:
    st.title("My week")
    show_flash()
    today = clock.now().astimezone(ctx.zone).date()
    users = read(ctx.engine, list_users)
    names = {u.id: u.name or u.email for u in users if u.active}
    whose = _whose(ctx, names)
    week = read(ctx.engine, lambda s: my_week(s, whose, today))
    st.caption(
        f"{names.get(whose, '')} · week of {today:%b %d, %Y}: {len(week.overdue)} overdue, "
        f"{len(week.today)} today, {len(week.this_week)} later this week"
    )
    assignable = {
        u.id: u.name or u.email for u in users if u.active and u.role != Role.VIEWER.value
    }
    if ctx.actor.can_edit:
        _add_task(ctx, today, whose, assignable)
    route_view.render(ctx, whose, today)
    for title, items in (
        ("Overdue", week.overdue),
        ("Today", week.today),
        ("This week", week.this_week),
    ):
        st.subheader(f"{title} ({len(items)})", anchor=False)
        if not items:
            st.caption("Nothing here.")
        for item in items:
            _task(ctx, item, today, assignable)


def _whose(ctx: AppContext, names: dict[int, str]) -> int:
    """Your own week by default; anyone's, to cover for a colleague or to look in."""
    ids = list(names)
    start = ids.index(ctx.actor.id) if ctx.actor.id in ids else 0
    return st.selectbox(
        "Whose week", ids, index=start, format_func=lambda i: names[i], key="my_week_user"
    )


def _add_task(ctx: AppContext, today: date, whose: int, assignable: dict[int, str]) -> None:
    """A call, visit or drop-off made by hand, for the week shown unless given to someone else."""
    with st.expander("Add a task"):
        partners = dict(read(ctx.engine, partner_choices))
        partner_id = st.selectbox(
            "Partner",
            list(partners),
            index=None,
            format_func=lambda i: partners[i],
            placeholder="Type to search",
            key="new_task_partner",
        )
        contacts = read(ctx.engine, lambda s: contacts_of(s, partner_id)) if partner_id else []
        names = {c.id: f"{c.first_name} {c.last_name}".strip() for c in contacts}
        contact_id = st.selectbox(
            "Contact",
            [None, *names],
            format_func=lambda i: names.get(i, "—"),
            key="new_task_contact",
        )
        left, middle, right = st.columns(3)
        kind = left.selectbox(
            "What", list(TASK_KINDS), format_func=lambda k: StepAction(k).label, key="new_task_kind"
        )
        due_on = middle.date_input("Due", value=today, key="new_task_due")
        owners = list(assignable)
        owner = right.selectbox(
            "For",
            owners,
            index=owners.index(whose) if whose in owners else 0,
            format_func=lambda i: assignable[i],
            key="new_task_owner",
        )
        title = st.text_input(
            "Title", placeholder="Drop off the new concussion flyers", key="new_task_title"
        )
        if st.button("Add the task", key="new_task_add", disabled=partner_id is None):
            data = {
                "kind": kind,
                "partner_id": partner_id,
                "contact_id": contact_id,
                "due_on": due_on,
                "assigned_to": owner,
                "title": title,
            }
            submit(
                ctx.engine,
                lambda s: create_task(s, ctx.actor, TaskInput(**data), clock.now()),
                f"Added: {StepAction(kind).label.lower()} for {partners[partner_id]}.",
            )


def _task(ctx: AppContext, item: TaskItem, today: date, assignable: dict[int, str]) -> None:
    with st.container(border=True):
        due = "" if item.due_on == today else f" · due {item.due_on:%a %b %d}"
        st.markdown(
            f"**{StepAction(item.kind).label}: {item.partner_name}**{due}"
            + (f"  \n{item.title}" if item.title else "")
        )
        where = ", ".join(x for x in (item.address, item.city, item.zip) if x)
        st.caption(
            " · ".join(x for x in (item.contact_name, item.phone, where) if x)
            or "No contact details"
        )
        if item.instructions:
            st.caption(item.instructions)
        st.caption(
            "Last touches: "
            + (
                "; ".join(
                    f"{local(t.occurred_at, ctx.zone, with_time=False)} {TouchKind(t.kind).label}"
                    + (f" ({t.outcome})" if t.outcome else "")
                    for t in item.last_touches
                )
                or "none yet"
            )
        )
        if ctx.actor.can_edit:
            _complete(ctx, item)
            _other_actions(ctx, item, today, assignable)


def _complete(ctx: AppContext, item: TaskItem) -> None:
    """Outcome, note, one tap on Done, as the liaison leaves the office. On a phone the
    columns stack and Done spans the screen; a keyboard's Enter (a phone's Go) never
    completes the visit before the note is typed."""
    with st.form(f"complete_form_{item.task_id}", border=False, enter_to_submit=False):
        left, right = st.columns([2, 3])
        outcome = left.text_input(
            "Outcome", placeholder="Spoke with the office manager", key=f"outcome_{item.task_id}"
        )
        notes = right.text_input("Notes", key=f"notes_{item.task_id}")
        done = st.form_submit_button(
            "Done",
            type="primary",
            icon=":material/check:",
            key=f"complete_{item.task_id}",
            width="stretch",
        )
    if done:
        submit(
            ctx.engine,
            lambda s: complete_task(
                s, ctx.actor, item.task_id, outcome.strip() or "done", notes, clock.now()
            ),
            lambda touch: (
                f"Done: {item.partner_name}. Logged as a {TouchKind(touch.kind).label.lower()}."
            ),
        )


def _other_actions(
    ctx: AppContext, item: TaskItem, today: date, assignable: dict[int, str]
) -> None:
    key = item.task_id
    with st.expander("Snooze, reassign or skip"):
        snooze, reassign, skip = st.columns(3)
        until = snooze.date_input(
            "Snooze until",
            value=today + timedelta(days=1),
            min_value=today + timedelta(days=1),
            key=f"snooze_until_{key}",
        )
        if snooze.button("Snooze", key=f"snooze_{key}"):
            _apply(
                ctx,
                lambda s: snooze_task(s, ctx.actor, key, until, today, clock.now()),
                f"Snoozed to {until:%a %b %d}.",
            )
        others = [uid for uid in assignable if uid != item.assigned_to]
        to = reassign.selectbox(
            "Give to", others, format_func=lambda i: assignable[i], key=f"reassign_to_{key}"
        )
        if reassign.button("Reassign", key=f"reassign_{key}", disabled=to is None):
            _apply(
                ctx,
                lambda s: reassign_task(s, ctx.actor, key, to, clock.now()),
                f"Given to {assignable.get(to)}.",
            )
        reason = skip.text_input("Why skip it", key=f"skip_reason_{key}")
        if skip.button("Skip", key=f"skip_{key}"):
            _apply(ctx, lambda s: skip_task(s, ctx.actor, key, reason, clock.now()), "Skipped.")


def _apply(ctx: AppContext, change, message: str) -> None:  # type: ignore[no-untyped-def]
    submit(ctx.engine, change, message)


if __name__ == "__main__":
    render(context())
