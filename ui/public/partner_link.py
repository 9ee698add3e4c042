"""The partner link, served by st.App without sign-in.

- GET /p/{token}: the partner's page: a form to send a patient, and the partner's
  referrals of the last 90 days (numbers, references, dates, status; nothing that
  names or describes a patient, since anyone holding the link can read it).
- POST /p/{token}: the form. A good one makes the referral and queues the
  acknowledgment, and answers with our referral number; the same copy of the form sent
  again answers with the same number. A refused one comes back with the reason beside
  each field and nothing written. A filled honeypot field (hidden from people) gets a
  thank-you and nothing is written.

A token we did not sign, of another kind, or rotated away gets a 404 that says to ask
the practice for the current link, and nothing is written. Requests are limited per
client address and forms per link (a 429 page); the body is read up to FORM bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from campaigns.referral_updates.acknowledge import acknowledge
from crm import clock, intake, partner_links
from crm.db import engine_for, session_scope
from crm.errors import Conflict
from crm.intake import FormChoices, FormRefused, StatusRow
from crm.partner_links import PartnerLink
from crm.settings import Settings
from crm.vocab import ReferralStatus
from ui.public import limits
from ui.public.bodies import FORM, BadBody, read_limited
from ui.public.frame import invalid, page, with_token

ADVICE = (
    "This partner link is not valid any more. Please ask the practice for your current "
    "link; nothing was sent."
)
HONEYPOT = "website"
STYLE = """<style>body{max-width:48rem}label{display:block;margin-top:.8rem;font-weight:600}
input[type=text],input[type=email],input[type=tel],select{width:100%;padding:.4rem;font-size:1rem;box-sizing:border-box}
.error{color:#b00020;font-weight:400;display:block}.hp{position:absolute;left:-10000px}
table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}
fieldset{border:1px solid #ccc;margin-top:1rem}</style>"""


@dataclass(frozen=True)
class PartnerPage:
    """What the page shows for the partner, read in one go."""

    partner_id: int
    partner_name: str
    choices: FormChoices
    referrals: list[StatusRow]


@dataclass
class Outcome:
    """What a form sent came to: no link (found False), a refusal shown on the page
    again, or the referral's number (the thanks page needs nothing else read)."""

    found: bool = True
    page: PartnerPage | None = None
    referral_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def too_many(settings: Settings) -> Response:
    response = page(
        settings,
        "Please wait a few minutes",
        "<p>We received many requests through this link in a short time. Please wait a "
        "few minutes and try again, or call us to send the patient.</p>",
        status_code=429,
    )
    response.headers["Retry-After"] = str(int(limits.WINDOW.total_seconds()))
    return response


async def show(request: Request) -> Response:
    async def answer(settings: Settings, link: PartnerLink) -> Response:
        now = clock.now()
        if not limits.per_client.take(_client(request), now):
            return too_many(settings)
        shown = await run_in_threadpool(_read, settings, link, now)
        if shown is None:
            return invalid(settings, ADVICE, 404)
        return _partner_page(settings, request, shown, {}, {})

    return await with_token(request, partner_links.verify, ADVICE, answer, refused_status=404)


async def send(request: Request) -> Response:
    async def answer(settings: Settings, link: PartnerLink) -> Response:
        now = clock.now()
        if not limits.per_client.take(_client(request), now):
            return too_many(settings)
        try:
            raw = await read_limited(request, FORM)
        except BadBody as error:
            return error.response()
        form = _fields(raw)
        if not await run_in_threadpool(_exists, settings, link):
            return invalid(settings, ADVICE, 404)
        if not limits.per_link.take(str(link.partner_id), now):
            return too_many(settings)
        if form.get(HONEYPOT):
            return _thanks(settings, request, None)
        key = partner_links.form_key(settings.secret_key, link.partner_id, form.get("form", ""))
        if key is None:
            shown = await run_in_threadpool(_read, settings, link, now)
            if shown is None:
                return invalid(settings, ADVICE, 404)
            errors = {"form": "this form has expired; please check the fields and send it again"}
            return _partner_page(settings, request, shown, form, errors, status_code=400)
        outcome = await run_in_threadpool(_submit, settings, link, form, key, now)
        if not outcome.found:
            return invalid(settings, ADVICE, 404)
        if outcome.page is not None:
            return _partner_page(
                settings, request, outcome.page, form, outcome.errors, status_code=400
            )
        return _thanks(settings, request, outcome.referral_id)

    return await with_token(request, partner_links.verify, ADVICE, answer, refused_status=404)


def routes() -> list[BaseRoute]:
    return [
        Route("/p/{token}", show, methods=["GET"]),
        Route("/p/{token}", send, methods=["POST"]),
    ]


def _fields(raw: bytes) -> dict[str, str]:
    """The form's fields, the first value of each; undecodable bytes become U+FFFD."""
    parsed = parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items() if values}


# Reading and writing --------------------------------------------------------------


def _exists(settings: Settings, link: PartnerLink) -> bool:
    with Session(engine_for(settings.database_url)) as session:
        return partner_links.resolve(session, link) is not None


def _read(settings: Settings, link: PartnerLink, now: datetime) -> PartnerPage | None:
    with Session(engine_for(settings.database_url)) as session:
        return _page_of(session, link, now)


def _page_of(session: Session, link: PartnerLink, now: datetime) -> PartnerPage | None:
    partner = partner_links.resolve(session, link)
    if partner is None:
        return None
    return PartnerPage(
        partner.id,
        partner.name,
        intake.form_choices(session, partner.id),
        intake.recent_referrals(session, partner.id, now),
    )


def _submit(
    settings: Settings, link: PartnerLink, form: dict[str, str], key: str, now: datetime
) -> Outcome:
    with session_scope(engine_for(settings.database_url)) as session:
        partner = partner_links.resolve(session, link)
        if partner is None:
            return Outcome(found=False)
        try:
            sent = intake.submit(session, partner, form, key, now)
        except FormRefused as refused:
            return Outcome(page=_page_of(session, link, now), errors=refused.errors)
        except Conflict as conflict:
            return Outcome(page=_page_of(session, link, now), errors={"form": str(conflict)})
        if sent.created:
            acknowledge(session, settings, sent.referral_id, now)
        return Outcome(referral_id=sent.referral_id)


# The pages ------------------------------------------------------------------------


def _thanks(settings: Settings, request: Request, referral_id: int | None) -> Response:
    """The confirmation; without a number for a honeypot hit, which wrote nothing."""
    number = (
        f"<p>Our referral number is <strong>{referral_id}</strong>.</p>"
        if referral_id is not None
        else ""
    )
    days = settings.target_contact_business_days
    when = "today" if days == 0 else f"within {days} business day{'s' if days != 1 else ''}"
    return page(
        settings,
        "Referral received",
        f"<p>Thank you: we received the referral.</p>{number}"
        f"<p>We will call the patient {when}. You will find the referral's progress on "
        f'<a href="{escape(request.url.path)}">your page</a>.</p>',
    )


def _partner_page(
    settings: Settings,
    request: Request,
    shown: PartnerPage,
    form: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    form_key = partner_links.new_form_key(settings.secret_key, shown.partner_id)
    body = (
        f"{STYLE}{_form(settings, request, shown.choices, form, errors, form_key)}"
        f"<h2>Your referrals, last {intake.STATUS_DAYS} days</h2>"
        f"{_status_table(shown.referrals, settings.zone)}"
    )
    return page(settings, shown.partner_name, body, status_code=status_code)


def _clinical_channel(settings: Settings) -> str:
    where = escape(intake.clinical_documents(settings))
    return (
        "<p><strong>No clinical details here.</strong> Please send notes, images and other "
        f"clinical documents by {where}, with our referral number.</p>"
    )


def _form(
    settings: Settings,
    request: Request,
    choices: FormChoices,
    form: dict[str, str],
    errors: dict[str, str],
    form_key: str,
) -> str:
    def value(name: str) -> str:
        return escape(form.get(name, ""))

    def error(name: str) -> str:
        return f'<span class="error">{escape(errors[name])}</span>' if name in errors else ""

    def text_field(name: str, label: str, kind: str = "text", required: bool = False) -> str:
        needed = " required" if required else ""
        return (
            f'<label for="{name}">{label}{error(name)}</label>'
            f'<input type="{kind}" id="{name}" name="{name}" value="{value(name)}" '
            f'maxlength="{intake.MAX_LENGTH}"{needed}>'
        )

    def select(name: str, label: str, options: list[tuple[object, str]], blank: str) -> str:
        chosen = form.get(name, "")
        items = [f'<option value="">{escape(blank)}</option>'] if blank else []
        for option, shown in options:
            mark = " selected" if str(option) == chosen else ""
            items.append(f'<option value="{escape(str(option))}"{mark}>{escape(shown)}</option>')
        return (
            f'<label for="{name}">{label}{error(name)}</label>'
            f'<select id="{name}" name="{name}">{"".join(items)}</select>'
        )

    contacts = [*choices.contacts, (intake.NEW_CONTACT, "Someone else (give name and email)")]
    consent = " checked" if form.get("consent") else ""
    return (
        f"<h2>Send a patient</h2>{_clinical_channel(settings)}{error('form')}"
        f'<form method="post" action="{escape(request.url.path)}">'
        f'<input type="hidden" name="form" value="{escape(form_key)}">'
        "<fieldset><legend>Who is referring</legend>"
        f"{select('contact', 'Your name', contacts, 'Choose…')}"
        f"{text_field('contact_name', 'Or your name')}"
        f"{text_field('contact_email', 'Your email', 'email')}"
        "</fieldset><fieldset><legend>The patient</legend>"
        f"{text_field('first_name', 'First name', required=True)}"
        f"{text_field('last_name', 'Last name', required=True)}"
        f"{text_field('phone', 'Phone', 'tel')}"
        f"{text_field('email', 'Email', 'email')}"
        "</fieldset><fieldset><legend>The referral</legend>"
        f"{select('location', 'Preferred clinic', choices.locations, 'Choose…')}"
        f"{select('service_line', 'Service', choices.service_lines, 'Choose…')}"
        f"{select('urgency', 'Urgency', choices.urgencies, '')}"
        f"{text_field('partner_reference', 'Your reference (optional)')}"
        "</fieldset>"
        f'<label><input type="checkbox" name="consent" value="yes"{consent}> '
        f"The patient agreed to be contacted by {escape(settings.practice_name)}{error('consent')}"
        "</label>"
        f'<div class="hp" aria-hidden="true"><label for="{HONEYPOT}">Leave this empty</label>'
        f'<input type="text" id="{HONEYPOT}" name="{HONEYPOT}" tabindex="-1" autocomplete="off"></div>'
        '<p><button type="submit">Send the referral</button></p></form>'
    )


def _status_table(rows: list[StatusRow], zone: ZoneInfo) -> str:
    if not rows:
        return "<p>No referrals in this period.</p>"

    def day(moment: datetime | None) -> str:
        if moment is None:
            return "—"
        local = moment.astimezone(zone)
        return f"{local:%b} {local.day}, {local.year}"

    lines = "".join(
        f"<tr><td>{row.number}</td><td>{escape(row.reference) or '—'}</td>"
        f"<td>{day(row.received_at)}</td><td>{day(row.contacted_at)}</td>"
        f"<td>{day(row.scheduled_at)}</td><td>{day(row.first_visit_at)}</td>"
        f"<td>{escape(ReferralStatus(row.status).label)}</td></tr>"
        for row in rows
    )
    return (
        "<table><thead><tr><th>Our no.</th><th>Your reference</th><th>Received</th>"
        "<th>Contacted</th><th>Scheduled</th><th>First visit</th><th>Status</th></tr></thead>"
        f"<tbody>{lines}</tbody></table>"
    )
