"""Small pieces every page shares: running a domain call and showing its errors as
messages, a one-shot notice that survives a rerun, and times in the practice's zone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from crm import clock
from crm.access import PermissionDenied
from crm.db import session_scope
from crm.errors import LiaisonError
from crm.vocab import Vocabulary

T = TypeVar("T")

_FLASH = "_flash"

# Field names a form shows under another label.
_FIELD_LABELS = {
    "partner_type": "Type",
    "zip": "ZIP",
    "npi": "NPI",
    "email_opt_out": "Opted out of email",
    "owner_id": "Owner",
    "contact_id": "Contact",
    "occurred_at": "When",
    "received_at": "Received",
    "partner_reference": "Their reference",
    "service_line": "Service line",
}


def field_label(name: str) -> str:
    return _FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def validation_messages(exc: ValidationError) -> list[str]:
    """One plain sentence per problem, named by the form's label, never a traceback."""
    messages = []
    for error in exc.errors():
        text = str(error["msg"]).removeprefix("Value error, ")
        if (
            error["type"] in ("string_too_short", "too_short")
            and error.get("ctx", {}).get("min_length") == 1
        ):
            text = "is required"
        name = field_label(str(error["loc"][0])) if error["loc"] else ""
        messages.append(f"{name}: {text}" if name else text[:1].upper() + text[1:])
    return messages


def attempt(engine: Engine, change: Callable[[Session], T]) -> T | None:
    """Run one change in its own transaction; show why it was refused instead of raising.
    Returns None when nothing was written."""
    try:
        with session_scope(engine) as session:
            return change(session)
    except ValidationError as exc:
        st.error(
            "Please fix the following:\n\n" + "\n".join(f"- {m}" for m in validation_messages(exc))
        )
    except PermissionDenied as exc:
        st.error(f"Not allowed: {exc}.")
    except LiaisonError as exc:
        st.error(_sentence(str(exc)))
    except IntegrityError:
        st.error(
            "That would duplicate a record that already exists (for example the same reference twice)."
        )
    return None


def submit(
    engine: Engine,
    change: Callable[[Session], T],
    said: str | Callable[[T], str],
    *,
    fresh: str | None = None,
    then: Callable[[T], None] | None = None,
) -> None:
    """The one way a form or button saves: the change in one transaction and, when it is
    refused, the reason where the user is looking (nothing was written). Once saved, the
    message `said` for the next run, fresh empty widgets for the form `fresh`, whatever
    `then` keeps for the next run (the row to open), and the rerun that shows it all."""
    done = attempt(engine, change)
    if done is None:
        return
    if then is not None:
        then(done)
    flash(said(done) if callable(said) else said)
    if fresh is not None:
        next_form(fresh)
    st.rerun()


def read(engine: Engine, query: Callable[[Session], T]) -> T:
    with Session(engine, expire_on_commit=False) as session:
        return query(session)


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def flash(message: str) -> None:
    """A success message for the next run (forms rerun after saving)."""
    st.session_state[_FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def next_form(name: str) -> None:
    """Give a form fresh, empty widgets on the next run, after it saved."""
    st.session_state[f"_gen_{name}"] = st.session_state.get(f"_gen_{name}", 0) + 1


def form_key(name: str) -> str:
    return f"{name}_{st.session_state.get(f'_gen_{name}', 0)}"


def label_of(kind: type[Vocabulary]) -> Callable[[str], str]:
    return lambda value: kind(value).label if value else "—"


def local(moment: datetime | None, zone: ZoneInfo, with_time: bool = True) -> str:
    if moment is None:
        return ""
    shown = clock.as_utc(moment).astimezone(zone)
    return shown.strftime("%b %d, %Y %I:%M %p" if with_time else "%b %d, %Y")


def to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A date and time typed in the practice's zone, as stored (UTC)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def now_local(zone: ZoneInfo) -> datetime:
    return clock.now().astimezone(zone).replace(second=0, microsecond=0)


MISSING = "—"


def shown_as(values: Iterable[Any], fmt: Callable[[Any], str]) -> list[str]:
    """A column with gaps, as text: Streamlit draws a missing number or time as a grey
    "None", which a marketer reads as a fault; a gap reads "—" here."""
    return [MISSING if v is None or pd.isna(v) else fmt(v) for v in values]


def short_time(moment: datetime) -> str:
    """ "Tue Nov 10, 9:32 am", as the tables' time columns show it."""
    return f"{moment:%a %b} {moment.day}, {moment.hour % 12 or 12}:{moment:%M} {'am' if moment.hour < 12 else 'pm'}"
