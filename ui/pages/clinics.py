"""The practice's clinics: where patients are seen, with the phone and fax printed on
the partners' referral forms. Editors add and change them (audited); others read."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from crm import clock
from crm.locations import LocationInput, create_location, list_locations, update_location
from crm.models import Location
from crm.validation import display_phone
from ui.shell import AppContext, context
from ui.widgets import form_key, read, show_flash, submit

_NEW = 0


def render(ctx: AppContext) -> None:
    st.title("Clinics")
    st.caption("Where patients are seen. The phone and fax appear on the printed referral forms.")
    show_flash()
    clinics = read(ctx.engine, list_locations)
    if clinics:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Clinic": c.name,
                        "Address": ", ".join(p for p in (c.address, c.city, c.state, c.zip) if p),
                        "Phone": display_phone(c.phone),
                        "Fax": display_phone(c.fax),
                        "Time zone": c.timezone,
                    }
                    for c in clinics
                ]
            ),
            hide_index=True,
        )
    else:
        st.info("No clinics yet.")
    if not ctx.actor.can_edit:
        return
    by_id = {c.id: c for c in clinics}
    chosen = st.selectbox(
        "Add or change",
        [_NEW, *by_id],
        format_func=lambda i: "New clinic" if i == _NEW else by_id[i].name,
        key="clinic_pick",
    )
    _form(ctx, by_id.get(chosen))


def _form(ctx: AppContext, clinic: Location | None) -> None:
    name = "clinic_form" if clinic is None else f"clinic_form_{clinic.id}"
    with st.form(form_key(name)):
        fields = {
            "name": st.text_input("Name", value=clinic.name if clinic else ""),
            "address": st.text_input("Street address", value=clinic.address if clinic else ""),
            "city": st.text_input("City", value=clinic.city if clinic else ""),
            "state": st.text_input("State", value=clinic.state if clinic else ""),
            "zip": st.text_input("ZIP", value=clinic.zip if clinic else ""),
            "phone": st.text_input("Phone", value=clinic.phone if clinic else ""),
            "fax": st.text_input("Fax", value=clinic.fax if clinic else ""),
            "timezone": st.text_input(
                "Time zone", value=clinic.timezone if clinic else ctx.settings.timezone
            ),
        }
        submitted = st.form_submit_button("Save" if clinic else "Add clinic", type="primary")
    if not submitted:
        return
    if clinic is None:
        submit(
            ctx.engine,
            lambda s: create_location(s, ctx.actor, LocationInput(**fields), clock.now()),
            lambda row: f"{row.name} added.",
            fresh=name,
        )
    else:
        submit(
            ctx.engine,
            lambda s: update_location(
                s, ctx.actor, clinic.id, LocationInput(**fields), clock.now()
            ),
            lambda row: f"{row.name} saved.",
        )


render(context())
