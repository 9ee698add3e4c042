"""The post box: programs reach the mail room only through the hook it connects."""

from __future__ import annotations

import pytest

from campaigns import post
from campaigns.cadences.steps import cadence_templates
from campaigns.mail.office import MailRoom
from campaigns.mail.templating import TEMPLATES


def test_a_program_posting_before_the_mail_room_is_connected_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(post, "_office", post._Unconnected())
    with pytest.raises(post.NotConnected, match="mail room is not connected"):
        post.office().enqueue_many(None, [], None)


def test_the_connected_office_is_the_mail_room() -> None:
    assert isinstance(post.office(), MailRoom)


def test_the_cadence_templates_are_the_partner_marketing_ones() -> None:
    names = post.office().template_names(audience="partner", kind="marketing")
    assert names == sorted(names) and names
    assert all(
        TEMPLATES[n].audience == "partner" and TEMPLATES[n].kind == "marketing" for n in names
    )
    assert "review_request" not in names


def test_a_cadence_step_cannot_send_a_recipients_own_survey() -> None:
    assert "partner_survey" not in cadence_templates()
    assert "partner_survey" in post.office().template_names(audience="partner", kind="marketing")
