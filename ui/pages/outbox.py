"""Outbox: every email the practice sent or will send, with its outcome. Failed and
unknown messages wait here for a person to retry or cancel them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from campaigns.mail.outbox import (
    KINDS,
    OutboxFilter,
    attempts_of,
    cancel_message,
    list_messages,
    retry_message,
    status_counts,
)
from campaigns.mail.transports.file import list_outbox_files
from crm import clock
from crm.models import Message
from crm.vocab import MessageStatus
from ui.shell import AppContext, context
from ui.widgets import local, read, show_flash, submit

_HELP = {
    MessageStatus.UNKNOWN.value: "The provider may or may not have accepted it (the connection broke mid-send). "
    "Check the recipient or the provider's activity log before retrying: a retry may send it twice.",
    MessageStatus.FAILED.value: "The provider refused it or every attempt failed; the reason is below.",
}


def render(ctx: AppContext) -> None:
    st.title("Outbox")
    show_flash()
    _summary(ctx)
    left, middle, right = st.columns([2, 2, 3])
    statuses = left.multiselect("Status", MessageStatus.choices(), key="outbox_status")
    kinds = middle.multiselect("Kind", KINDS, key="outbox_kind")
    text = right.text_input("Search", placeholder="Recipient or subject", key="outbox_text")
    messages, total = read(
        ctx.engine, lambda s: list_messages(s, OutboxFilter(statuses, kinds, text))
    )
    st.markdown(
        f"**{total} message{'s' if total != 1 else ''}**"
        + (" (newest 200 shown)" if total > 200 else "")
    )
    if not messages:
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Created": local(m.created_at, ctx.zone),
                    "To": m.to_email,
                    "Kind": m.kind,
                    "Subject": m.subject,
                    "Status": m.status,
                    "Attempts": m.attempts,
                    "Sent": local(m.sent_at, ctx.zone),
                    "Last error": m.last_error,
                }
                for m in messages
            ]
        ),
        hide_index=True,
    )
    if ctx.settings.email_transport == "file":
        _file_outbox(ctx)
    by_id = {m.id: m for m in messages}
    chosen = st.selectbox(
        "Open a message",
        list(by_id),
        key="outbox_pick",
        format_func=lambda i: f"{by_id[i].to_email} · {by_id[i].subject} ({by_id[i].status})",
    )
    if chosen is not None:
        _detail(ctx, by_id[chosen])


def _file_outbox(ctx: AppContext) -> None:
    """With the file transport (the default), "sent" means written here as an .eml file."""
    files = list_outbox_files(ctx.settings.outbox_dir, limit=50)
    with st.expander(
        f"Files in {ctx.settings.outbox_dir} (the file transport: nothing leaves this machine)"
    ):
        if not files:
            st.caption("No files yet.")
            return
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Written": local(f.written_at, ctx.zone),
                        "To": f.to,
                        "Subject": f.subject,
                        "File": f.path.name,
                    }
                    for f in files
                ]
            ),
            hide_index=True,
        )
        chosen = st.selectbox(
            "Download a file", files, format_func=lambda f: f.path.name, key="outbox_file"
        )
        st.download_button(
            "Download .eml",
            chosen.path.read_bytes(),
            file_name=chosen.path.name,
            mime="message/rfc822",
            key="outbox_file_download",
        )


def _summary(ctx: AppContext) -> None:
    counts = read(ctx.engine, status_counts)
    totals = {
        state: sum(n for (s, _), n in counts.items() if s == state)
        for state in MessageStatus.choices()
    }
    columns = st.columns(len(MessageStatus))
    for column, state in zip(columns, MessageStatus.choices()):
        column.metric(state.capitalize(), totals[state])


def _detail(ctx: AppContext, message: Message) -> None:
    st.subheader(message.subject or "(no subject)", anchor=False)
    st.caption(
        f"To {message.to_name or ''} <{message.to_email}> · {message.kind} · key {message.idempotency_key}"
        + (f" · provider id {message.provider_message_id}" if message.provider_message_id else "")
    )
    if message.status in _HELP:
        st.warning(
            _HELP[message.status] + (f"\n\n{message.last_error}" if message.last_error else "")
        )
    actionable = (
        MessageStatus.FAILED.value,
        MessageStatus.UNKNOWN.value,
        MessageStatus.QUEUED.value,
    )
    if ctx.actor.can_edit and message.status in actionable:
        _actions(ctx, message)
    html_tab, text_tab, log_tab = st.tabs(["As the recipient sees it", "Plain text", "Attempts"])
    with html_tab, st.container(height=520):
        st.html(message.html)  # scripts are stripped: the body may come from an edited template
    with text_tab:
        st.code(message.text, language=None)
    with log_tab:
        attempts = read(ctx.engine, lambda s: attempts_of(s, message.id))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "When": local(a.at, ctx.zone),
                        "Outcome": a.outcome,
                        "Code": a.status_code,
                        "Detail": a.detail,
                    }
                    for a in attempts
                ]
            ),
            hide_index=True,
        )


def _actions(ctx: AppContext, message: Message) -> None:
    left, right = st.columns(2)
    if message.status in (MessageStatus.FAILED.value, MessageStatus.UNKNOWN.value):
        label = (
            "Send it again"
            if message.status == MessageStatus.FAILED.value
            else "I checked: send it again"
        )
        if left.button(label, key=f"retry_{message.id}", type="primary"):
            submit(
                ctx.engine,
                lambda s: retry_message(s, ctx.actor, message.id, clock.now()),
                "Queued again; the scheduler sends it within a minute.",
            )
    if right.button("Cancel this message", key=f"cancel_{message.id}"):
        submit(
            ctx.engine,
            lambda s: cancel_message(s, ctx.actor, message.id, clock.now()),
            "Cancelled: it will not be sent.",
        )


if __name__ == "__main__":
    render(context())
