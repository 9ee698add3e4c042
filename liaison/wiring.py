"""Connects the layers at start: where a lower layer declared a hook, the layer above
passes its implementation in. Every entry point (the app, the scheduler, the command
line, the benchmarks, the tests) calls `connect()` once before doing any work."""

from __future__ import annotations

from campaigns import post
from campaigns.cadences.enrolment import CadenceOutreach
from campaigns.mail.office import MailRoom
from crm.lifecycle import outreach


def connect() -> None:
    outreach.connect(CadenceOutreach())
    post.connect(MailRoom())
