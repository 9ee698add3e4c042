"""Partner map: the directory's partners where they are, coloured by status or tier and
sized by their referrals in the period; a click opens the partner. Run by st.navigation
as a page script.

The points are deck.gl's own drawing, so they appear without internet; the street map
under them is tiles from the web, shown where the network allows and never needed."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from datetime import timedelta

import pydeck as pdk
import streamlit as st

from crm import clock
from crm.partner_map import MapPoint, PartnerMap, partner_map
from crm.partners import PartnerQuery, filter_options
from crm.segments.service import list_segments
from crm.vocab import PartnerStatus, PartnerType, Tier
from ui.shell import PAGES, AppContext, context
from ui.widgets import label_of, read

LAYER = "partners"
CHART = "partner_map_chart"
OPEN = "open_partner"  # the key the Partners page opens a partner by
PERIODS = {"Last 30 days": 30, "Last 90 days": 90, "Last 12 months": 365}

STATUS_COLOURS = {
    PartnerStatus.PROSPECT.value: (130, 130, 140),
    PartnerStatus.ENGAGED.value: (33, 113, 181),
    PartnerStatus.REFERRAL_SOURCE.value: (35, 139, 69),
    PartnerStatus.DORMANT.value: (230, 120, 20),
    PartnerStatus.DO_NOT_CONTACT.value: (200, 30, 40),
}
TIER_COLOURS = {
    Tier.A.value: (106, 27, 154),
    Tier.B.value: (0, 137, 123),
    Tier.C.value: (240, 170, 0),
}
# For liaisons and territories, in the order of their names (repeating past ten).
PALETTE = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
)
COLOUR_BY = ["Status", "Tier", "Liaison", "Territory"]


def render(ctx: AppContext) -> None:
    st.title("Partner map")
    options = read(ctx.engine, filter_options)
    segments = read(ctx.engine, lambda s: [(g.id, g.name) for g in list_segments(s)])
    query, segment_id, days = _filters(options, segments)
    colour_by, street_map = _display()
    now = clock.now()
    found = read(
        ctx.engine,
        lambda s: partner_map(s, query, now - timedelta(days=days), now, now, segment_id),
    )
    _summary(found, days)
    if found.points:
        colours = Colours.of(found.points, colour_by)
        _chart(found.points, colours, street_map)
        _legend(colours)


def _filters(
    options: dict, segments: list[tuple[int, str]]
) -> tuple[PartnerQuery, int | None, int]:
    owners = dict(options["owners"])
    named_segments = dict(segments)
    first = st.columns(3)
    territories = first[0].multiselect(
        "Territory", options["territories"], key="map_territories", placeholder="All"
    )
    owner_ids = first[1].multiselect(
        "Liaison",
        list(owners),
        format_func=lambda i: owners.get(i, f"User {i}"),
        key="map_owners",
        placeholder="All",
        help="The partners each liaison owns",
    )
    segment_id = first[2].selectbox(
        "Segment",
        list(named_segments),
        format_func=named_segments.get,
        index=None,
        key="map_segment",
        placeholder="All partners",
    )
    second = st.columns(4)
    types = second[0].multiselect(
        "Type",
        PartnerType.choices(),
        format_func=label_of(PartnerType),
        key="map_types",
        placeholder="All",
    )
    tiers = second[1].multiselect("Tier", Tier.choices(), key="map_tiers", placeholder="All")
    statuses = second[2].multiselect(
        "Status",
        PartnerStatus.choices(),
        format_func=label_of(PartnerStatus),
        key="map_statuses",
        placeholder="All",
    )
    period = second[3].selectbox("Referrals in", list(PERIODS), index=1, key="map_period")
    text = st.text_input("Search", placeholder="Name, city, specialty, ZIP or tag", key="map_text")
    query = PartnerQuery(
        text=text,
        types=types,
        tiers=tiers,
        territories=territories,
        statuses=statuses,
        owner_ids=owner_ids,
    )
    return query, segment_id, PERIODS[period]


def _display() -> tuple[str, bool]:
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    colour_by = left.segmented_control("Colour by", COLOUR_BY, default="Status", key="map_colour")
    street_map = right.toggle(
        "Street map",
        value=True,
        key="map_streets",
        help="Tiles from the internet under the points; the points show without them.",
    )
    return colour_by or "Status", street_map


def _summary(found: PartnerMap, days: int) -> None:
    shown = len(found.points)
    referrals = sum(p.referrals for p in found.points)
    line = (
        f"**{shown:,} partner{'s' if shown != 1 else ''} on the map** · "
        f"{referrals:,} referral{'s' if referrals != 1 else ''} in the last {days} days"
    )
    st.markdown(line)
    if found.unplaced:
        st.caption(
            f"{found.unplaced:,} more match but are not on the map: their ZIP is missing or "
            "unknown, or they have not been placed since an upgrade (`crm partners locate` "
            "places them)."
        )
    if not shown and not found.unplaced:
        st.info("No partners match these filters.")


@dataclass
class Colours:
    """Which colour each point gets, and the legend's names for them."""

    by: str
    colours: dict[str, tuple[int, int, int]]
    names: dict[str, str]

    @classmethod
    def of(cls, points: list[MapPoint], by: str) -> Colours:
        if by == "Tier":
            return cls(by, TIER_COLOURS, {t: f"Tier {t}" for t in TIER_COLOURS})
        if by == "Status":
            return cls(by, STATUS_COLOURS, {s: PartnerStatus(s).label for s in STATUS_COLOURS})
        values = sorted({cls.value_of(p, by) for p in points}, key=lambda v: (v == "", v))
        blank = "No owner" if by == "Liaison" else "No territory"
        return cls(
            by,
            {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(values)},
            {v: v or blank for v in values},
        )

    @staticmethod
    def value_of(point: MapPoint, by: str) -> str:
        return {
            "Tier": point.tier,
            "Status": point.status,
            "Liaison": point.owner,
            "Territory": point.territory,
        }[by]

    def of_point(self, point: MapPoint) -> list[int]:
        return [*self.colours.get(self.value_of(point, self.by), (120, 120, 120)), 210]


def _chart(points: list[MapPoint], colours: Colours, street_map: bool) -> None:
    deck = pdk.Deck(
        layers=[
            pdk.Layer(
                "ScatterplotLayer",
                id=LAYER,
                # the busiest first, so a small point is drawn over a large one
                data=[_datum(p, colours) for p in sorted(points, key=lambda p: -p.referrals)],
                get_position=["lon", "lat"],
                get_fill_color="colour",
                get_line_color=[255, 255, 255],
                get_radius="radius",
                radius_units='"pixels"',  # a quoted literal: pydeck reads a bare string as a field
                line_width_min_pixels=1,
                stroked=True,
                pickable=True,
                auto_highlight=True,
            )
        ],
        initial_view_state=_view(points),
        tooltip={"text": "{name}\n{status} · Tier {tier}\n{referrals} referrals · {owner}"},
        map_provider="carto" if street_map else None,
        map_style="light" if street_map else "__MAP_STYLE__",
    )
    event = st.pydeck_chart(
        deck, on_select="rerun", selection_mode="single-object", key=CHART, height=560
    )
    picked = event.selection.objects.get(LAYER) if event else None
    if picked:
        st.session_state[OPEN] = int(picked[0]["id"])
        st.switch_page(PAGES / "partners.py")


def _datum(point: MapPoint, colours: Colours) -> dict:
    return {
        "id": point.id,
        "name": point.name,
        "lat": point.latitude,
        "lon": point.longitude,
        "status": PartnerStatus(point.status).label,
        "tier": point.tier,
        "owner": point.owner or "no owner",
        "referrals": point.referrals,
        "colour": colours.of_point(point),
        "radius": round(5 + 3 * math.sqrt(point.referrals), 1),
    }


def _view(points: list[MapPoint]) -> pdk.ViewState:
    """Centred on the points, zoomed to hold them all (a territory fills the map)."""
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    # Degrees the map's 560 px height (and ~930 px width) hold at zoom 0 are about
    # 300; a degree of latitude is drawn ~1.35 times a degree of longitude in New England.
    span = max((max(lats) - min(lats)) * 1.35, (max(lons) - min(lons)) * 0.6, 0.02)
    zoom = max(3.0, min(13.0, math.log2(300 / span)))
    return pdk.ViewState(
        latitude=(max(lats) + min(lats)) / 2,
        longitude=(max(lons) + min(lons)) / 2,
        zoom=round(zoom, 2),
    )


def _legend(colours: Colours) -> None:
    entries = [(colours.names[v], colour) for v, colour in colours.colours.items()]
    swatches = " ".join(
        f'<span style="color:rgb({r},{g},{b})">&#9679;</span> {html.escape(name)}'
        for name, (r, g, b) in entries
    )
    st.caption(
        f"{swatches} · larger points sent more referrals · click a point to open it",
        unsafe_allow_html=True,
    )


if __name__ == "__main__":
    render(context())
