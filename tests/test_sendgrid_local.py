"""The local SendGrid accepts what SendGrid's spec accepts, refuses the rest the way
SendGrid does, fails on request when told to, and remembers what it accepted."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from openapi_core import OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest
from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Asm, Category, CustomArg, Header, Mail, Personalization, To

from crm import clock
from sendgrid_local import LocalServer, load_contract, spec_dir
from sendgrid_local.spec import SPEC_DIR_ENV, missing_spec
from sendgrid_local.suppressions import KIND_PATHS
from tests.sendgrid_server import sendgrid_server  # noqa: F401  (fixture)

AUTH = {"Authorization": "Bearer SG.test", "Content-Type": "application/json"}
REPO = Path(__file__).resolve().parents[1]


def outreach_mail(message_key: str = "key-1", message_id: str = "msg-1") -> Mail:
    """A message shaped like Liaison's: ids in the personalization, one-click unsubscribe."""
    mail = Mail(
        from_email="outreach@clinic.example.com",
        subject="Spring referral update",
        html_content="<p>Dear Dr. Rivera, thank you for your referrals.</p>",
    )
    personalization = Personalization()
    personalization.add_to(To("rivera@sportsmed.example.com", "Dr. Rivera"))
    mail.add_personalization(personalization)
    mail.custom_arg = CustomArg("message_id", message_id, p=0)
    mail.custom_arg = CustomArg("message_key", message_key, p=0)
    mail.category = Category("partner-outreach")
    mail.asm = Asm(42)
    mail.header = Header("List-Unsubscribe", "<https://clinic.example.com/u/abc>")
    mail.header = Header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    return mail


def send_with_library(server: LocalServer, message: Mail | dict[str, Any]) -> Any:
    return SendGridAPIClient(api_key="SG.test", host=server.url).send(message)


def refusal(server: LocalServer, message: Mail | dict[str, Any]) -> HTTPError:
    with pytest.raises(HTTPError) as raised:
        send_with_library(server, message)
    return raised.value


def error_fields(error: HTTPError) -> list[str | None]:
    return [item["field"] for item in json.loads(error.body)["errors"]]


def request(
    server: LocalServer,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        connection.request(method, path, body, AUTH if headers is None else headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def valid_body(message_key: str = "key-1") -> bytes:
    return json.dumps(outreach_mail(message_key).get()).encode()


def list_suppressions(server: LocalServer, kind: str, query: str = "") -> list[dict[str, Any]]:
    status, _, body = request(
        server,
        "GET",
        KIND_PATHS[kind] + query,
        headers={"Authorization": "Bearer SG.test", "Accept": "application/json"},
    )
    assert status == 200, body
    return json.loads(body)


# Mail send: the contract


def test_a_mail_built_with_the_sendgrid_library_is_accepted(sendgrid_server: LocalServer) -> None:
    response = send_with_library(sendgrid_server, outreach_mail())
    assert response.status_code == 202
    assert len(response.headers["X-Message-Id"]) == 22


def test_an_accepted_send_is_recorded_under_its_message_key(sendgrid_server: LocalServer) -> None:
    mail = outreach_mail("key-7")
    send_with_library(sendgrid_server, mail)
    assert sendgrid_server.received == [mail.get()]
    assert sendgrid_server.deliveries_by_key() == {"key-7": 1}


def test_a_mail_without_from_is_refused_naming_from(sendgrid_server: LocalServer) -> None:
    body = outreach_mail().get()
    del body["from"]
    error = refusal(sendgrid_server, body)
    assert (error.status_code, error_fields(error)) == (400, ["from"])


def test_a_personalization_without_to_is_refused_naming_it(sendgrid_server: LocalServer) -> None:
    body = outreach_mail().get()
    del body["personalizations"][0]["to"]
    assert error_fields(refusal(sendgrid_server, body)) == ["personalizations.0.to"]


def test_top_level_custom_args_as_an_object_is_refused_as_the_spec_types_it(
    sendgrid_server: LocalServer,
) -> None:
    mail = outreach_mail()
    mail.custom_arg = CustomArg("campaign", "spring")  # no p=: the library puts it at the top level
    assert error_fields(refusal(sendgrid_server, mail)) == ["custom_args"]


def test_a_malformed_address_is_refused(sendgrid_server: LocalServer) -> None:
    body = outreach_mail().get()
    body["personalizations"][0]["to"][0]["email"] = "rivera.sportsmed.example.com"
    assert error_fields(refusal(sendgrid_server, body)) == ["personalizations.0.to.0.email"]


def test_every_error_is_listed_in_sendgrids_shape(sendgrid_server: LocalServer) -> None:
    body = outreach_mail().get()
    del body["from"]
    body["subject"] = ""
    errors = json.loads(refusal(sendgrid_server, body).body)["errors"]
    assert [(e["field"], e["help"], isinstance(e["message"], str)) for e in errors] == [
        ("subject", None, True),
        ("from", None, True),
    ]


def test_a_refused_send_is_not_recorded(sendgrid_server: LocalServer) -> None:
    body = outreach_mail().get()
    del body["from"]
    refusal(sendgrid_server, body)
    assert sendgrid_server.received == []


def test_a_body_that_is_not_json_is_a_bad_request(sendgrid_server: LocalServer) -> None:
    status, _, body = request(sendgrid_server, "POST", "/v3/mail/send", b"{not json")
    assert (status, json.loads(body)["errors"][0]["message"]) == (400, "Bad Request")


def test_a_gzip_body_is_accepted_when_the_header_says_so(sendgrid_server: LocalServer) -> None:
    status, _, _ = request(
        sendgrid_server,
        "POST",
        "/v3/mail/send",
        gzip.compress(valid_body()),
        {**AUTH, "Content-Encoding": "gzip"},
    )
    assert status == 202


def test_a_send_without_a_bearer_key_gets_401(sendgrid_server: LocalServer) -> None:
    status, _, body = request(
        sendgrid_server, "POST", "/v3/mail/send", valid_body(), {"Content-Type": "application/json"}
    )
    assert (status, json.loads(body)["errors"][0]["message"]) == (401, "authorization required")


def test_an_unknown_path_is_not_found(sendgrid_server: LocalServer) -> None:
    assert request(sendgrid_server, "GET", "/v3/templates")[0] == 404


def test_a_wrong_method_is_not_allowed(sendgrid_server: LocalServer) -> None:
    assert request(sendgrid_server, "GET", "/v3/mail/send")[0] == 405


def test_one_keep_alive_connection_carries_many_sends(sendgrid_server: LocalServer) -> None:
    address = urlsplit(sendgrid_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    sockets = set()
    for n in range(3):
        connection.request("POST", "/v3/mail/send", valid_body(f"key-{n}"), AUTH)
        connection.getresponse().read()
        sockets.add(id(connection.sock))
    connection.close()
    assert (len(sockets), len(sendgrid_server.received)) == (1, 3)


def spec_examples() -> dict[str, dict[str, Any]]:
    mail_spec = json.loads((spec_dir() / "tsg_mail_v3.json").read_text())
    examples = mail_spec["components"]["requestBodies"]["PostMailSend"]["content"][
        "application/json"
    ]["examples"]
    return {name: example["value"] for name, example in examples.items()}


@pytest.mark.parametrize("name", sorted(spec_examples()))
def test_the_specs_own_examples_are_accepted(sendgrid_server: LocalServer, name: str) -> None:
    assert send_with_library(sendgrid_server, spec_examples()[name]).status_code == 202


def without_from(body: dict[str, Any]) -> None:
    del body["from"]


def without_to(body: dict[str, Any]) -> None:
    del body["personalizations"][0]["to"]


def with_object_custom_args(body: dict[str, Any]) -> None:
    body["custom_args"] = {"campaign": "spring"}


def with_bad_address(body: dict[str, Any]) -> None:
    body["from"]["email"] = "outreach.clinic.example.com"


def unchanged(body: dict[str, Any]) -> None:
    pass


def openapi_core_accepts(request: MockRequest) -> bool:
    try:
        OpenAPI.from_file_path(str(spec_dir() / "tsg_mail_v3.json")).validate_request(request)
    except OpenAPIError:
        return False
    return True


@pytest.mark.parametrize(
    "change", [unchanged, without_from, without_to, with_object_custom_args, with_bad_address]
)
def test_the_compiled_validator_agrees_with_openapi_core(change: Any) -> None:
    """The fast path must not loosen the contract: same verdict as a full OpenAPI
    request validation of the same spec."""
    body = outreach_mail().get()
    change(body)
    ours = load_contract().operation("post", "/v3/mail/send").body_errors(body) == []
    request = MockRequest(
        "https://api.sendgrid.com",
        "post",
        "/v3/mail/send",
        data=json.dumps(body),
        headers={"Authorization": "Bearer SG.test"},
        content_type="application/json",
    )
    theirs = openapi_core_accepts(request)
    assert ours == theirs == (change is unchanged)


# Faults


def test_a_rate_limit_fault_answers_429_with_the_reset_time(sendgrid_server: LocalServer) -> None:
    sendgrid_server.set_faults(1.0, ["429"], retry_after_s=30)
    before = int(clock.now().timestamp())  # the fixture's SendGrid keeps the test's clock
    error = refusal(sendgrid_server, outreach_mail())
    assert error.status_code == 429
    assert (
        before + 30 <= int(error.headers["X-RateLimit-Reset"]) <= int(clock.now().timestamp()) + 30
    )
    assert json.loads(error.body)["errors"][0]["message"] == "too many requests"


def test_a_rate_limited_send_is_not_recorded(sendgrid_server: LocalServer) -> None:
    sendgrid_server.set_faults(1.0, ["429"])
    refusal(sendgrid_server, outreach_mail())
    assert sendgrid_server.deliveries_by_key() == {}


def test_a_server_error_fault_answers_500_and_records_nothing(sendgrid_server: LocalServer) -> None:
    sendgrid_server.set_faults(1.0, ["500"])
    assert refusal(sendgrid_server, outreach_mail()).status_code == 500
    assert sendgrid_server.received == []


def test_a_slow_fault_delays_the_answer_and_still_accepts(sendgrid_server: LocalServer) -> None:
    sendgrid_server.set_faults(1.0, ["slow"], slow_ms=300)
    started = time.perf_counter()
    response = send_with_library(sendgrid_server, outreach_mail())
    assert (response.status_code, time.perf_counter() - started >= 0.3) == (202, True)


def test_drop_before_hangs_up_without_recording(sendgrid_server: LocalServer) -> None:
    sendgrid_server.set_faults(1.0, ["drop_before"])
    with pytest.raises(http.client.RemoteDisconnected):
        send_with_library(sendgrid_server, outreach_mail("key-1"))
    assert sendgrid_server.deliveries_by_key() == {}


def test_drop_after_records_the_message_but_the_client_sees_a_hang_up(
    sendgrid_server: LocalServer,
) -> None:
    sendgrid_server.set_faults(1.0, ["drop_after"])
    with pytest.raises(http.client.RemoteDisconnected):
        send_with_library(sendgrid_server, outreach_mail("key-1"))
    assert sendgrid_server.deliveries_by_key() == {"key-1": 1}


def statuses_under_faults(server: LocalServer, sends: int) -> list[int]:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    statuses = []
    for n in range(sends):
        connection.request("POST", "/v3/mail/send", valid_body(f"key-{n}"), AUTH)
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    connection.close()
    return statuses


def test_a_fault_rate_of_three_tenths_fails_about_three_sends_in_ten(
    sendgrid_server: LocalServer,
) -> None:
    sendgrid_server.set_faults(0.3, ["500"], seed=7)
    statuses = statuses_under_faults(sendgrid_server, 400)
    assert 0.25 <= statuses.count(500) / len(statuses) <= 0.35


def test_the_same_seed_gives_the_same_faults(sendgrid_server: LocalServer) -> None:
    sendgrid_server.set_faults(0.5, ["429", "500"], seed=11)
    first = statuses_under_faults(sendgrid_server, 40)
    sendgrid_server.set_faults(0.5, ["429", "500"], seed=11)
    assert statuses_under_faults(sendgrid_server, 40) == first


def test_faults_can_be_set_from_another_process(sendgrid_server: LocalServer) -> None:
    plan = json.dumps({"rate": 1.0, "kinds": ["500"]}).encode()
    assert request(sendgrid_server, "POST", "/_local/faults", plan)[0] == 200
    assert request(sendgrid_server, "POST", "/v3/mail/send", valid_body())[0] == 500


def test_an_unknown_fault_kind_is_refused(sendgrid_server: LocalServer) -> None:
    plan = json.dumps({"rate": 1.0, "kinds": ["timeout"]}).encode()
    assert request(sendgrid_server, "POST", "/_local/faults", plan)[0] == 400


# Records


def test_what_was_received_is_readable_from_another_process(sendgrid_server: LocalServer) -> None:
    send_with_library(sendgrid_server, outreach_mail("key-3"))
    _, _, body = request(sendgrid_server, "GET", "/_local/received")
    received = json.loads(body)
    assert (received["deliveries_by_key"], received["received"][0]["message_key"]) == (
        {"key-3": 1},
        "key-3",
    )


def test_reset_forgets_deliveries_and_faults(sendgrid_server: LocalServer) -> None:
    send_with_library(sendgrid_server, outreach_mail())
    sendgrid_server.set_faults(1.0, ["500"])
    assert request(sendgrid_server, "POST", "/_local/reset")[0] == 204
    assert (
        sendgrid_server.received,
        send_with_library(sendgrid_server, outreach_mail()).status_code,
    ) == ([], 202)


# Suppressions


@pytest.mark.parametrize("kind", sorted(KIND_PATHS))
def test_each_suppression_list_matches_the_spec_response_schema(
    sendgrid_server: LocalServer, kind: str
) -> None:
    sendgrid_server.add_suppression(kind, "rivera@sportsmed.example.com", 1_760_000_000)
    records = list_suppressions(sendgrid_server, kind)
    schema = load_contract().response_validator("get", KIND_PATHS[kind], 200)
    assert (len(records), list(schema.iter_errors(records))) == (1, [])


def test_suppressions_are_filtered_by_start_and_end_time_inclusive(
    sendgrid_server: LocalServer,
) -> None:
    for n, created in enumerate((100, 200, 300, 400)):
        sendgrid_server.add_suppression("bounces", f"p{n}@example.com", created)
    records = list_suppressions(sendgrid_server, "bounces", "?start_time=200&end_time=300")
    assert [r["created"] for r in records] == [200, 300]


def test_suppressions_are_paged_by_limit_and_offset(sendgrid_server: LocalServer) -> None:
    for created in (100, 200, 300, 400):
        sendgrid_server.add_suppression("unsubscribes", f"p{created}@example.com", created)
    records = list_suppressions(sendgrid_server, "unsubscribes", "?limit=2&offset=1")
    assert [r["created"] for r in records] == [200, 300]


def test_the_email_parameter_matches_a_prefix_or_a_percent_wildcard(
    sendgrid_server: LocalServer,
) -> None:
    for email in ("sales@example.com", "front-desk@sales.example.com", "billing@example.com"):
        sendgrid_server.add_suppression("blocks", email, 100)
    prefix = [r["email"] for r in list_suppressions(sendgrid_server, "blocks", "?email=sales")]
    anywhere = [r["email"] for r in list_suppressions(sendgrid_server, "blocks", "?email=%25sales")]
    assert (prefix, anywhere) == (
        ["sales@example.com"],
        ["sales@example.com", "front-desk@sales.example.com"],
    )


def test_a_limit_beyond_the_spec_maximum_is_refused_naming_limit(
    sendgrid_server: LocalServer,
) -> None:
    status, _, body = request(sendgrid_server, "GET", "/v3/suppression/blocks?limit=501")
    assert (status, [e["field"] for e in json.loads(body)["errors"]]) == (400, ["limit"])


def test_bounces_without_the_accept_header_the_spec_requires_are_refused(
    sendgrid_server: LocalServer,
) -> None:
    status, _, body = request(
        sendgrid_server,
        "GET",
        "/v3/suppression/bounces",
        headers={"Authorization": "Bearer SG.test"},
    )
    assert (status, json.loads(body)["errors"][0]["field"]) == (400, "Accept")


def test_suppressions_can_be_added_from_another_process(sendgrid_server: LocalServer) -> None:
    record = {
        "kind": "spam_reports",
        "email": "rivera@sportsmed.example.com",
        "created": 150,
        "ip": "10.0.0.8",
    }
    assert (
        request(sendgrid_server, "POST", "/_local/suppressions", json.dumps(record).encode())[0]
        == 201
    )
    assert list_suppressions(sendgrid_server, "spam_reports") == [
        {"created": 150, "email": "rivera@sportsmed.example.com", "ip": "10.0.0.8"}
    ]


# Finding the spec and running from the command line


def test_the_spec_is_found_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SPEC_DIR_ENV, raising=False)
    assert spec_dir() == REPO.parent / "shared" / "sendgrid-openapi"


def test_the_spec_folder_can_be_named_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(SPEC_DIR_ENV, str(tmp_path))
    assert spec_dir() == tmp_path


def test_a_folder_without_the_spec_is_refused_saying_where_to_put_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as refused:
        load_contract(tmp_path)
    message = str(refused.value)
    assert str(tmp_path) in message and "tsg_mail_v3.json" in message and SPEC_DIR_ENV in message
    assert missing_spec(spec_dir()) is None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_command_line_serves_with_the_faults_it_was_given() -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sendgrid_local",
            "--port",
            str(port),
            "--fault-rate",
            "1",
            "--fault-kinds",
            "500",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "local SendGrid on" in process.stdout.readline()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("POST", "/v3/mail/send", valid_body(), AUTH)
        assert connection.getresponse().status == 500
    finally:
        process.terminate()
        process.wait(timeout=5)
