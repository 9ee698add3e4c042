"""A refusal a person caused is a message; anything else a page runs into is a bug and
shows as one, never as a polite red sentence."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from campaigns.events.service import EventNotFound
from campaigns.mail.outbox import OutboxError
from campaigns.mail.suppressions import SuppressionError
from campaigns.mail.templating.errors import TemplateError
from crm.access import PermissionDenied
from crm.errors import Conflict, InvalidInput, LiaisonError, NotFound
from crm.partners import NotFound as PartnerNotFound
from crm.segments.definition import InvalidDefinition
from crm.transfer.report import ImportFileError
from crm.users import SignInError, UserError


def _bad_email_typed() -> None:
    from sqlmodel import create_engine

    from crm import validation
    from ui.widgets import attempt

    attempt(create_engine("sqlite://"), lambda session: validation.email("nope"))


def _a_bug_in_the_change() -> None:
    from sqlmodel import create_engine

    from ui.widgets import attempt

    attempt(create_engine("sqlite://"), lambda session: int("seven"))


def _a_missing_key_in_the_change() -> None:
    from sqlmodel import create_engine

    from ui.widgets import attempt

    attempt(create_engine("sqlite://"), lambda session: {}["partner_id"])


def test_invalid_input_from_the_domain_is_shown_as_a_sentence():
    at = AppTest.from_function(_bad_email_typed, default_timeout=30).run()
    assert not at.exception
    assert at.error[0].value.startswith("Invalid email 'nope'")


@pytest.mark.parametrize("page", [_a_bug_in_the_change, _a_missing_key_in_the_change])
def test_a_plain_value_or_lookup_error_is_not_swallowed(page):
    at = AppTest.from_function(page, default_timeout=30).run()
    assert at.exception, "a programming error must surface as an exception"
    assert not at.error


def test_the_subclasses_keep_their_old_bases_for_existing_callers():
    assert issubclass(InvalidInput, ValueError) and issubclass(Conflict, ValueError)
    assert issubclass(NotFound, LookupError)
    assert PartnerNotFound is NotFound


@pytest.mark.parametrize(
    "error",
    [
        PermissionDenied,
        SignInError,
        UserError,
        InvalidDefinition,
        ImportFileError,
        EventNotFound,
        OutboxError,
        SuppressionError,
        TemplateError,
    ],
)
def test_every_refusal_a_person_can_cause_is_a_liaison_error(error):
    assert issubclass(error, LiaisonError)
