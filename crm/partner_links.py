"""The partner link: one signed URL per partner (`/p/<token>`) that opens the partner's
own pages without a login (send a patient, see where its patients are, and later the
survey and the printed form's QR code).

The token carries the partner's id and its link version, signed through `crm.signing`
under a salt of its own, so no other kind of token opens these pages and changing the
id breaks the signature. Rotating raises the version kept on the partner: every link
made before then still verifies as ours but no longer resolves, so a leaked link can
be shut off without changing the secret key for everyone. Resolving never raises: a
forged, foreign, rotated or archived partner's link is simply None."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.errors import NotFound
from crm.models import Partner
from crm.settings import Settings
from crm.signing import Signer

SALT = "liaison.partner-link.v1"
PATH = "/p/"


@dataclass(frozen=True)
class PartnerLink:
    """What a verified token says; `resolve` decides whether it still opens anything."""

    partner_id: int
    version: int


def make_token(secret_key: str, partner_id: int, version: int) -> str:
    return Signer(secret_key, SALT).sign_versioned(partner_id, version)


def token_for(settings: Settings, partner: Partner) -> str:
    return make_token(settings.secret_key, partner.id, partner.link_version)


def link_for(settings: Settings, partner: Partner) -> str:
    """The partner's link as it is now: what a marketer copies, a template sends and a
    QR code holds."""
    return f"{settings.public_url}{PATH}{token_for(settings, partner)}"


def verify(secret_key: str, token: str) -> PartnerLink | None:
    """The partner and version the token names, or None when we did not sign it as it is."""
    named = Signer(secret_key, SALT).verify_versioned(token)
    return None if named is None else PartnerLink(*named)


def resolve(session: Session, link: PartnerLink) -> Partner | None:
    """The partner whose current link this is; None for a rotated link, or a partner
    that is archived or gone (the page then says the same as for a forged link)."""
    partner = session.get(Partner, link.partner_id)
    if partner is None or partner.archived_at is not None or partner.link_version != link.version:
        return None
    return partner


def resolve_token(session: Session, secret_key: str, token: str) -> Partner | None:
    link = verify(secret_key, token)
    return None if link is None else resolve(session, link)


def rotate(session: Session, actor: Actor, partner_id: int, now: datetime) -> Partner:
    """A new link for the partner; the old one stops opening its pages at once."""
    require_editor(actor)
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"no partner with id {partner_id}")
    before = partner.link_version
    partner.link_version = before + 1
    partner.updated_at = now
    session.add(partner)
    session.flush()
    audit.record(
        session,
        actor,
        "rotate link",
        "partner",
        partner.id,
        {"link_version": [before, partner.link_version]},
        now,
    )
    return partner


FORM_SALT = "liaison.partner-form.v1"


def new_form_key(secret_key: str, partner_id: int) -> str:
    """A one-time key for one copy of the partner's form, signed so that it names the
    partner: the referral the form makes is stored under it, so the same copy sent twice
    (a double click, a resubmitted page) finds that referral instead of making another."""
    return Signer(secret_key, FORM_SALT).sign([partner_id, secrets.token_hex(16)])


def form_key(secret_key: str, partner_id: int, signed: str) -> str | None:
    """The key to store for a form sent back with `signed`, or None when the form was
    not one we gave this partner's page."""
    payload = Signer(secret_key, FORM_SALT).verify(signed)
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or payload[0] != partner_id
        or type(payload[0]) is not int
        or not isinstance(payload[1], str)
        or len(payload[1]) != 32
    ):
        return None
    return f"{partner_id}:{payload[1]}"
