"""The default transport: each email becomes an `.eml` file under `data/outbox/`, so a
new install sends nothing anywhere and a person can open exactly what would have gone.

File names are `<UTC time>-<message id>-<subject slug>.eml`. A file is written under a
temporary name and then linked into place, so a reader never sees half a message and an
existing file is never replaced. Sending the same message (same id and idempotency key)
again returns the file already written instead of writing a second one: the queue may
retry after a crash that happened between the write and its bookkeeping."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from campaigns.mail.transports.base import OutgoingEmail, SendResult, TransportError
from campaigns.mail.transports.mime import MESSAGE_KEY_HEADER, to_mime
from crm.clock import Clock
from crm.clock import now as current_time

_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"^(\d{8}T\d{6}Z)-(\d+)-[a-z0-9-]*\.eml$")


class FileTransport:
    name = "file"

    def __init__(self, outbox_dir: Path, clock: Clock = current_time) -> None:
        self.outbox_dir = Path(outbox_dir)
        self.clock = clock

    def send(self, email: OutgoingEmail) -> SendResult:
        now = self.clock()
        try:
            self.outbox_dir.mkdir(parents=True, exist_ok=True)
            existing = self._already_written(email)
            if existing is not None:
                return SendResult(provider_message_id=existing.name)
            path = self.outbox_dir / file_name(email, now)
            _write_new(path, to_mime(email, now).as_bytes())
        except OSError as exc:
            # A full disk or a wrong permission is fixed by a person, then the queue retries.
            raise TransportError(
                f"cannot write to the outbox folder {self.outbox_dir}: {exc}"
            ) from exc
        return SendResult(provider_message_id=path.name)

    def close(self) -> None:
        pass

    def _already_written(self, email: OutgoingEmail) -> Path | None:
        for path in self.outbox_dir.glob(f"*-{email.message_id}-*.eml"):
            match = _NAME.match(path.name)
            if match and int(match.group(2)) == email.message_id:
                if read_eml(path).get(MESSAGE_KEY_HEADER) == email.idempotency_key:
                    return path
        return None


def file_name(email: OutgoingEmail, now: datetime) -> str:
    return f"{now.astimezone(UTC).strftime(_STAMP)}-{email.message_id}-{slug(email.subject)}.eml"


def slug(text: str, limit: int = 40) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:limit].rstrip("-") or "message"


def _write_new(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, path)  # unlike rename, fails instead of replacing a file
    finally:
        os.unlink(temporary)


@dataclass(frozen=True)
class OutboxFile:
    path: Path
    written_at: datetime
    message_id: int
    to: str
    subject: str
    size: int


def list_outbox_files(outbox_dir: Path, limit: int = 200) -> list[OutboxFile]:
    """The newest files first (names sort by time), read only as far as `limit`."""
    folder = Path(outbox_dir)
    if not folder.is_dir():
        return []
    named = sorted(
        (p for p in folder.iterdir() if _NAME.match(p.name)), key=lambda p: p.name, reverse=True
    )
    files = []
    for path in named[:limit]:
        match = _NAME.match(path.name)
        assert match is not None
        headers = _read_headers(path)
        files.append(
            OutboxFile(
                path=path,
                written_at=datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC),
                message_id=int(match.group(2)),
                to=str(headers.get("To", "")),
                subject=str(headers.get("Subject", "")),
                size=path.stat().st_size,
            )
        )
    return files


def read_eml(path: Path) -> EmailMessage:
    with Path(path).open("rb") as source:
        message = BytesParser(policy=policy.default).parse(source)
    assert isinstance(message, EmailMessage)
    return message


def eml_bodies(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML of a message read back from the outbox ("" if absent)."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return (text.get_content() if text else "", html.get_content() if html else "")


def _read_headers(path: Path) -> EmailMessage:
    with path.open("rb") as source:
        message = BytesParser(policy=policy.default).parse(source, headersonly=True)
    assert isinstance(message, EmailMessage)
    return message
