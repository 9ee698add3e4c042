"""Rendering an email: the template's parts in the sandbox, wrapped in the layout (the
practice's name on top, its postal address and the unsubscribe link at the foot), with
the CSS inlined because most email clients ignore a <style> block."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import css_inline
from jinja2 import TemplateError as JinjaError
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from markupsafe import Markup
from sqlmodel import Session

from campaigns.mail.templating.catalog import (
    LAYOUT_VARIABLES,
    TemplateSource,
    TemplateSpec,
    layout_source,
    spec_for,
)
from campaigns.mail.templating.checks import compile_checked
from campaigns.mail.templating.errors import TemplateError
from campaigns.mail.templating.sandbox import RenderLimit, budget, render_capped
from campaigns.mail.templating.store import effective_template
from campaigns.mail.templating.values import check_values
from campaigns.post import ACCENT_COLOR
from crm import clock, settings

MAX_SUBJECT_CHARS = 300  # the outbox's column
MAX_HTML_CHARS = 256 * 1024
MAX_TEXT_CHARS = 128 * 1024
_LAYOUT_OWN = frozenset(LAYOUT_VARIABLES) | {"body", "subject", "accent_color"}
# No network fetches for <link rel=stylesheet> in an edited template; links are dropped.
_INLINER = css_inline.CSSInliner(
    load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False
)


@dataclass(frozen=True)
class PracticeInfo:
    name: str
    postal_address: str

    @classmethod
    def from_settings(cls, settings: Any) -> PracticeInfo:
        return cls(name=settings.practice_name, postal_address=settings.postal_address)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


def render_email(
    session: Session,
    name: str,
    variables: dict[str, Any],
    *,
    practice: PracticeInfo | None = None,
    unsubscribe_url: str | None,
    now: datetime | None = None,
    partner_link: str = "",
) -> RenderedEmail:
    """Render the template in effect (override or file). `practice` defaults to the
    settings; `now` (for the footer's year) defaults to the current time."""
    if practice is None:
        practice = PracticeInfo.from_settings(settings.get())
    return render_source(
        spec_for(name),
        effective_template(session, name),
        variables,
        practice=practice,
        unsubscribe_url=unsubscribe_url,
        now=now or clock.now(),
        partner_link=partner_link,
    )


def render_source(
    spec: TemplateSpec,
    source: TemplateSource,
    variables: dict[str, Any],
    *,
    practice: PracticeInfo,
    unsubscribe_url: str | None,
    now: datetime,
    partner_link: str = "",
) -> RenderedEmail:
    """Render given parts (a preview or an override being validated) as an email of `spec`.
    `partner_link` fills the partner emails' shared variable of that name."""
    check_values(spec, variables)
    if spec.kind == "marketing" and not unsubscribe_url:
        raise TemplateError(f"{spec.title} is a marketing email, so it needs an unsubscribe link")
    shared = {
        "practice_name": practice.name,
        "postal_address": practice.postal_address,
        "unsubscribe_url": unsubscribe_url or "",
        "current_year": now.year,
    }
    context = {**variables, **shared}
    if spec.audience == "partner":
        context["partner_link"] = partner_link
    with budget():
        subject = _one_line(
            _part("Subject", source.subject, spec, context, html=False, cap=4 * MAX_SUBJECT_CHARS)
        )
        body_html = _part("HTML", source.html, spec, context, html=True, cap=MAX_HTML_CHARS)
        body_text = _part("Text", source.text, spec, context, html=False, cap=MAX_TEXT_CHARS)
        framing = {**shared, "subject": subject, "accent_color": ACCENT_COLOR}
        html = _layout(
            "HTML", {**framing, "body": Markup(body_html)}, html=True, cap=MAX_HTML_CHARS
        )
        text = _layout("Text", {**framing, "body": body_text}, html=False, cap=MAX_TEXT_CHARS)
    return RenderedEmail(subject=_checked_subject(subject), html=_inline_css(html), text=text)


def _part(
    part: str, source: str, spec: TemplateSpec, context: dict[str, Any], *, html: bool, cap: int
) -> str:
    template = compile_checked(source, part, spec.allowed_names, html)
    return _run(part, lambda: render_capped(template, context, cap))


def _layout(part: str, context: dict[str, Any], *, html: bool, cap: int) -> str:
    source = layout_source().html if html else layout_source().text
    template = compile_checked(source, f"layout {part}", _LAYOUT_OWN, html)
    return _run(f"layout {part}", lambda: render_capped(template, context, cap))


def _run(part: str, render: Callable[[], str]) -> str:
    """Turn whatever a render raises into a TemplateError naming the part and the line."""
    try:
        return render()
    except RenderLimit as exc:
        raise TemplateError(str(exc), part=part) from None
    except SecurityError as exc:
        raise TemplateError(f"refused: {exc}", part=part, line=_template_line(exc)) from None
    except TemplateSyntaxError as exc:
        raise TemplateError(f"syntax error: {exc.message}", part=part, line=exc.lineno) from None
    except JinjaError as exc:  # UndefinedError and other runtime errors from the template
        raise TemplateError(str(exc.message), part=part, line=_template_line(exc)) from None
    except (TypeError, ValueError, LookupError, ArithmeticError) as exc:
        raise TemplateError(
            f"could not render: {exc}", part=part, line=_template_line(exc)
        ) from None


def _template_line(exc: BaseException) -> int | None:
    """Jinja rewrites tracebacks so that template lines appear as frames of '<template>'."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _one_line(subject: str) -> str:
    # A newline in a subject would end the header; collapse all whitespace to spaces.
    return re.sub(r"\s+", " ", subject).strip()


def _checked_subject(subject: str) -> str:
    if not subject:
        raise TemplateError("the subject is empty", part="Subject")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise TemplateError(
            f"the subject is {len(subject)} characters long; the limit is {MAX_SUBJECT_CHARS}",
            part="Subject",
        )
    return subject


def _inline_css(html: str) -> str:
    try:
        inlined = _INLINER.inline(html)
    except css_inline.InlineError as exc:
        raise TemplateError(f"the styles could not be applied: {exc}", part="HTML") from None
    if len(inlined) > MAX_HTML_CHARS:
        raise TemplateError(
            f"the email is over the {MAX_HTML_CHARS // 1024} KB limit once styled", part="HTML"
        )
    return inlined
