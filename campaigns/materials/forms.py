"""The referral forms of one partner or a segment, from the practice's clinics, its
settings and each partner's current link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from campaigns.materials.referral_form import Clinic, FormPage, Letterhead, referral_forms
from crm.intake import clinical_documents
from crm.locations import list_locations
from crm.models import Partner
from crm.partner_links import link_for
from crm.partners import get_partner
from crm.segments.service import member_ids_select
from crm.settings import Settings
from crm.validation import display_phone

MAX_SEGMENT_FORMS = 500  # pages in one PDF; a bigger drop-off is printed by territory


def letterhead(session: Session, settings: Settings) -> Letterhead:
    return Letterhead(
        practice_name=settings.practice_name,
        clinics=[
            Clinic(
                name=c.name,
                address=", ".join(
                    p for p in (c.address, c.city, f"{c.state} {c.zip}".strip()) if p
                ),
                phone=display_phone(c.phone),
                fax=display_phone(c.fax),
            )
            for c in list_locations(session)
        ],
        clinical_documents=clinical_documents(settings),
    )


def partner_form(session: Session, settings: Settings, partner_id: int) -> bytes:
    partner = get_partner(session, partner_id)
    return referral_forms(
        letterhead(session, settings), [FormPage(partner.name, link_for(settings, partner))]
    )


def segment_forms(
    session: Session, settings: Settings, segment_id: int, now: datetime
) -> tuple[bytes, int]:
    """The PDF and how many partners it leaves out (past MAX_SEGMENT_FORMS, by name)."""
    members = member_ids_select(session, segment_id, now).subquery()
    partners = list(
        session.execute(
            select(Partner).where(Partner.id.in_(select(members.c.id))).order_by(Partner.name)
        ).scalars()
    )
    shown = partners[:MAX_SEGMENT_FORMS]
    pages = [FormPage(p.name, link_for(settings, p)) for p in shown]
    return referral_forms(letterhead(session, settings), pages), len(partners) - len(shown)
