"""Prospects: the partners still to be won, nearest to a clinic first, and one click to
put the chosen ones into a prospecting cadence."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from campaigns.cadences.enrolment import EnrolReport, enrol, list_cadences
from crm import clock
from crm.locations import list_locations
from crm.prospects.origin import origin_for
from crm.prospects.ranking import Prospect, rank_prospects
from crm.vocab import CadencePurpose, PartnerType
from ui.shell import AppContext, context
from ui.widgets import label_of, read, show_flash, submit

_ANY = 0


def render(ctx: AppContext) -> None:
    st.title("Prospects")
    st.caption(
        "Partners still to be won, from the NPI registry import (`crm prospects import-nppes`) "
        "or entered by hand: nearest to the clinic first, then by kind."
    )
    show_flash()
    clinics = [c for c in read(ctx.engine, list_locations) if c.zip]
    left, middle, right = st.columns(3)
    with left:
        clinic = st.selectbox(
            "Miles from",
            [c.name for c in clinics],
            index=0 if clinics else None,
            placeholder="No clinic with a ZIP code",
            key="prospects_clinic",
        )
    with middle:
        kinds = st.multiselect(
            "Kinds of partner",
            [t.value for t in PartnerType],
            format_func=label_of(PartnerType),
            key="prospects_kinds",
        )
    with right:
        within = st.number_input(
            "Within miles (0: any distance)",
            min_value=0,
            value=_ANY,
            step=5,
            key="prospects_within",
            disabled=clinic is None,
        )
    prospects = read(
        ctx.engine,
        lambda s: rank_prospects(
            s,
            origin_for(s, location=clinic or ""),
            partner_types=tuple(kinds),
            within_miles=float(within) if within and clinic else None,
        ),
    )
    if not prospects:
        st.info("No prospects here yet.")
        return
    st.dataframe(_table(prospects), hide_index=True)
    if ctx.actor.can_edit:
        _enrol(ctx, prospects)


def _table(prospects: list[Prospect]) -> pd.DataFrame:
    kind = label_of(PartnerType)
    return pd.DataFrame(
        [
            {
                "Prospect": p.name,
                "Kind": kind(p.partner_type),
                "Specialty": p.specialty,
                "City": p.city,
                "Miles": None if p.miles is None else round(p.miles, 1),
                "Providers": p.providers,
                "From the NPI registry": p.from_registry,
            }
            for p in prospects
        ]
    )


def _enrol(ctx: AppContext, prospects: list[Prospect]) -> None:
    cadences = {
        c.id: c.name
        for c in read(ctx.engine, list_cadences)
        if c.active and c.purpose == CadencePurpose.PROSPECTING
    }
    st.subheader("Start prospecting", anchor=False)
    if not cadences:
        st.info("Create a prospecting cadence (Cadences page) to enrol prospects in.")
        return
    names = {p.partner_id: _label(p) for p in prospects}
    picked = st.multiselect(
        "Prospects to enrol", list(names), format_func=names.get, key="prospects_pick"
    )
    cadence_id = st.selectbox(
        "Prospecting cadence", list(cadences), format_func=cadences.get, key="prospects_cadence"
    )
    if st.button("Enrol the chosen prospects", key="prospects_enrol", disabled=not picked):
        submit(
            ctx.engine,
            lambda s: enrol(s, ctx.actor, cadence_id, picked, now=clock.now()),
            lambda report: f"{cadences[cadence_id]}: {_sentence(report)}",
            fresh=None,
        )


def _label(prospect: Prospect) -> str:
    miles = "" if prospect.miles is None else f", {prospect.miles:.1f} mi"
    return f"{prospect.name} ({prospect.city or prospect.zip}{miles})"


def _sentence(report: EnrolReport) -> str:
    return report.sentence()


render(context())
