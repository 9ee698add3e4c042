"""How much the practice leans on a few partners: the share of the period's referrals
sent by the top fifth of its referring partners, and the Pareto curve behind it.

A referring partner is one with at least one referral in the period; the top fifth is
rounded up, so there is always one when anyone referred. Partners are ranked by
referrals, ties going to the older partner (it does not change any share). The curve
keeps one point per percentile of partners (every partner when there are fewer than a
hundred), so its size stays fixed however many partners there are; one query computes
the figure, the curve and the leading partners.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, func, or_, select
from sqlmodel import Session

from crm.analytics.filters import Filters
from crm.analytics.overview import in_scope, partner_key, read_whole
from crm.models import Partner, Referral

CURVE_POINTS = 100
TOP_COLUMNS = ["rank", "partner_id", "partner", "referrals", "cumulative_share"]


@dataclass(frozen=True)
class Concentration:
    sources: int
    referrals: int
    top_count: int
    top_share: float | None
    curve: pd.DataFrame  # partner_share, referral_share: cumulative, ranked by referrals
    top: (
        pd.DataFrame
    )  # rank, partner_id, partner, referrals, cumulative_share: the leading partners


def concentration(session: Session, filters: Filters, leading: int = 25) -> Concentration:
    """The figure for the period and the `leading` partners for a Pareto chart."""
    key = partner_key(filters)
    per_partner = in_scope(
        select(key.label("partner_id"), func.count().label("n"))
        .select_from(Referral)
        .where(filters.within(read_whole(Referral.received_at))),
        filters,
    )
    per_partner = per_partner.group_by(key).subquery("per_partner")
    order = (per_partner.c.n.desc(), per_partner.c.partner_id)
    ranked = select(
        per_partner.c.partner_id,
        per_partner.c.n,
        func.row_number().over(order_by=order).label("rank"),
        func.count().over().label("sources"),
        func.sum(per_partner.c.n).over().label("total"),
        func.sum(per_partner.c.n).over(order_by=order, rows=(None, 0)).label("running"),
    ).subquery("ranked")
    in_top = ranked.c.rank * 5 <= ranked.c.sources + 4  # rank <= ceil(sources / 5)
    marked = select(
        ranked, func.sum(case((in_top, ranked.c.n), else_=0)).over().label("top_total")
    ).subquery("marked")
    percentile = (marked.c.rank * CURVE_POINTS) // marked.c.sources
    before = ((marked.c.rank - 1) * CURVE_POINTS) // marked.c.sources
    statement = (
        select(marked, Partner.name, (percentile > before).label("on_curve"))
        .join(Partner, Partner.id == marked.c.partner_id)
        .where(or_(marked.c.rank <= leading, percentile > before))
        .order_by(marked.c.rank)
    )
    rows = list(session.execute(statement))
    if not rows:
        return Concentration(
            0,
            0,
            0,
            None,
            pd.DataFrame(columns=["partner_share", "referral_share"]),
            pd.DataFrame(columns=TOP_COLUMNS),
        )
    sources, total = int(rows[0].sources), int(rows[0].total)
    curve = pd.DataFrame(
        [
            {"partner_share": r.rank / sources, "referral_share": int(r.running) / total}
            for r in rows
            if r.on_curve
        ],
        columns=["partner_share", "referral_share"],
    )
    top = pd.DataFrame(
        [
            {
                "rank": int(r.rank),
                "partner_id": int(r.partner_id),
                "partner": r.name,
                "referrals": int(r.n),
                "cumulative_share": int(r.running) / total,
            }
            for r in rows
            if r.rank <= leading
        ],
        columns=TOP_COLUMNS,
    )
    return Concentration(
        sources=sources,
        referrals=total,
        top_count=(sources + 4) // 5,
        top_share=int(rows[0].top_total) / total,
        curve=curve,
        top=top,
    )
