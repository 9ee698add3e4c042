"""`crm report send-monthly`: a month's report on demand, to given addresses, to the
users who opted in (never twice), or written to a folder to look at."""

from __future__ import annotations

import io
from email import message_from_bytes, policy

from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from campaigns.mail.outbox import decode_attachments
from crm.models import Message
from liaison.cli import app
from tests.factories import make_user

runner = CliRunner()


def _messages(session):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(Message).order_by(Message.id)).all()


def test_send_to_an_address_queues_the_report_with_its_workbook(app_env, session):
    result = runner.invoke(
        app, ["report", "send-monthly", "--month", "2026-10", "--to", "CEO@Practice.example.org"]
    )
    assert result.exit_code == 0, result.output
    assert "queued the report for October 2026 to ceo@practice.example.org" in result.output
    (message,) = _messages(session)
    assert (
        message.to_email == "ceo@practice.example.org"
        and message.kind == "report"
        and message.transactional
    )
    (attachment,) = decode_attachments(message.attachments)
    assert attachment.filename == "leadership-report-2026-10.xlsx"
    assert load_workbook(io.BytesIO(attachment.content)).sheetnames[0] == "Summary"


def test_asking_again_for_an_address_sends_again(app_env, session):
    for _ in range(2):
        runner.invoke(
            app,
            ["report", "send-monthly", "--month", "2026-10", "--to", "ceo@practice.example.org"],
        )
    assert len(_messages(session)) == 2


def test_without_an_address_it_goes_once_to_the_users_who_opted_in(app_env, session):
    user = make_user(session, monthly_report=True)
    make_user(session)
    for _ in range(2):
        result = runner.invoke(app, ["report", "send-monthly", "--month", "2026-09"])
        assert result.exit_code == 0, result.output
    assert "queued 0 report(s) for September 2026" in result.output
    assert [m.idempotency_key for m in _messages(session)] == [
        f"leadership-report:2026-09:{user.id}"
    ]


def test_preview_writes_the_email_and_workbook_and_sends_nothing(app_env, session, tmp_path):
    folder = tmp_path / "preview"
    result = runner.invoke(
        app, ["report", "send-monthly", "--month", "2026-10", "--preview", str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "leadership-report-2026-10.xlsx",
        "report.html",
        "report.txt",
    ]
    assert "October 2026" in (folder / "report.html").read_text()
    assert _messages(session) == []


def test_a_malformed_month_is_refused(app_env):
    result = runner.invoke(
        app, ["report", "send-monthly", "--month", "October", "--to", "ceo@practice.example.org"]
    )
    assert result.exit_code == 2 and "should look like 2026-10" in result.output


def test_a_malformed_address_is_refused(app_env, session):
    result = runner.invoke(
        app, ["report", "send-monthly", "--month", "2026-10", "--to", "not-an-address"]
    )
    assert result.exit_code == 2 and "invalid email" in result.output
    assert _messages(session) == []


def test_send_due_writes_the_report_to_the_file_outbox_with_the_workbook(
    app_env, session, tmp_path
):
    runner.invoke(
        app, ["report", "send-monthly", "--month", "2026-10", "--to", "ceo@practice.example.org"]
    )
    result = runner.invoke(app, ["send-due"])
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "leadership-report-2026-10.xlsx"
    assert load_workbook(io.BytesIO(attachment.get_content())).sheetnames[0] == "Summary"
