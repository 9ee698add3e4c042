"""Email templates: every built-in template with a preview on sample data; marketers and
admins can edit one (the edit is validated before it is saved) or go back to the
built-in version. Viewers see the list and the previews only."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlmodel import Session

from campaigns.mail.compose import enqueue_test
from campaigns.mail.templating import (
    TEMPLATES,
    PracticeInfo,
    RenderedEmail,
    TemplateError,
    TemplateSource,
    TemplateSpec,
    delete_override,
    effective_template,
    list_overrides,
    render_email,
    save_override,
)
from campaigns.mail.templating.catalog import SAMPLE_PARTNER_LINK
from campaigns.mail.templating.overrides import SAMPLE_UNSUBSCRIBE_URL
from campaigns.mail.templating.sandbox import ALLOWED_FILTERS
from crm import clock
from crm.models import TemplateOverride
from crm.users import list_users
from ui.shell import AppContext, context
from ui.widgets import form_key, local, read, show_flash, submit

PICK = "template_pick"


def render(ctx: AppContext) -> None:
    st.title("Email templates")
    show_flash()
    overrides = read(ctx.engine, list_overrides)
    _table(ctx, overrides)
    name = st.selectbox(
        "Template", list(TEMPLATES), format_func=lambda n: TEMPLATES[n].title, key=PICK
    )
    spec = TEMPLATES[name]
    st.caption(spec.description)
    _preview(ctx, spec)
    _variables(spec)
    if ctx.actor.can_edit:
        _send_test(ctx, spec)
        _edit(ctx, spec, overrides.get(name))


def _send_test(ctx: AppContext, spec: TemplateSpec) -> None:
    """The version in effect, with the sample data, to the signed-in user's own address."""
    if st.button(
        f"Send a test to {ctx.email}", key=f"send_test_{spec.name}", icon=":material/send:"
    ):
        submit(
            ctx.engine,
            lambda s: enqueue_test(s, ctx.actor, spec.name, ctx.email, clock.now(), ctx.settings),
            f"Test queued for {ctx.email}; the scheduler sends it within a minute (see the Outbox).",
        )


_AUDIENCES = {"partner": "Partners", "patient": "Patients", "staff": "Staff"}
_SAMPLE = {"partner": "partner", "patient": "patient", "staff": "staff member"}


def _table(ctx: AppContext, overrides: dict[str, TemplateOverride]) -> None:
    names = {u.id: u.name or u.email for u in read(ctx.engine, list_users)}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Template": spec.title,
                    "Kind": spec.kind.capitalize(),
                    "Sent to": _AUDIENCES[spec.audience],
                    "Version": _version(ctx, overrides.get(spec.name), names),
                }
                for spec in TEMPLATES.values()
            ]
        ),
        hide_index=True,
    )


def _version(ctx: AppContext, row: TemplateOverride | None, names: dict[int | None, str]) -> str:
    if row is None:
        return "Built-in"
    return f"Edited {local(row.updated_at, ctx.zone)} by {names.get(row.updated_by, 'someone')}"


def _preview(ctx: AppContext, spec: TemplateSpec) -> None:
    st.subheader(f"Preview with a sample {_SAMPLE[spec.audience]}", anchor=False)
    try:
        email = read(ctx.engine, lambda s: _sample_email(ctx, s, spec))
    except TemplateError as exc:  # an edit saved before the catalog changed can stop rendering
        st.error(f"This template does not render: {exc}")
        return
    st.markdown("**Subject**")
    st.text(email.subject)
    html_tab, text_tab = st.tabs(["As the recipient sees it", "Plain text"])
    with html_tab:
        st.html(email.html)  # sanitized: an edited template's HTML never runs in the app
    with text_tab:
        st.code(email.text, language=None, wrap_lines=True)


def _sample_email(ctx: AppContext, session: Session, spec: TemplateSpec) -> RenderedEmail:
    unsubscribe = SAMPLE_UNSUBSCRIBE_URL if spec.kind == "marketing" else None
    return render_email(
        session,
        spec.name,
        spec.sample,
        practice=PracticeInfo.from_settings(ctx.settings),
        unsubscribe_url=unsubscribe,
        now=clock.now(),
        partner_link=SAMPLE_PARTNER_LINK,
    )


def _variables(spec: TemplateSpec) -> None:
    with st.expander("What this template can use"):
        st.dataframe(
            pd.DataFrame(
                [
                    {"Variable": f"{{{{ {n} }}}}", "Meaning": d, "Sample": spec.sample[n]}
                    for n, d in spec.variables.items()
                ]
                + [
                    {"Variable": f"{{{{ {n} }}}}", "Meaning": d, "Sample": ""}
                    for n, d in spec.shared_variables.items()
                ]
            ),
            hide_index=True,
        )
        st.caption(
            "Also available: {% if %} and {% for %}, and the filters "
            + ", ".join(ALLOWED_FILTERS)
            + ". The header, the postal address and the unsubscribe link are added for you."
        )


def _edit(ctx: AppContext, spec: TemplateSpec, row: TemplateOverride | None) -> None:
    st.subheader("Edit", anchor=False)
    source = read(ctx.engine, lambda s: effective_template(s, spec.name))
    form = f"edit_{spec.name}"
    with st.form(form_key(form)):
        subject = st.text_input("Subject", value=source.subject.strip())
        html = st.text_area("HTML", value=source.html, height=300)
        text = st.text_area("Plain text", value=source.text, height=240)
        submitted = st.form_submit_button("Save template", type="primary")
    if submitted:
        _save(ctx, spec, TemplateSource(subject=subject, html=html, text=text), form)
    if row is not None and st.button("Go back to the built-in version", key=f"revert_{spec.name}"):
        submit(
            ctx.engine,
            lambda s: delete_override(s, ctx.actor, spec.name, clock.now()) or True,
            f"{spec.title} uses the built-in version again.",
            fresh=form,
        )


def _save(ctx: AppContext, spec: TemplateSpec, source: TemplateSource, form: str) -> None:
    submit(
        ctx.engine,
        lambda s: save_override(
            s, ctx.actor, spec.name, source.subject, source.html, source.text, clock.now()
        ),
        lambda saved: f"{spec.title} saved; emails rendered from now on use your version.",
        fresh=form,
    )


if __name__ == "__main__":
    render(context())
