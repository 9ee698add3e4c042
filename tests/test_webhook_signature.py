"""Checking SendGrid's Event Webhook signature and the post's age."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from campaigns.mail.webhook.signature import digest, is_fresh, verify

# SendGrid's documented test vector, copied from sendgrid-python's own test,
# test/unit/test_eventwebhook.py (github.com/sendgrid/sendgrid-python).
PUBLIC_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+"
    "2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
)
SIGNATURE = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM="
TIMESTAMP = "1600112502"
PAYLOAD = (
    json.dumps(
        [
            {
                "email": "hello@world.com",
                "event": "dropped",
                "reason": "Bounced Address",
                "sg_event_id": "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
                "sg_message_id": "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
                "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>",
                "timestamp": 1600112492,
            }
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    + "\r\n"
)  # the trailing carriage return and newline are part of what was signed
# The other key in the same test file.
OTHER_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj"
    "+y7GjUuFDb/R1NGe1OPzpA=="
)


def test_sendgrids_documented_test_vector_verifies():
    assert verify(PAYLOAD, SIGNATURE, TIMESTAMP, PUBLIC_KEY)


def test_a_one_character_change_to_the_body_is_refused():
    assert not verify(
        PAYLOAD.replace("hello@world.com", "hello@world.con"), SIGNATURE, TIMESTAMP, PUBLIC_KEY
    )


def test_a_changed_timestamp_is_refused():
    assert not verify(PAYLOAD, SIGNATURE, "1600112503", PUBLIC_KEY)


def test_the_signature_is_refused_under_another_key():
    assert not verify(PAYLOAD, SIGNATURE, TIMESTAMP, OTHER_KEY)


def test_a_signature_that_is_not_base64_is_refused_without_an_error():
    assert not verify(PAYLOAD, "not base64 at all!!", TIMESTAMP, PUBLIC_KEY)


def test_a_signature_that_is_not_der_is_refused_without_an_error():
    assert not verify(PAYLOAD, "aGVsbG8gd29ybGQ=", TIMESTAMP, PUBLIC_KEY)


def test_an_empty_signature_is_refused():
    assert not verify(PAYLOAD, "", TIMESTAMP, PUBLIC_KEY)


def test_a_key_that_is_not_a_key_is_refused_without_an_error():
    assert not verify(PAYLOAD, SIGNATURE, TIMESTAMP, "bm90IGEga2V5")


SIGNED = datetime.fromtimestamp(1600112502, UTC)


def test_a_post_signed_within_the_tolerance_is_fresh():
    assert is_fresh(TIMESTAMP, SIGNED + timedelta(seconds=600), 600)


def test_a_post_signed_longer_ago_than_the_tolerance_is_stale():
    assert not is_fresh(TIMESTAMP, SIGNED + timedelta(seconds=601), 600)


def test_a_post_signed_further_in_the_future_than_the_tolerance_is_refused():
    assert not is_fresh(TIMESTAMP, SIGNED - timedelta(seconds=601), 600)


def test_a_timestamp_that_is_not_a_number_is_not_fresh():
    assert not is_fresh("yesterday", SIGNED, 600)


def test_the_receipt_digest_covers_the_timestamp_and_the_body():
    assert digest(PAYLOAD, TIMESTAMP) != digest(PAYLOAD, "1600112503")
    assert digest(PAYLOAD, TIMESTAMP) != digest(PAYLOAD + " ", TIMESTAMP)
