"""Segments: saved filters over partners and hand-picked lists. Everyone sees the list,
the live count, the preview and the CSV; marketers and admins build and save them.

The editor keeps its condition tree in session state (which conditions and groups
exist); each condition's field, operator and value are ordinary widgets whose keys
carry the field and operator, so changing the field gives fresh, fitting widgets."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import streamlit as st

from campaigns.materials.forms import MAX_SEGMENT_FORMS, segment_forms
from crm import clock
from crm.models import Segment
from crm.partners import PartnerQuery, filter_options, search_partners
from crm.segments import (
    DYNAMIC,
    FIELDS,
    PREVIEW_LIMIT,
    STATIC,
    InvalidDefinition,
    MemberRow,
    SegmentDefinition,
    SegmentInput,
    add_members,
    archive_segment,
    cadence_choices,
    count_matching,
    count_members,
    create_segment,
    definition_of,
    export_csv,
    list_segments,
    parse_definition,
    preview_matching,
    preview_members,
    remove_members,
    update_segment,
)
from crm.segments.definition import Condition, Group
from crm.vocab import PartnerStatus, PartnerType
from ui.shell import AppContext, context
from ui.widgets import local, read, show_flash, submit

PICK = "segment_pick"
NEW_DYNAMIC, NEW_STATIC = 0, -1
_TREE = "_segment_tree"
_LOADED = "_segment_loaded"
_OPEN_NEXT = "_segment_open_next"
_SEQ = "_segment_seq"


def render(ctx: AppContext) -> None:
    st.title("Segments")
    st.caption(
        "Saved filters over partners (their members follow the conditions) and hand-picked lists."
    )
    show_flash()
    segments = read(ctx.engine, list_segments)
    _table(ctx, segments)
    by_id = {s.id: s for s in segments}
    chosen = _pick(ctx, by_id)
    if chosen is None:
        return
    segment = by_id.get(chosen)
    kind = segment.kind if segment else (STATIC if chosen == NEW_STATIC else DYNAMIC)
    st.divider()
    if kind == DYNAMIC:
        _dynamic_editor(ctx, segment)
    else:
        _static_editor(ctx, segment)


def _table(ctx: AppContext, segments: list[Segment]) -> None:
    if not segments:
        st.info("No segments yet." + (" Build one below." if ctx.actor.can_edit else ""))
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Name": s.name,
                    "Kind": "Filter" if s.kind == DYNAMIC else "Hand-picked",
                    "Description": s.description,
                    "Updated": local(s.updated_at, ctx.zone),
                }
                for s in segments
            ]
        ),
        hide_index=True,
    )


def _pick(ctx: AppContext, by_id: dict[int, Segment]) -> int | None:
    if _OPEN_NEXT in st.session_state:  # set after a save, before the picker exists this run
        st.session_state[PICK] = st.session_state.pop(_OPEN_NEXT)
    new = (
        {NEW_DYNAMIC: "New filter segment", NEW_STATIC: "New hand-picked segment"}
        if ctx.actor.can_edit
        else {}
    )
    names = {**new, **{i: s.name for i, s in by_id.items()}}
    if not names:
        return None
    if st.session_state.get(PICK) not in names:
        st.session_state[PICK] = next(iter(names))
    return st.selectbox("Open a segment", list(names), format_func=names.get, key=PICK)


# The condition tree ------------------------------------------------------------------


def _new_key(prefix: str) -> str:
    st.session_state[_SEQ] = st.session_state.get(_SEQ, 0) + 1
    return f"seg_{prefix}{st.session_state[_SEQ]}"


def _tree_for(segment: Segment | None) -> dict[str, Any]:
    """The editor's tree, (re)loaded when another segment is opened."""
    loaded = segment.id if segment else "new"
    if st.session_state.get(_LOADED) != loaded:
        st.session_state[_LOADED] = loaded
        definition = definition_of(segment) if segment else SegmentDefinition()
        st.session_state[_TREE] = _load(definition)
        st.session_state["seg_name"] = segment.name if segment else ""
        st.session_state["seg_description"] = segment.description if segment else ""
    return st.session_state[_TREE]


def _load(definition: SegmentDefinition) -> dict[str, Any]:
    key = _new_key("g")
    st.session_state[f"{key}_match"] = definition.match
    items: list[dict[str, Any]] = []
    for item in definition.conditions:
        items.append(_load(item) if isinstance(item, Group) else {"cond": _load_condition(item)})
    return {"group": key, "items": items}


def _load_condition(condition: Condition) -> str:
    key = _new_key("c")
    st.session_state[f"{key}_field"] = condition.field
    st.session_state[f"{key}_op_{condition.field}"] = condition.op
    value_key = f"{key}_value_{condition.field}_{condition.op}"
    if isinstance(condition.value, dict):
        st.session_state[value_key] = float(condition.value["per_month"])
        st.session_state[f"{value_key}_months"] = int(condition.value["months"])
    elif condition.value is not None and _takes_text(condition.field, condition.op):
        st.session_state[value_key] = ", ".join(condition.value)
    elif condition.value is not None:
        st.session_state[value_key] = condition.value
    return key


def _takes_text(field: str, op: str) -> bool:
    kind = FIELDS[field].ops[op].value
    return kind == "words" or (kind == "list" and field in ("city", "zip"))


def _add_condition(items: list[dict[str, Any]]) -> None:
    items.append({"cond": _new_key("c")})


def _add_group(items: list[dict[str, Any]]) -> None:
    key = _new_key("g")
    st.session_state[f"{key}_match"] = "any"
    items.append({"group": key, "items": [{"cond": _new_key("c")}]})


def _remove(items: list[dict[str, Any]], item: dict[str, Any]) -> None:
    items.remove(item)


# The dynamic editor -----------------------------------------------------------------


def _dynamic_editor(ctx: AppContext, segment: Segment | None) -> None:
    tree = _tree_for(segment)
    choices = read(ctx.engine, _choices)
    st.subheader(segment.name if segment else "New filter segment", anchor=False)
    raw = _group_widgets(ctx, tree, choices, nested=False)
    try:
        definition = parse_definition(raw)
    except InvalidDefinition as exc:
        st.warning("Not yet a valid segment:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
        definition = None
    if definition is not None:
        _live_results(ctx, definition)
    if ctx.actor.can_edit:
        _save(ctx, segment, DYNAMIC, definition)
    if segment is not None:
        _download(ctx, segment)
    if segment is not None and ctx.actor.can_edit:
        _archive(ctx, segment)


def _choices(session: Any) -> dict[str, Any]:
    options = filter_options(session)
    return {
        "territories": options["territories"],
        "owners": dict(options["owners"]),
        "cadences": dict(cadence_choices(session)),
    }


def _group_widgets(
    ctx: AppContext, group: dict[str, Any], choices: dict[str, Any], nested: bool
) -> dict[str, Any]:
    """Draw one group and return its raw definition (validated by the caller)."""
    key = group["group"]
    editable = ctx.actor.can_edit
    label = "Partners in this group match" if nested else "Partners match"
    match = st.radio(
        label,
        ["all", "any"],
        key=f"{key}_match",
        horizontal=True,
        disabled=not editable,
        format_func=lambda m: (
            "all of these conditions" if m == "all" else "any of these conditions"
        ),
    )
    conditions = []
    for item in list(group["items"]):
        if "cond" in item:
            conditions.append(_condition_widgets(ctx, item, group["items"], choices))
        else:
            with st.container(border=True):
                conditions.append(_group_widgets(ctx, item, choices, nested=True))
                if editable:
                    st.button(
                        "Remove group",
                        key=f"{item['group']}_remove",
                        on_click=_remove,
                        args=(group["items"], item),
                    )
    if editable:
        left, right, _ = st.columns([1, 1, 3])
        left.button(
            "Add condition",
            key=f"{key}_add",
            on_click=_add_condition,
            args=(group["items"],),
            icon=":material/add:",
        )
        if not nested:
            right.button(
                "Add group",
                key=f"{key}_add_group",
                on_click=_add_group,
                args=(group["items"],),
                help="A group of conditions joined the other way (for example: any of two).",
            )
    return {"match": match, "conditions": conditions}


def _condition_widgets(
    ctx: AppContext, item: dict[str, Any], siblings: list[dict[str, Any]], choices: dict[str, Any]
) -> dict[str, Any]:
    key = item["cond"]
    disabled = not ctx.actor.can_edit
    field_col, op_col, value_col, remove_col = st.columns([2, 3, 4, 1], vertical_alignment="bottom")
    field = field_col.selectbox(
        "Field",
        list(FIELDS),
        key=f"{key}_field",
        format_func=lambda f: FIELDS[f].label,
        disabled=disabled,
    )
    ops = FIELDS[field].ops
    op = op_col.selectbox(
        "Condition",
        list(ops),
        key=f"{key}_op_{field}",
        format_func=lambda o: ops[o].label,
        disabled=disabled,
    )
    with value_col:
        value = _value_widget(f"{key}_value_{field}_{op}", field, op, choices, disabled)
    if not disabled:
        remove_col.button(
            ":material/delete:",
            key=f"{key}_remove",
            help="Remove this condition",
            on_click=_remove,
            args=(siblings, item),
        )
    return {"field": field, "op": op, "value": value}


def _value_widget(key: str, field: str, op: str, choices: dict[str, Any], disabled: bool) -> Any:
    kind = FIELDS[field].ops[op].value
    spec = FIELDS[field]
    if kind == "none":
        return None
    if kind == "days":
        st.session_state.setdefault(key, 90)
        return st.number_input(
            "Days", min_value=1, max_value=36_500, step=1, key=key, disabled=disabled
        )
    if kind == "rate":
        st.session_state.setdefault(key, 1.0)
        st.session_state.setdefault(f"{key}_months", 12)
        rate, months = st.columns(2)
        per_month = rate.number_input(
            "Per month", min_value=0.0, step=0.5, key=key, disabled=disabled
        )
        over = months.number_input(
            "Over months",
            min_value=1,
            max_value=120,
            step=1,
            key=f"{key}_months",
            disabled=disabled,
        )
        return {"per_month": per_month, "months": over}
    if kind == "cadence":
        cadences = choices["cadences"]
        known = [None, *cadences] + [
            c for c in [st.session_state.get(key)] if c is not None and c not in cadences
        ]
        return st.selectbox(
            "Cadence",
            known,
            key=key,
            disabled=disabled,
            format_func=lambda c: "Any cadence" if c is None else cadences.get(c, f"Cadence {c}"),
        )
    if kind == "ids":
        owners = choices["owners"]  # active users; a saved one since deactivated stays listed
        known = list(owners) + [i for i in st.session_state.get(key, []) if i not in owners]
        return st.multiselect(
            "People",
            known,
            key=key,
            format_func=lambda i: owners.get(i, f"User {i}"),
            disabled=disabled,
        )
    if _takes_text(field, op):
        return st.text_input(
            "Values", key=key, placeholder="Separate with commas", disabled=disabled
        )
    if spec.vocabulary is not None:
        vocabulary = spec.vocabulary
        return st.multiselect(
            "Values",
            vocabulary.choices(),
            key=key,
            format_func=lambda v: vocabulary(v).label,
            disabled=disabled,
        )
    options = sorted({*choices["territories"], *st.session_state.get(key, [])})
    return st.multiselect("Values", options, key=key, disabled=disabled)


def _live_results(ctx: AppContext, definition: SegmentDefinition) -> None:
    now = clock.now()
    total = read(ctx.engine, lambda s: count_matching(s, definition, now))
    rows = read(ctx.engine, lambda s: preview_matching(s, definition, now))
    _members(ctx, total, rows)


def _members(ctx: AppContext, total: int, rows: list[MemberRow]) -> None:
    st.markdown(f"**{total:,}** partner{'s' if total != 1 else ''} in this segment")
    if not rows:
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Name": r.name,
                    "Type": PartnerType(r.partner_type).label,
                    "Tier": r.tier,
                    "Status": PartnerStatus(r.status).label,
                    "Territory": r.territory,
                    "City": r.city,
                    "Owner": r.owner,
                    "Referrals (12 mo)": r.referrals_12m,
                    "Last touch": local(r.last_touch_at, ctx.zone, with_time=False),
                }
                for r in rows
            ]
        ),
        hide_index=True,
        key="segment_preview",
    )
    if total > len(rows):
        st.caption(f"Showing the first {len(rows)} by name.")


# Saving and exporting -----------------------------------------------------------------


def _save(
    ctx: AppContext, segment: Segment | None, kind: str, definition: SegmentDefinition | None
) -> None:
    st.subheader("Save", anchor=False)
    name = st.text_input("Name", key="seg_name", max_chars=120)
    description = st.text_input("Description", key="seg_description", max_chars=500)
    label = "Save segment" if segment else "Create segment"
    if not st.button(
        label, type="primary", key="segment_save", disabled=kind == DYNAMIC and definition is None
    ):
        return
    data = {"name": name, "description": description, "kind": kind, "definition": definition or {}}

    def change(session: Any) -> Segment:
        now = clock.now()
        values = SegmentInput(**data)
        if segment is None:
            return create_segment(session, ctx.actor, values, now)
        return update_segment(session, ctx.actor, segment.id, values, now)

    # The saved segment stays open with its widgets as they are.
    submit(
        ctx.engine,
        change,
        lambda saved: f"Segment “{saved.name}” saved.",
        then=lambda saved: st.session_state.update({_OPEN_NEXT: saved.id, _LOADED: saved.id}),
    )


def _download(ctx: AppContext, segment: Segment) -> None:
    def build() -> str:
        out = io.StringIO()
        read(ctx.engine, lambda s: export_csv(s, segment.id, out, clock.now()))
        return out.getvalue()

    st.download_button(
        "Download CSV",
        data=build,
        file_name=f"{_file_stem(segment.name)}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="segment_download",
    )
    st.download_button(
        "Referral forms (PDF)",
        data=lambda: read(
            ctx.engine, lambda s: segment_forms(s, ctx.settings, segment.id, clock.now())[0]
        ),
        file_name=f"{_file_stem(segment.name)}-referral-forms.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/print:",
        key="segment_forms",
        help=f"A printed referral form per partner, for a materials drop-off "
        f"(the first {MAX_SEGMENT_FORMS} by name).",
    )


def _archive(ctx: AppContext, segment: Segment) -> None:
    """Archived, not deleted: a cadence or event that used the segment keeps its history."""
    if st.button("Archive segment", key="segment_archive", icon=":material/archive:"):
        submit(
            ctx.engine,
            lambda s: archive_segment(s, ctx.actor, segment.id, clock.now()),
            lambda archived: f"Segment “{archived.name}” archived.",
            then=lambda _archived: st.session_state.update({_OPEN_NEXT: NEW_DYNAMIC}),
        )


def _file_stem(name: str) -> str:
    stem = "".join(ch if ch.isalnum() else "-" for ch in name.lower())
    return "-".join(part for part in stem.split("-") if part) or "segment"


# The static editor --------------------------------------------------------------------


def _static_editor(ctx: AppContext, segment: Segment | None) -> None:
    _tree_for(segment)  # loads the name and description
    st.subheader(segment.name if segment else "New hand-picked segment", anchor=False)
    if segment is not None:
        now = clock.now()
        total = read(ctx.engine, lambda s: count_members(s, segment.id, now))
        rows = read(ctx.engine, lambda s: preview_members(s, segment.id, now, limit=PREVIEW_LIMIT))
        _members(ctx, total, rows)
        if ctx.actor.can_edit:
            left, right = st.columns(2)
            with left:
                _pick_partners(ctx, segment)
            with right:
                _drop_partners(ctx, segment, rows)
    elif ctx.actor.can_edit:
        st.caption("Name and create the segment, then pick its partners.")
    if ctx.actor.can_edit:
        _save(ctx, segment, STATIC, None)
    if segment is not None:
        _download(ctx, segment)
    if segment is not None and ctx.actor.can_edit:
        _archive(ctx, segment)


def _pick_partners(ctx: AppContext, segment: Segment) -> None:
    st.markdown("**Add partners**")
    text = st.text_input(
        "Find partners", key="segment_find", placeholder="Name, city, specialty, ZIP or tag"
    )
    if not text.strip():
        return
    found, _ = read(
        ctx.engine, lambda s: search_partners(s, PartnerQuery(text=text, limit=25), clock.now())
    )
    names = {r.id: f"{r.name} ({r.city})" if r.city else r.name for r in found}
    picked = st.multiselect(
        "Partners to add", list(names), format_func=names.get, key="segment_add_pick"
    )
    if st.button("Add to segment", key="segment_add", disabled=not picked):
        _members_change(
            ctx, lambda s, now: add_members(s, ctx.actor, segment.id, picked, now), "added"
        )


def _drop_partners(ctx: AppContext, segment: Segment, rows: list[MemberRow]) -> None:
    st.markdown("**Remove partners**")
    names = {r.id: r.name for r in rows}
    picked = st.multiselect(
        "Partners to remove",
        list(names),
        format_func=names.get,
        key="segment_drop_pick",
        help=f"From the first {PREVIEW_LIMIT} members shown above.",
    )
    if st.button("Remove from segment", key="segment_drop", disabled=not picked):
        _members_change(
            ctx, lambda s, now: remove_members(s, ctx.actor, segment.id, picked, now), "removed"
        )


def _members_change(ctx: AppContext, change: Any, verb: str) -> None:
    def forget_picks(_count: int) -> None:
        for key in ("segment_add_pick", "segment_drop_pick"):
            st.session_state.pop(key, None)

    submit(
        ctx.engine,
        lambda s: change(s, clock.now()),
        lambda count: f"{count} partner{'s' if count != 1 else ''} {verb}.",
        then=forget_picks,
    )


if __name__ == "__main__":
    render(context())
