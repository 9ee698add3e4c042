"""The SendGrid transport against the local SendGrid-compatible server, which checks
every payload against SendGrid's own OpenAPI spec and can misbehave on request."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from datetime import timedelta

import pytest
from sendgrid import SendGridAPIClient

from campaigns.mail.transports.base import TransportError
from campaigns.mail.transports.sendgrid_api import SendGridTransport, client_for, error_text
from crm import clock
from crm.settings import Settings
from tests.browser import free_port
from tests.sendgrid_server import sendgrid_server  # noqa: F401
from tests.transport_helpers import outgoing


def transport_for(url: str, group: int | None = None, clock=clock.now) -> SendGridTransport:  # type: ignore[no-untyped-def]
    settings = Settings(
        _env_file=None,
        email_transport="sendgrid",
        sendgrid_api_key="SG.test-key",
        sendgrid_host=url,
        sendgrid_unsubscribe_group=group,
    )
    return SendGridTransport(client_for(settings, timeout=5), unsubscribe_group=group, clock=clock)


def sent_payload(server) -> dict:  # type: ignore[no-untyped-def]
    [payload] = server.received
    return payload


def test_an_accepted_message_returns_sendgrids_message_id(sendgrid_server):
    """X-Message-Id is what SendGrid's events carry, so it is kept with the message."""
    result = transport_for(sendgrid_server.url).send(outgoing())
    assert result.provider_message_id == sendgrid_server.deliveries[0].message_id


def test_our_ids_ride_in_the_personalizations_custom_args(sendgrid_server):
    """So SendGrid's webhook events can be matched back to the message (as anymail does)."""
    transport_for(sendgrid_server.url).send(outgoing())
    [person] = sent_payload(sendgrid_server)["personalizations"]
    assert person["custom_args"] == {
        "message_id": "41",
        "message_key": "newsletter:2026-11:contact:7",
    }
    assert person["to"] == [{"email": "dr.lee@partner.example.org", "name": "Dr. Pat Lee"}]


def test_the_kind_is_the_category(sendgrid_server):
    """SendGrid's statistics then split by kind of email."""
    transport_for(sendgrid_server.url).send(outgoing(kind="event_invite"))
    assert sent_payload(sendgrid_server)["categories"] == ["event_invite"]


def test_the_unsubscribe_group_is_set_when_configured(sendgrid_server):
    """SendGrid's own unsubscribe handling then applies to the practice's group."""
    transport_for(sendgrid_server.url, group=3127).send(outgoing())
    assert sent_payload(sendgrid_server)["asm"] == {"group_id": 3127}


def test_no_unsubscribe_group_is_sent_when_none_is_configured(sendgrid_server):
    """An unknown group id would make SendGrid refuse the message."""
    transport_for(sendgrid_server.url).send(outgoing())
    assert "asm" not in sent_payload(sendgrid_server)


def test_the_one_click_unsubscribe_headers_are_sent(sendgrid_server):
    """RFC 8058: mailbox providers show an unsubscribe button that posts to our link."""
    transport_for(sendgrid_server.url).send(outgoing())
    assert sent_payload(sendgrid_server)["headers"] == {
        "List-Unsubscribe": "<https://liaison.example.com/unsubscribe/TOKEN>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_a_transactional_message_without_a_link_has_no_unsubscribe_headers(sendgrid_server):
    """A password reset is not something to unsubscribe from."""
    transport_for(sendgrid_server.url).send(outgoing(unsubscribe_url=None))
    assert "headers" not in sent_payload(sendgrid_server)


def test_text_html_and_the_attachment_are_sent(sendgrid_server):
    """Plain text first (SendGrid's rule), then HTML; the attachment base64-encoded."""
    transport_for(sendgrid_server.url).send(outgoing())
    payload = sent_payload(sendgrid_server)
    assert [c["type"] for c in payload["content"]] == ["text/plain", "text/html"]
    assert payload["attachments"] == [
        {
            "content": "QkVHSU46VkNBTEVOREFSDQpFTkQ6VkNBTEVOREFSDQo=",
            "type": "text/calendar",
            "filename": "hours.ics",
            "disposition": "attachment",
        }
    ]


def test_the_sender_carries_the_practice_name(sendgrid_server):
    """Recipients see who writes, not only an address."""
    transport_for(sendgrid_server.url).send(outgoing())
    assert sent_payload(sendgrid_server)["from"] == {
        "email": "outreach@practice.example.com",
        "name": "Springfield Sports Medicine",
    }


def test_a_refused_payload_is_permanent_with_sendgrids_reason(sendgrid_server):
    """A 400 will be a 400 next time too; the reason is kept for a person to read."""
    with pytest.raises(TransportError) as error:
        transport_for(sendgrid_server.url).send(outgoing(to_email="not-an-address"))
    assert (error.value.permanent, error.value.status_code) == (True, 400)
    assert "personalizations.0.to.0.email" in str(error.value)


def test_a_rate_limit_is_transient_with_when_to_retry(sendgrid_server):
    """429: the queue waits until SendGrid's X-RateLimit-Reset, measured on our clock."""
    sendgrid_server.set_faults(1.0, ["429"], retry_after_s=60)
    with pytest.raises(TransportError) as error:
        transport_for(sendgrid_server.url).send(outgoing())
    assert (error.value.permanent, error.value.ambiguous, error.value.status_code) == (
        False,
        False,
        429,
    )
    assert 58 <= error.value.retry_after <= 60


def test_the_wait_after_a_rate_limit_is_counted_from_the_injected_clock(sendgrid_server):
    """A clock 45 s ahead leaves about 15 s of the 60 to wait."""
    sendgrid_server.set_faults(1.0, ["429"], retry_after_s=60)
    ahead = lambda: clock.now() + timedelta(seconds=45)  # noqa: E731
    with pytest.raises(TransportError) as error:
        transport_for(sendgrid_server.url, clock=ahead).send(outgoing())
    assert 13 <= error.value.retry_after <= 15


def test_a_server_error_is_transient(sendgrid_server):
    """500: SendGrid's trouble, retried later by the queue."""
    sendgrid_server.set_faults(1.0, ["500"])
    with pytest.raises(TransportError) as error:
        transport_for(sendgrid_server.url).send(outgoing())
    assert (error.value.permanent, error.value.ambiguous, error.value.status_code) == (
        False,
        False,
        500,
    )


def test_a_connection_dropped_after_the_message_was_taken_is_ambiguous(sendgrid_server):
    """SendGrid has the message but we never heard so: a retry would send it twice."""
    sendgrid_server.set_faults(1.0, ["drop_after"])
    with pytest.raises(TransportError) as error:
        transport_for(sendgrid_server.url).send(outgoing())
    assert (error.value.ambiguous, error.value.permanent) == (True, False)
    assert sendgrid_server.deliveries_by_key() != {}


def test_a_hang_up_without_an_answer_is_ambiguous_even_when_nothing_was_taken(sendgrid_server):
    """From our side "dropped before" and "dropped after" look the same (the request went
    out, no answer came back), so neither may be retried automatically."""
    sendgrid_server.set_faults(1.0, ["drop_before"])
    with pytest.raises(TransportError) as error:
        transport_for(sendgrid_server.url).send(outgoing())
    assert (error.value.ambiguous, error.value.permanent) == (True, False)
    assert sendgrid_server.received == []


def test_a_server_that_cannot_be_reached_is_transient():
    """Connection refused: the request never left, so retrying is safe."""
    with pytest.raises(TransportError) as error:
        transport_for(f"http://127.0.0.1:{free_port()}").send(outgoing())
    assert (error.value.permanent, error.value.ambiguous) == (False, False)
    assert "could not reach SendGrid" in str(error.value)


def test_a_wrong_api_key_is_not_blamed_on_the_message(sendgrid_server):
    """401 is a settings problem: the message goes out once the key is fixed."""
    client = SendGridAPIClient("", host=sendgrid_server.url)
    client.client.request_headers["Authorization"] = ""
    with pytest.raises(TransportError) as error:
        SendGridTransport(client).send(outgoing())
    assert (error.value.permanent, error.value.status_code) == (False, 401)


def test_sendgrids_errors_are_read_as_one_line():
    """What a person reads in the message's history."""
    body = b'{"errors":[{"field":"from.email","message":"does not match"},{"field":null,"message":"bad"}]}'
    assert error_text(body) == "from.email: does not match; bad"


class _ClosesAfterEachAnswer(socketserver.BaseRequestHandler):
    """Answers 202 as if keeping the connection alive, then closes it, as a server whose
    idle timeout ran out does."""

    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += self.request.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(
            next(
                line.split(b":")[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
        )
        while len(body) < length:
            body += self.request.recv(65536)
        self.server.requests += 1  # type: ignore[attr-defined]
        self.request.sendall(
            b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nX-Message-Id: m1\r\n\r\n"
        )


@pytest.fixture
def closing_server():  # type: ignore[no-untyped-def]
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _ClosesAfterEachAnswer)
    server.requests = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_kept_connection_the_server_closed_is_replaced_not_reported_as_maybe_sent(closing_server):
    """The second send must not go out on the dead connection and come back 'unknown'."""
    transport = transport_for(f"http://127.0.0.1:{closing_server.server_address[1]}")
    assert transport.send(outgoing()).provider_message_id == "m1"
    time.sleep(0.2)
    assert transport.send(outgoing()).provider_message_id == "m1"
    assert closing_server.requests == 2


def test_a_failed_tls_handshake_is_transient():
    """Nothing of the request was written before the handshake, so retrying is safe."""
    listener = socket.create_server(("127.0.0.1", 0))
    hang_up = threading.Thread(target=lambda: listener.accept()[0].close(), daemon=True)
    hang_up.start()
    try:
        with pytest.raises(TransportError) as error:
            transport_for(f"https://127.0.0.1:{listener.getsockname()[1]}").send(outgoing())
    finally:
        listener.close()
    assert (error.value.permanent, error.value.ambiguous) == (False, False)
    assert "could not reach SendGrid" in str(error.value)
