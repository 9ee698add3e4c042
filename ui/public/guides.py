"""The seasonal guides that pre-, mid- and post-season emails link to, served by st.App
without sign-in so that a coach or athletic trainer can open them from any inbox.

General injury-prevention guidance only, the same for every reader; a practice with its
own guide pages points LIAISON_SEASONAL_GUIDE_URL at them instead."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from crm.settings import Settings
from ui.public.frame import page, with_settings

GUIDES: dict[str, tuple[str, list[str]]] = {
    "pre": (
        "Before the season starts",
        [
            "Schedule pre-participation physicals early, before the first practice.",
            "Build up training load gradually over the first two to three weeks; most overuse injuries come from doing too much too soon.",
            "Use a dynamic warm-up before every practice: jogging, skips, lunges and sport-specific movement.",
            "Review your concussion action plan with coaches and staff, and record baseline information where your program uses it.",
            "Check equipment fit and condition, and plan for hydration and heat acclimatisation.",
        ],
    ),
    "mid": (
        "Staying healthy mid-season",
        [
            "Keep the warm-up routine even when the schedule gets busy.",
            "Watch for pain that changes how an athlete runs, throws or lands; it is a reason to be seen, not to play through.",
            "Plan rest days and watch total load across games, practices and club teams.",
            "Any athlete with a suspected concussion is removed from play the same day and cleared by a health-care provider before returning.",
        ],
    ),
    "post": (
        "After the season",
        [
            "Give athletes a planned break: two to four weeks of active rest lowers overuse injury risk.",
            "Have lingering injuries assessed now, so they heal before the next season begins.",
            "Use the off-season for strength, mobility and balance work rather than a second sport at full load.",
        ],
    ),
}


async def guide(request: Request) -> Response:
    async def show(settings: Settings) -> Response:
        phase = request.path_params["phase"]
        if phase not in GUIDES:
            return page(
                settings, "Page not found", "<p>There is no such guide.</p>", status_code=404
            )
        title, points = GUIDES[phase]
        items = "".join(f"<li>{escape(point)}</li>" for point in points)
        body = (
            f"<ul>{items}</ul><p>Questions, or an athlete who needs to be seen? "
            f"Contact {escape(settings.practice_name)}.</p>"
        )
        return page(settings, title, body)

    return await with_settings(show)


def routes() -> list[BaseRoute]:
    return [Route("/guides/{phase}-season", guide, methods=["GET"])]
