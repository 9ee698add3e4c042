"""Cadences: sequences of emails and tasks a partner goes through, and monthly or
quarterly touch plans. Editors create and edit them, enrol partners (one by one or a
segment's members) and pause, resume or exit enrolments; viewers read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from campaigns.cadences.enrolment import (
    CadenceDraft,
    CadenceSummary,
    create_cadence,
    enrol,
    enrol_segment,
    exit_enrolment_ids,
    get_cadence,
    list_cadences,
    list_enrolments,
    live_steps,
    pause,
    resume,
    update_cadence,
)
from campaigns.cadences.steps import (
    StepDraft,
    cadence_templates,
    roles_of,
    step_variables,
    values_of,
)
from campaigns.mail.templating import TEMPLATES
from crm import clock
from crm.models import Cadence, CadenceStep
from crm.partners import PartnerQuery, search_partners
from crm.segments import list_segments
from crm.vocab import (
    CadencePurpose,
    ContactRole,
    EnrolmentStatus,
    ExitReason,
    Recurrence,
    StepAction,
)
from ui.shell import AppContext, context
from ui.widgets import label_of, local, read, show_flash, submit

NEW = 0
_PICK = "cadence_pick"
_OPEN_NEXT = "_cadence_open_next"
_DEFAULT_TEMPLATE = "partner_checkin"
_FROM = {"previous": "after the previous step", "enrolment": "after enrolment"}


def render(ctx: AppContext) -> None:
    st.title("Cadences")
    st.caption(
        "Steps fall on business days (Monday to Friday, less the holidays and closed days on the "
        "Holidays page) at 09:00 in the practice's time zone. "
        "Edits change only steps not yet run; no step ever runs twice for one partner."
    )
    show_flash()
    summaries = read(ctx.engine, list_cadences)
    _table(summaries)
    chosen = _pick(ctx, summaries)
    if chosen is None:
        return
    cadence, steps = (
        read(ctx.engine, lambda s: (get_cadence(s, chosen), live_steps(s, chosen)))
        if chosen
        else (None, [])
    )
    _editor(ctx, cadence, steps)
    if cadence is not None:
        _enrol(ctx, cadence)
        _enrolments(ctx, cadence)


def _table(summaries: list[CadenceSummary]) -> None:
    if not summaries:
        st.info("No cadences yet.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Name": c.name,
                    "Purpose": CadencePurpose(c.purpose).label,
                    "Repeats": Recurrence(c.recurrence).label
                    if c.recurrence
                    else "No (a sequence)",
                    "Steps": c.steps,
                    "On": c.active,
                    **{s.label: c.counts.get(s.value, 0) for s in EnrolmentStatus},
                }
                for c in summaries
            ]
        ),
        hide_index=True,
    )


def _pick(ctx: AppContext, summaries: list[CadenceSummary]) -> int | None:
    if _OPEN_NEXT in st.session_state:  # set after a save, before the picker exists this run
        st.session_state[_PICK] = st.session_state.pop(_OPEN_NEXT)
    names = {c.id: c.name for c in summaries}
    options = ([NEW] if ctx.actor.can_edit else []) + list(names)
    if not options:
        return None
    return st.selectbox(
        "Open a cadence",
        options,
        key=_PICK,
        format_func=lambda i: "New cadence…" if i == NEW else names[i],
    )


def _editor(ctx: AppContext, cadence: Cadence | None, steps: list[CadenceStep]) -> None:
    prefix = f"cad{cadence.id if cadence else 'new'}"
    locked = not ctx.actor.can_edit
    st.subheader(cadence.name if cadence else "New cadence", anchor=False)
    left, middle, right = st.columns(3)
    name = left.text_input(
        "Name", value=cadence.name if cadence else "", key=f"{prefix}_name", disabled=locked
    )
    purpose = middle.selectbox(
        "Purpose",
        CadencePurpose.choices(),
        format_func=label_of(CadencePurpose),
        index=CadencePurpose.choices().index(cadence.purpose if cadence else "other"),
        key=f"{prefix}_purpose",
        disabled=locked,
    )
    recurrence = right.selectbox(
        "Repeats",
        Recurrence.choices(),
        key=f"{prefix}_recurrence",
        disabled=locked,
        index=Recurrence.choices().index(cadence.recurrence if cadence else ""),
        format_func=lambda v: Recurrence(v).label if v else "No (a sequence)",
    )
    description = st.text_input(
        "Description",
        value=cadence.description if cadence else "",
        key=f"{prefix}_description",
        disabled=locked,
    )
    active = st.checkbox(
        "On (the planner runs its steps)",
        value=cadence.active if cadence else True,
        key=f"{prefix}_active",
        disabled=locked,
    )
    exit_on_source = st.checkbox(
        "Exit a partner who becomes a referral source",
        value=cadence.exit_on_referral_source if cadence else False,
        key=f"{prefix}_exit_on_source",
        disabled=locked,
    )
    nurture_id = _nurture_cadence(ctx, cadence, prefix, locked or not exit_on_source)
    rule_segment_id = _rule_segment(ctx, cadence, prefix, locked)
    drafts = _steps(prefix, steps, locked)
    if locked:
        return
    if st.button("Save cadence", type="primary", key=f"{prefix}_save"):
        _save(
            ctx,
            cadence,
            dict(
                name=name,
                purpose=purpose,
                recurrence=recurrence,
                description=description,
                active=active,
                exit_on_referral_source=exit_on_source,
                nurture_cadence_id=nurture_id if exit_on_source else None,
                rule_segment_id=rule_segment_id,
                steps=drafts,
            ),
        )


def _nurture_cadence(
    ctx: AppContext, cadence: Cadence | None, prefix: str, locked: bool
) -> int | None:
    others = {
        c.id: c.name
        for c in read(ctx.engine, list_cadences)
        if cadence is None or c.id != cadence.id
    }
    current = cadence.nurture_cadence_id if cadence else None
    options = [None, *others]
    return st.selectbox(
        "…and enrol them in a nurture cadence",
        options,
        key=f"{prefix}_nurture",
        index=options.index(current) if current in options else 0,
        disabled=locked,
        format_func=lambda i: "No nurture cadence" if i is None else others[i],
    )


def _rule_segment(
    ctx: AppContext, cadence: Cadence | None, prefix: str, locked: bool
) -> int | None:
    segments = {s.id: s.name for s in read(ctx.engine, _segments)}
    current = cadence.rule_segment_id if cadence else None
    options = [None, *segments]
    return st.selectbox(
        "Enrol new members of a segment on their own (a rule)",
        options,
        index=options.index(current) if current in options else 0,
        key=f"{prefix}_rule",
        format_func=lambda i: "No rule" if i is None else segments[i],
        disabled=locked,
    )


def _segments(session: Any) -> list[Any]:
    return list_segments(session)


def _steps(prefix: str, steps: list[CadenceStep], locked: bool) -> list[dict[str, Any]]:
    """One block of widgets per step; existing steps keep their id so an edit never
    makes a step that already ran run again."""
    extra_key = f"{prefix}_extra"
    st.session_state.setdefault(extra_key, 0 if steps else 1)
    rows: list[CadenceStep | None] = [*steps, *([None] * st.session_state[extra_key])]
    drafts = []
    for index, step in enumerate(rows):
        with st.container(border=True):
            draft = _step(f"{prefix}_s{step.id if step else f'n{index}'}", index + 1, step, locked)
        if draft is not None:
            drafts.append(draft)
    if not locked and st.button("Add a step", key=f"{prefix}_add_step"):
        st.session_state[extra_key] += 1
        st.rerun()
    return drafts


def _step(key: str, number: int, step: CadenceStep | None, locked: bool) -> dict[str, Any] | None:
    top = st.columns([2, 1, 2, 1])
    action = top[0].selectbox(
        f"Step {number}",
        StepAction.choices(),
        format_func=label_of(StepAction),
        index=StepAction.choices().index(step.action if step else "email"),
        key=f"{key}_action",
        disabled=locked,
    )
    offset = top[1].number_input(
        "Business days",
        min_value=0,
        max_value=260,
        key=f"{key}_offset",
        value=step.offset_days if step else 0,
        disabled=locked,
    )
    offset_from = top[2].selectbox(
        "Counted",
        list(_FROM),
        format_func=_FROM.get,
        key=f"{key}_from",
        index=list(_FROM).index(step.offset_from if step else "previous"),
        disabled=locked,
    )
    removed = top[3].checkbox("Remove", key=f"{key}_remove", disabled=locked)
    title = st.text_input(
        "Title", value=step.title if step else "", key=f"{key}_title", disabled=locked
    )
    values: dict[str, Any] = {
        "id": step.id if step else None,
        "action": action,
        "offset_days": offset,
        "offset_from": offset_from,
        "title": title,
    }
    if action == StepAction.EMAIL:
        values.update(_email_fields(key, step, locked))
    else:
        values["instructions"] = st.text_area(
            "Instructions for the liaison",
            value=step.instructions if step else "",
            key=f"{key}_instructions",
            disabled=locked,
            height=68,
        )
    return None if removed else values


def _email_fields(key: str, step: CadenceStep | None, locked: bool) -> dict[str, Any]:
    names = cadence_templates()
    current = step.template if step and step.template in names else _DEFAULT_TEMPLATE
    template = st.selectbox(
        "Email template",
        names,
        index=names.index(current),
        key=f"{key}_template",
        format_func=lambda n: TEMPLATES[n].title,
        disabled=locked,
    )
    roles = st.multiselect(
        "To the partner's contacts who are",
        ContactRole.choices(),
        format_func=label_of(ContactRole),
        default=sorted(roles_of(step.contact_roles)) if step else ["physician"],
        key=f"{key}_roles",
        disabled=locked,
    )
    stored = values_of(step.template_values) if step else {}
    typed = {
        name: st.text_input(
            TEMPLATES[template].variables[name],
            value=stored.get(name, ""),
            key=f"{key}_{template}_{name}",
            disabled=locked,
        )
        for name in step_variables(template)
    }
    return {"template": template, "contact_roles": roles, "template_values": typed}


def _save(ctx: AppContext, cadence: Cadence | None, fields: dict[str, Any]) -> None:
    def change(session: Any) -> Cadence:
        draft = CadenceDraft(**{**fields, "steps": [StepDraft(**s) for s in fields["steps"]]})
        if cadence is None:
            return create_cadence(session, ctx.actor, draft, clock.now())
        return update_cadence(session, ctx.actor, cadence.id, draft, clock.now())

    def reopen(saved: Cadence) -> None:
        for key in [
            k
            for k in st.session_state
            if str(k).startswith(f"cad{cadence.id if cadence else 'new'}_")
        ]:
            del st.session_state[key]
        st.session_state[_OPEN_NEXT] = saved.id

    submit(ctx.engine, change, lambda saved: f"{saved.name} saved.", then=reopen)


def _enrol(ctx: AppContext, cadence: Cadence) -> None:
    if not ctx.actor.can_edit:
        return
    st.subheader("Enrol partners", anchor=False)
    left, right = st.columns(2)
    with left:
        text = st.text_input(
            "Find partners", key=f"enrol_find_{cadence.id}", placeholder="Name, city, ZIP or tag"
        )
        found = (
            read(
                ctx.engine,
                lambda s: search_partners(s, PartnerQuery(text=text, limit=25), clock.now()),
            )[0]
            if text.strip()
            else []
        )
        names = {r.id: f"{r.name} ({r.city})" if r.city else r.name for r in found}
        picked = st.multiselect(
            "Partners", list(names), format_func=names.get, key=f"enrol_pick_{cadence.id}"
        )
        if st.button("Enrol", key=f"enrol_go_{cadence.id}", disabled=not picked):
            submit(
                ctx.engine,
                lambda s: enrol(s, ctx.actor, cadence.id, picked, now=clock.now()),
                _sentence,
            )
    with right:
        segments = {s.id: s.name for s in read(ctx.engine, _segments)}
        segment = st.selectbox(
            "Segment",
            list(segments),
            format_func=segments.get,
            key=f"enrol_segment_{cadence.id}",
            index=None,
            placeholder="Choose a segment",
        )
        if st.button(
            "Enrol its members now", key=f"enrol_segment_go_{cadence.id}", disabled=segment is None
        ):
            submit(
                ctx.engine,
                lambda s: enrol_segment(s, ctx.actor, cadence.id, segment, clock.now()),
                _sentence,
            )


def _sentence(report: Any) -> str:
    return report.sentence()


def _enrolments(ctx: AppContext, cadence: Cadence) -> None:
    st.subheader("Enrolments", anchor=False)
    statuses = st.multiselect(
        "Status",
        EnrolmentStatus.choices(),
        format_func=label_of(EnrolmentStatus),
        default=["active", "paused"],
        key=f"enrolment_status_{cadence.id}",
    )
    rows, total = read(ctx.engine, lambda s: list_enrolments(s, cadence.id, statuses))
    st.markdown(
        f"**{total} enrolment{'s' if total != 1 else ''}**"
        + (" (newest 500 shown)" if total > 500 else "")
    )
    if not rows:
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Partner": r.partner_name,
                    "Status": EnrolmentStatus(r.status).label,
                    "Exit reason": ExitReason(r.exit_reason).label if r.exit_reason else "",
                    "Source": r.source,
                    "Enrolled": local(r.enrolled_at, ctx.zone),
                    "Next step due": local(r.next_due_at, ctx.zone),
                }
                for r in rows
            ]
        ),
        hide_index=True,
    )
    if ctx.actor.can_edit:
        _enrolment_actions(ctx, cadence, {r.id: r.partner_name for r in rows})


def _enrolment_actions(ctx: AppContext, cadence: Cadence, names: dict[int, str]) -> None:
    picked = st.multiselect(
        "Enrolments to change",
        list(names),
        format_func=names.get,
        key=f"enrolment_pick_{cadence.id}",
    )
    pause_col, resume_col, reason_col, exit_col = st.columns([1, 1, 2, 1])
    if pause_col.button("Pause", key=f"enrolment_pause_{cadence.id}", disabled=not picked):
        submit(
            ctx.engine, lambda s: pause(s, ctx.actor, picked, now=clock.now()), _changed("paused")
        )
    if resume_col.button("Resume", key=f"enrolment_resume_{cadence.id}", disabled=not picked):
        submit(
            ctx.engine,
            lambda s: resume(s, ctx.actor, picked, now=clock.now(), timezone=ctx.settings.timezone),
            _changed("resumed"),
        )
    reason = reason_col.selectbox(
        "Exit reason",
        ExitReason.choices(),
        format_func=label_of(ExitReason),
        index=ExitReason.choices().index("manual"),
        key=f"enrolment_reason_{cadence.id}",
    )
    if exit_col.button("Exit", key=f"enrolment_exit_{cadence.id}", disabled=not picked):
        submit(
            ctx.engine,
            lambda s: exit_enrolment_ids(s, ctx.actor, picked, reason=reason, now=clock.now()),
            _changed("exited"),
        )


def _changed(verb: str) -> Callable[[int], str]:
    return lambda count: f"{count} enrolment{'s' if count != 1 else ''} {verb}."


if __name__ == "__main__":
    render(context())
