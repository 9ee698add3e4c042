"""Partners: the filterable directory, one partner's detail, and the forms that change
them. Run by st.navigation as a page script; each section is a function below."""

from __future__ import annotations

from math import ceil

import altair as alt
import pandas as pd
import streamlit as st

from campaigns.materials.forms import partner_form
from campaigns.reviews.locations import qr_svg
from crm import clock
from crm.analytics.story import PartnerStory, partner_story
from crm.contacts import ContactInput, archive_contact, create_contact, update_contact
from crm.models import Contact, Partner
from crm.opt_outs import opted_out_among
from crm.partner_links import link_for, rotate
from crm.partners import (
    NotFound,
    PartnerDetail,
    PartnerInput,
    PartnerQuery,
    PartnerRow,
    archive_partner,
    create_partner,
    filter_options,
    partner_detail,
    restore_partner,
    search_partners,
    update_partner,
)
from crm.positions import GEOCODER
from crm.referrals import ReferralInput, create_referral
from crm.surveys import QUESTIONS as SURVEY_QUESTIONS
from crm.surveys import SHORT as SURVEY_SHORT
from crm.surveys import recent_quarters, results_by_partner, survey_comments
from crm.touches import TouchInput, log_touch
from crm.validation import display_phone
from crm.vocab import (
    ContactRole,
    PartnerStatus,
    PartnerType,
    ReferralChannel,
    ServiceLine,
    Tier,
    TouchKind,
    UpdatePreference,
)
from ui import opening_hours_form
from ui.downloads import download_buttons
from ui.shell import AppContext, context
from ui.widgets import form_key, label_of, local, now_local, read, show_flash, submit, to_utc

PAGE_SIZE = 200
FEEDBACK_QUARTERS = 4
OPEN = "open_partner"
PAGE = "partner_page"


def render(ctx: AppContext) -> None:
    st.title("Partners")
    show_flash()
    options = read(ctx.engine, filter_options)
    query = _filters(options)
    if ctx.actor.can_edit:
        _add_partner(ctx, options["owners"])
    rows, total = _search(ctx, query)
    _table(ctx, rows, total, query)
    _open_partner(ctx, rows, options["owners"])


# The directory ---------------------------------------------------------------


def _first_page() -> None:
    st.session_state[PAGE] = 1


def _filters(options: dict) -> PartnerQuery:
    text = st.text_input(
        "Search",
        placeholder="Name, city, specialty, ZIP or tag",
        key="f_text",
        on_change=_first_page,
    )
    columns = st.columns(5)
    owners = dict(options["owners"])
    picks = {}
    for column, (name, label, choices, shown) in zip(
        columns,
        [
            ("types", "Type", PartnerType.choices(), label_of(PartnerType)),
            ("tiers", "Tier", Tier.choices(), str),
            ("statuses", "Status", PartnerStatus.choices(), label_of(PartnerStatus)),
            ("territories", "Territory", options["territories"], str),
            ("owner_ids", "Owner", list(owners), lambda i: owners.get(i, f"User {i}")),
        ],
    ):
        picks[name] = column.multiselect(
            label,
            choices,
            format_func=shown,
            key=f"f_{name}",
            placeholder="All",
            on_change=_first_page,
        )
    archived = st.checkbox("Include archived partners", key="f_archived", on_change=_first_page)
    page = st.session_state.get(PAGE, 1)
    return PartnerQuery(
        text=text,
        include_archived=archived,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        **picks,
    )


def _search(ctx: AppContext, query: PartnerQuery) -> tuple[list[PartnerRow], int]:
    rows, total = read(ctx.engine, lambda s: search_partners(s, query, clock.now()))
    if not rows and total and query.offset:  # the page ran past the end after a change
        st.session_state[PAGE] = 1
        query.offset = 0
        rows, total = read(ctx.engine, lambda s: search_partners(s, query, clock.now()))
    return rows, total


def _table(ctx: AppContext, rows: list[PartnerRow], total: int, query: PartnerQuery) -> None:
    if not rows:
        st.info("No partners match these filters.")
        return
    pages = ceil(total / PAGE_SIZE)
    shown = f"{total:,} partner{'s' if total != 1 else ''}"
    if pages > 1:
        shown = f"Showing {query.offset + 1:,}–{query.offset + len(rows):,} of {shown}"
    st.markdown(f"**{shown}**")
    st.session_state["_page_ids"] = [row.id for row in rows]
    st.dataframe(
        _frame(ctx, rows, query.include_archived),
        hide_index=True,
        key="partner_table",
        on_select=_row_selected,
        selection_mode="single-row",
        column_config={
            "Name": st.column_config.TextColumn(width="medium"),
            "Referrals (12 mo)": st.column_config.NumberColumn(
                "Referrals", format="%d", help="Referrals received in the last 12 months"
            ),
            "Last touch": st.column_config.DatetimeColumn(format="MMM D, YYYY"),
            "Tier": st.column_config.TextColumn(width="small"),
        },
    )
    if pages > 1:
        st.number_input(
            f"Page (of {pages})", min_value=1, max_value=pages, step=1, key=PAGE, width=160
        )


def _frame(ctx: AppContext, rows: list[PartnerRow], with_archived: bool) -> pd.DataFrame:
    def last_touch(row: PartnerRow):  # type: ignore[no-untyped-def]
        if row.last_touch_at is None:
            return None
        return pd.Timestamp(row.last_touch_at).tz_convert(ctx.zone).tz_localize(None)

    frame = pd.DataFrame(
        [
            {
                "Name": row.name,
                "Type": PartnerType(row.partner_type).label,
                "Tier": row.tier,
                "Status": PartnerStatus(row.status).label,
                "Territory": row.territory,
                "City": ", ".join(x for x in (row.city, row.state) if x),
                "Phone": display_phone(row.phone),
                "Owner": row.owner,
                "Referrals (12 mo)": row.referrals_12m,
                "Last touch": last_touch(row),
                "Archived": row.archived,
            }
            for row in rows
        ]
    )
    return frame if with_archived else frame.drop(columns="Archived")


def _row_selected() -> None:
    selected = st.session_state["partner_table"].selection.rows
    ids = st.session_state.get("_page_ids", [])
    if selected and selected[0] < len(ids):
        st.session_state[OPEN] = ids[selected[0]]


# One partner -------------------------------------------------------------------


def _open_partner(ctx: AppContext, rows: list[PartnerRow], owners: list[tuple[int, str]]) -> None:
    detail = None
    if st.session_state.get(OPEN) is not None:
        try:
            detail = read(ctx.engine, lambda s: partner_detail(s, st.session_state[OPEN]))
        except NotFound:
            st.session_state[OPEN] = None
    names = _option_names([(row.id, row.name, row.city) for row in rows])
    if detail is not None and detail.partner.id not in names:
        names[detail.partner.id] = detail.partner.name
    st.selectbox(
        "Open a partner",
        list(names),
        format_func=names.get,
        index=None,
        key=OPEN,
        placeholder="Choose a partner to see its contacts and history",
    )
    if detail is not None:
        _detail(ctx, detail, owners)


def _option_names(partners: list[tuple[int, str, str]]) -> dict[int, str]:
    """Names for the picker; a name two partners share gets its city, to tell them apart."""
    counts: dict[str, int] = {}
    for _, name, _ in partners:
        counts[name] = counts.get(name, 0) + 1
    return {
        id_: f"{name} ({city})" if counts[name] > 1 and city else name
        for id_, name, city in partners
    }


def _detail(ctx: AppContext, detail: PartnerDetail, owners: list[tuple[int, str]]) -> None:
    partner = detail.partner
    st.divider()
    heading, actions = st.columns([4, 1], vertical_alignment="center")
    heading.header(partner.name, anchor=False)
    facts = [
        PartnerType(partner.partner_type).label,
        f"Tier {partner.tier}",
        PartnerStatus(partner.status).label,
    ]
    if partner.archived_at:
        facts.append(f"Archived {local(partner.archived_at, ctx.zone, with_time=False)}")
    heading.caption(" · ".join(facts))
    if ctx.actor.can_edit:
        with actions:
            _archive_or_restore(ctx, partner)
    _fields(partner, detail.owner)
    active = [c for c in detail.contacts if c.archived_at is None]
    tabs = [
        f"Contacts ({len(active)})",
        f"Timeline ({len(detail.timeline)})",
        "Partner link",
        "Opening hours",
    ]
    if ctx.actor.can_edit:
        tabs += ["Log a touch", "Add a referral", "Add a contact", "Edit partner"]
    shown = st.tabs(tabs)
    with shown[0]:
        _contacts(ctx, partner, detail.contacts)
    with shown[1]:
        _timeline(ctx, detail)
    with shown[2]:
        _partner_link(ctx, partner)
    with shown[3]:
        opening_hours_form.render(ctx, partner)
    if ctx.actor.can_edit:
        with shown[4]:
            _log_touch(ctx, partner, active)
        with shown[5]:
            _add_referral(ctx, partner, active)
        with shown[6]:
            _add_contact(ctx, partner)
        with shown[7]:
            _edit_partner(ctx, partner, owners)
    _story(ctx, partner)
    _feedback(ctx, partner)


def _fields(partner: Partner, owner: str) -> None:
    street = ", ".join(
        x for x in (partner.address, partner.city, f"{partner.state} {partner.zip}".strip()) if x
    )
    left, middle, right = st.columns(3)
    left.markdown(
        _lines(
            [
                ("Address", street),
                ("Phone", display_phone(partner.phone)),
                ("Fax", display_phone(partner.fax)),
                ("Website", partner.website),
            ]
        )
    )
    middle.markdown(
        _lines(
            [
                ("Specialty", partner.specialty),
                ("Territory", partner.territory),
                ("On the map", _placed(partner)),
                ("Owner", owner),
                (
                    "Refers by",
                    label_of(ReferralChannel)(partner.referral_channel)
                    if partner.referral_channel
                    else "",
                ),
            ]
        )
    )
    right.markdown(
        _lines(
            [
                ("Sports", partner.sports.replace(",", ", ")),
                ("Tags", partner.tags.replace(",", ", ")),
            ]
        )
    )
    if partner.notes:
        st.markdown("**Notes**")
        st.text(partner.notes)


def _placed(partner: Partner) -> str:
    if partner.latitude is None:
        return ""
    return "at its street address" if partner.position_source == GEOCODER else "at its ZIP centre"


def _lines(pairs: list[tuple[str, str]]) -> str:
    return "  \n".join(f"**{name}:** {_plain(value) or '—'}" for name, value in pairs)


def _plain(text: str) -> str:
    """User text shown after a label in markdown, with the characters that would
    format it (emphasis, links, HTML, math) escaped."""
    return "".join("\\" + ch if ch in "\\`*_[]<>|~$" else ch for ch in text)


def _archive_or_restore(ctx: AppContext, partner: Partner) -> None:
    if partner.archived_at is None:
        if st.button(
            "Archive",
            icon=":material/archive:",
            key=f"archive_{partner.id}",
            help="Hide from the directory; its history is kept and it can be restored.",
        ):
            submit(
                ctx.engine,
                lambda s: archive_partner(s, ctx.actor, partner.id, clock.now()),
                f"{partner.name} archived.",
            )
    elif st.button("Restore", icon=":material/unarchive:", key=f"restore_{partner.id}"):
        submit(
            ctx.engine,
            lambda s: restore_partner(s, ctx.actor, partner.id, clock.now()),
            f"{partner.name} restored.",
        )


def _partner_link(ctx: AppContext, partner: Partner) -> None:
    link = link_for(ctx.settings, partner)
    st.caption(
        "The partner's own page, no login: send a patient, and see its referrals of the last "
        "90 days (numbers, references, dates and status; nothing about the patient). "
        "Anyone holding the link can use it: rotate it if it reached the wrong hands."
    )
    st.code(link, language=None)
    svg = qr_svg(link)
    st.html(f'<div style="width:10rem">{svg[svg.index("<svg") :]}</div>')
    st.download_button(
        "Download the QR code (SVG)",
        svg,
        file_name=f"partner-link-{partner.id}.svg",
        mime="image/svg+xml",
        key=f"partner_link_qr_{partner.id}",
    )
    st.download_button(
        "Download the printed referral form (PDF)",
        data=lambda: read(ctx.engine, lambda s: partner_form(s, ctx.settings, partner.id)),
        on_click="ignore",
        file_name=f"referral-form-{partner.id}.pdf",
        mime="application/pdf",
        key=f"referral_form_{partner.id}",
        help="One page with our clinics, what to send, the form's fields and this link's QR code.",
    )
    if ctx.actor.can_edit and st.button(
        "Rotate the link",
        icon=":material/autorenew:",
        key=f"rotate_link_{partner.id}",
        help="Make a new link; the old one stops opening the partner's page at once.",
    ):
        submit(
            ctx.engine,
            lambda s: rotate(s, ctx.actor, partner.id, clock.now()),
            "New partner link made: the old one no longer opens the partner's page.",
        )


def _contacts(ctx: AppContext, partner: Partner, contacts: list[Contact]) -> None:
    if not contacts:
        st.caption("No contacts yet.")
        return
    opted_out = read(ctx.engine, lambda s: opted_out_among(s, (c.email for c in contacts)))
    table = pd.DataFrame(
        [
            {
                "Name": _name(c),
                "Role": ContactRole(c.role).label,
                "Email": c.email or "",
                "Phone": display_phone(c.phone),
                "NPI": c.npi or "",
                "Email opt-out": opted_out[c.email].detail if c.email in opted_out else "",
                "Archived": local(c.archived_at, ctx.zone, with_time=False),
            }
            for c in contacts
        ]
    ).set_index("Name")
    optional = ["Phone", "NPI", "Email opt-out", "Archived"]
    st.table(table.drop(columns=[c for c in optional if not table[c].any()]))
    active = [c for c in contacts if c.archived_at is None]
    if ctx.actor.can_edit and active:
        _edit_contact(ctx, active)


def _name(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name}".strip()


def _timeline(ctx: AppContext, detail: PartnerDetail) -> None:
    if not detail.timeline:
        st.caption("No touches or referrals yet.")
        return
    st.table(
        pd.DataFrame(
            [
                {
                    "When": local(entry.at, ctx.zone),
                    "What": entry.title,
                    "Details": entry.detail,
                }
                for entry in detail.timeline
            ]
        ).set_index("When")
    )


STORY_MONTHS = 18
_MOMENT_KINDS = {
    "cadence": "Cadence",
    "event": "Event",
    "seasonal": "Seasonal email",
    "email": "Email",
}


def _story(ctx: AppContext, partner: Partner) -> None:
    st.subheader("Story", anchor=False)
    told = read(
        ctx.engine,
        lambda s: partner_story(s, partner.id, clock.now(), months=STORY_MONTHS, zone=ctx.zone),
    )
    st.caption(
        f"Referrals each month over the last {STORY_MONTHS} months, with what was done to reach "
        f"{partner.name} marked above them: point at a mark for what it was."
    )
    st.altair_chart(_story_chart(told, ctx), width="stretch", key=f"story_chart_{partner.id}")
    if told.moments.empty:
        st.caption(f"No touches, cadences, events or emails in the last {STORY_MONTHS} months.")
        return
    table = _moments_table(told, ctx)
    st.dataframe(table, hide_index=True, key=f"story_table_{partner.id}")
    download_buttons(table, f"{partner.name} story", key=f"story_{partner.id}")


def _feedback(ctx: AppContext, partner: Partner) -> None:
    st.subheader("Feedback", anchor=False)
    quarters = recent_quarters(clock.now(), ctx.zone, FEEDBACK_QUARTERS)
    rows = read(ctx.engine, lambda s: results_by_partner(s, quarters, partner_id=partner.id))
    if not rows:
        st.caption(
            f"No partner survey sent to {partner.name} in the last {FEEDBACK_QUARTERS} quarters."
        )
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Quarter": r.quarter,
                    "Asked": r.sent,
                    "Answered": r.responses,
                    **{SURVEY_SHORT[q]: r.averages.get(q) for q in SURVEY_QUESTIONS},
                }
                for r in rows
            ]
        ),
        hide_index=True,
        key=f"feedback_{partner.id}",
    )
    comments = read(ctx.engine, lambda s: survey_comments(s, quarters, partner_id=partner.id))
    for c in comments:
        st.markdown("> " + _plain(c.comment).replace("\n", "  \n> "))
        st.caption(f"{c.contact_name}, {c.quarter}")


def _moment_kind(kind: str) -> str:
    return _MOMENT_KINDS.get(kind) or label_of(TouchKind)(kind)


def _moments_table(told: PartnerStory, ctx: AppContext) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "When": [local(at, ctx.zone) for at in told.moments["at"]],
            "What": [_moment_kind(k) for k in told.moments["kind"]],
            "Title": told.moments["title"],
            "Details": told.moments["detail"],
        }
    )


def _story_chart(told: PartnerStory, ctx: AppContext) -> alt.LayerChart:
    months = pd.to_datetime(told.monthly["month"] + "-01")
    bars = pd.DataFrame(
        {
            "start": months,
            "end": months + pd.offsets.MonthBegin(1),
            "month": months.dt.strftime("%B %Y"),
            "referrals": told.monthly["referrals"],
        }
    )
    referrals = (
        alt.Chart(bars)
        .mark_bar(opacity=0.7)
        .encode(
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%b %Y")),
            x2="end:T",
            y=alt.Y("referrals:Q", title="Referrals", axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip("month:N", title="Month"),
                alt.Tooltip("referrals:Q", title="Referrals"),
            ],
        )
    )
    moments = told.moments.assign(
        when=[pd.Timestamp(at).tz_convert(ctx.zone).tz_localize(None) for at in told.moments["at"]],
        what=[_moment_kind(k) for k in told.moments["kind"]],
    ).drop(columns="at")
    marks = (
        alt.Chart(moments)
        .mark_point(filled=True, size=90, shape="triangle-down")
        .encode(
            x="when:T",
            y=alt.value(8),
            color=alt.Color("what:N", title="Outreach"),
            tooltip=[
                alt.Tooltip("when:T", title="When", format="%b %d, %Y"),
                alt.Tooltip("what:N", title="What"),
                alt.Tooltip("title:N", title="Title"),
                alt.Tooltip("detail:N", title="Details"),
            ],
        )
    )
    return alt.layer(referrals, marks).properties(height=260)


# Forms -------------------------------------------------------------------------


def _add_partner(ctx: AppContext, owners: list[tuple[int, str]]) -> None:
    with st.expander("Add a partner", icon=":material/add_business:"):
        with st.form(form_key("add_partner")):
            values = _partner_fields(None, owners, default_owner=ctx.actor.id)
            submitted = st.form_submit_button("Add partner", type="primary")
        if submitted:
            submit(
                ctx.engine,
                lambda s: create_partner(s, ctx.actor, PartnerInput(**values), clock.now()),
                lambda partner: f"{partner.name} added.",
                fresh="add_partner",
                then=lambda partner: st.session_state.update({OPEN: partner.id}),
            )


def _edit_partner(ctx: AppContext, partner: Partner, owners: list[tuple[int, str]]) -> None:
    with st.form(f"edit_partner_{partner.id}"):
        values = _partner_fields(partner, owners)
        submitted = st.form_submit_button("Save changes", type="primary")
    if submitted:
        submit(
            ctx.engine,
            lambda s: update_partner(s, ctx.actor, partner.id, PartnerInput(**values), clock.now()),
            lambda saved: f"{saved.name} saved.",
        )


def _partner_fields(
    partner: Partner | None, owners: list[tuple[int, str]], default_owner: int | None = None
) -> dict:
    """The partner form's widgets; returns what was entered, for PartnerInput to check."""

    def value(name: str, default: str = "") -> str:
        return getattr(partner, name) if partner is not None else default

    owner_names = dict(owners)
    owner_ids: list[int | None] = [None, *owner_names]
    owner = partner.owner_id if partner is not None else default_owner
    a, b, c, d = st.columns([3, 2, 1, 2])
    values = {
        "name": a.text_input("Name *", value=value("name"), max_chars=200),
        "partner_type": b.selectbox(
            "Type *",
            PartnerType.choices(),
            format_func=label_of(PartnerType),
            index=PartnerType.choices().index(value("partner_type", "primary_care")),
        ),
        "tier": c.selectbox("Tier", Tier.choices(), index=Tier.choices().index(value("tier", "C"))),
        "status": d.selectbox(
            "Status",
            PartnerStatus.choices(),
            format_func=label_of(PartnerStatus),
            index=PartnerStatus.choices().index(value("status", "prospect")),
        ),
    }
    a, b, c, d = st.columns([3, 2, 1, 2])
    values |= {
        "address": a.text_input("Street address", value=value("address")),
        "city": b.text_input("City", value=value("city")),
        "state": c.text_input("State", value=value("state"), max_chars=2, placeholder="MA"),
        "zip": d.text_input("ZIP", value=value("zip")),
    }
    a, b, c, d = st.columns(4)
    values |= {
        "phone": a.text_input("Phone", value=display_phone(value("phone"))),
        "fax": b.text_input("Fax", value=display_phone(value("fax"))),
        "website": c.text_input("Website", value=value("website")),
        "specialty": d.text_input("Specialty", value=value("specialty")),
    }
    channels = ["", *ReferralChannel.choices()]
    a, b, c, d = st.columns(4)
    values |= {
        "territory": a.text_input("Territory", value=value("territory")),
        "owner_id": b.selectbox(
            "Owner",
            owner_ids,
            format_func=lambda i: owner_names.get(i, "Unassigned"),
            index=owner_ids.index(owner) if owner in owner_ids else 0,
        ),
        "referral_channel": c.selectbox(
            "Refers by",
            channels,
            format_func=label_of(ReferralChannel),
            index=channels.index(value("referral_channel")),
        ),
        "sports": d.text_input("Sports", value=value("sports"), help="Comma-separated"),
    }
    values["tags"] = st.text_input("Tags", value=value("tags"), help="Comma-separated")
    preferences = UpdatePreference.choices()
    values["update_preference"] = st.selectbox(
        "Referral updates",
        preferences,
        format_func=label_of(UpdatePreference),
        index=preferences.index(value("update_preference", UpdatePreference.PER_REFERRAL.value)),
        help="How this partner hears about its referrals by email (only if it refers by email)",
    )
    values["notes"] = st.text_area("Notes", value=value("notes"), height=80)
    return values


def _add_contact(ctx: AppContext, partner: Partner) -> None:
    name = form_key(f"add_contact_{partner.id}")
    with st.form(name):
        values = _contact_fields(None, name)
        submitted = st.form_submit_button("Add contact", type="primary")
    if submitted:
        submit(
            ctx.engine,
            lambda s: create_contact(s, ctx.actor, partner.id, ContactInput(**values), clock.now()),
            lambda contact: f"{_name(contact)} added to {partner.name}.",
            fresh=f"add_contact_{partner.id}",
        )


def _edit_contact(ctx: AppContext, contacts: list[Contact]) -> None:
    by_id = {c.id: c for c in contacts}
    with st.expander("Edit or archive a contact", icon=":material/edit:"):
        chosen = st.selectbox(
            "Contact", list(by_id), format_func=lambda i: _name(by_id[i]), key="edit_contact_pick"
        )
        contact = by_id[chosen]
        with st.form(f"edit_contact_{contact.id}"):
            values = _contact_fields(contact, f"edit_contact_{contact.id}")
            save = st.form_submit_button("Save contact", type="primary")
        if save:
            submit(
                ctx.engine,
                lambda s: update_contact(
                    s, ctx.actor, contact.id, ContactInput(**values), clock.now()
                ),
                lambda saved: f"{_name(saved)} saved.",
            )
        if st.button(
            "Archive this contact",
            icon=":material/person_remove:",
            key=f"archive_contact_{contact.id}",
        ):
            submit(
                ctx.engine,
                lambda s: archive_contact(s, ctx.actor, contact.id, clock.now()),
                f"{_name(contact)} archived.",
            )


def _contact_fields(contact: Contact | None, key: str) -> dict:
    def value(name: str) -> str:
        return (getattr(contact, name) or "") if contact is not None else ""

    roles = ContactRole.choices()
    a, b, c = st.columns(3)
    values = {
        "first_name": a.text_input("First name *", value=value("first_name"), key=f"{key}_first"),
        "last_name": b.text_input("Last name", value=value("last_name"), key=f"{key}_last"),
        "role": c.selectbox(
            "Role",
            roles,
            format_func=label_of(ContactRole),
            key=f"{key}_role",
            index=roles.index(value("role") or "other"),
        ),
    }
    a, b, c = st.columns(3)
    values |= {
        "email": a.text_input("Email", value=value("email"), key=f"{key}_email"),
        "phone": b.text_input("Phone", value=display_phone(value("phone")), key=f"{key}_phone"),
        "npi": c.text_input(
            "NPI",
            value=value("npi"),
            key=f"{key}_npi",
            help="10-digit National Provider Identifier",
        ),
    }
    values["email_opt_out"] = st.checkbox(
        "Opted out of email", value=bool(contact and contact.email_opt_out), key=f"{key}_optout"
    )
    values["notes"] = st.text_area("Notes", value=value("notes"), height=68, key=f"{key}_notes")
    return values


def _log_touch(ctx: AppContext, partner: Partner, contacts: list[Contact]) -> None:
    name = form_key(f"touch_{partner.id}")
    now = now_local(ctx.zone)
    by_id: dict[int | None, str] = {
        None: "Nobody in particular",
        **{c.id: _name(c) for c in contacts},
    }
    with st.form(name):
        a, b, c, d = st.columns([2, 1, 1, 2])
        kind = a.selectbox(
            "Kind", TouchKind.choices(), format_func=label_of(TouchKind), key=f"{name}_kind"
        )
        day = b.date_input("Date", value=now.date(), key=f"{name}_day", format="MM/DD/YYYY")
        at = c.time_input("Time", value=now.time(), key=f"{name}_time")
        contact_id = d.selectbox("With", list(by_id), format_func=by_id.get, key=f"{name}_contact")
        outcome = st.text_input(
            "Outcome", key=f"{name}_outcome", placeholder="e.g. Met the office manager, left flyers"
        )
        notes = st.text_area("Notes", key=f"{name}_notes", height=68)
        submitted = st.form_submit_button("Log touch", type="primary")
    if submitted:
        submit(
            ctx.engine,
            lambda s: log_touch(
                s,
                ctx.actor,
                partner.id,
                TouchInput(
                    kind=kind,
                    occurred_at=to_utc(day, at, ctx.zone),
                    contact_id=contact_id,
                    outcome=outcome,
                    notes=notes,
                ),
                clock.now(),
            ),
            f"{TouchKind(kind).label} logged for {partner.name}.",
            fresh=f"touch_{partner.id}",
        )


def _add_referral(ctx: AppContext, partner: Partner, contacts: list[Contact]) -> None:
    name = form_key(f"referral_{partner.id}")
    now = now_local(ctx.zone)
    by_id: dict[int | None, str] = {None: "Not recorded", **{c.id: _name(c) for c in contacts}}
    channels = ["", *ReferralChannel.choices()]
    with st.form(name):
        a, b, c = st.columns(3)
        day = a.date_input("Received", value=now.date(), key=f"{name}_day", format="MM/DD/YYYY")
        at = b.time_input("Time", value=now.time(), key=f"{name}_time")
        service = c.selectbox(
            "Service line",
            ServiceLine.choices(),
            format_func=label_of(ServiceLine),
            index=ServiceLine.choices().index("general"),
            key=f"{name}_service",
        )
        a, b, c = st.columns(3)
        contact_id = a.selectbox(
            "Referred by", list(by_id), format_func=by_id.get, key=f"{name}_contact"
        )
        channel = b.selectbox(
            "Channel",
            channels,
            format_func=label_of(ReferralChannel),
            key=f"{name}_channel",
            index=channels.index(partner.referral_channel),
        )
        reference = c.text_input(
            "Their reference", key=f"{name}_ref", help="The partner's own referral number, if any"
        )
        st.caption("No clinical details here: the service line is all the CRM keeps.")
        submitted = st.form_submit_button("Add referral", type="primary")
    if submitted:
        submit(
            ctx.engine,
            lambda s: create_referral(
                s,
                ctx.actor,
                partner.id,
                ReferralInput(
                    received_at=to_utc(day, at, ctx.zone),
                    contact_id=contact_id,
                    channel=channel,
                    service_line=service,
                    partner_reference=reference,
                ),
                clock.now(),
            ),
            f"Referral from {partner.name} added.",
            fresh=f"referral_{partner.id}",
        )


if __name__ == "__main__":
    render(context())
