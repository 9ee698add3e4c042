"""Saving segments and asking who is in them.

Editors create and change segments (audited); anyone may count, preview and export.
Membership is always one SELECT of partner ids (a dynamic segment's conditions, or a
static segment's hand-picked rows) so callers such as cadences can use it as a
subquery; archived partners are never members."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TextIO

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import ColumnElement, Select, delete, func, insert, select
from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.errors import Conflict, InvalidInput, NotFound
from crm.fields import text
from crm.models import Cadence, Partner, Segment, SegmentMember, User
from crm.partners import latest_touch_times, referral_counts
from crm.segments.compile import compile_definition
from crm.segments.definition import SegmentDefinition, parse_definition
from crm.transfer.cells import export_text

PREVIEW_LIMIT = 50
STATIC, DYNAMIC = "static", "dynamic"


class SegmentNotFound(NotFound):
    pass


class SegmentInput(BaseModel):
    """What a person may set on a segment. A static segment's definition is ignored."""

    model_config = ConfigDict(str_strip_whitespace=True, arbitrary_types_allowed=True)

    name: text(120, required=True)
    description: text(500) = ""
    kind: Literal["dynamic", "static"] = DYNAMIC
    definition: SegmentDefinition = SegmentDefinition()

    @field_validator("definition", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> SegmentDefinition:
        return parse_definition(value if value is not None else {})


def get_segment(session: Session, segment_id: int) -> Segment:
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise SegmentNotFound(f"no segment with id {segment_id}")
    return segment


def list_segments(session: Session, include_archived: bool = False) -> list[Segment]:
    query = select(Segment).order_by(func.lower(Segment.name))
    if not include_archived:
        query = query.where(Segment.archived_at.is_(None))
    return list(session.scalars(query))


def definition_of(segment: Segment) -> SegmentDefinition:
    return parse_definition(segment.definition or "{}")


def create_segment(session: Session, actor: Actor, data: SegmentInput, now: datetime) -> Segment:
    require_editor(actor)
    _check_name_free(session, data.name, None)
    values = _stored(data)
    segment = Segment(**values, created_by=actor.id, created_at=now, updated_at=now)
    session.add(segment)
    session.flush()
    audit.record(session, actor, "create", "segment", segment.id, values, now)
    return segment


def update_segment(
    session: Session, actor: Actor, segment_id: int, data: SegmentInput, now: datetime
) -> Segment:
    """Name, description and conditions; the kind is fixed once created, because a
    static segment's members would otherwise silently stop counting."""
    require_editor(actor)
    segment = get_segment(session, segment_id)
    if data.kind != segment.kind:
        raise InvalidInput(
            f"a {segment.kind} segment cannot become {data.kind}; create a new segment instead"
        )
    _check_name_free(session, data.name, segment_id)
    audit.apply_changes(session, actor, "segment", segment, _stored(data), now)
    return segment


def archive_segment(session: Session, actor: Actor, segment_id: int, now: datetime) -> Segment:
    require_editor(actor)
    segment = get_segment(session, segment_id)
    audit.set_archived(session, actor, "segment", segment, True, now)
    return segment


def _stored(data: SegmentInput) -> dict[str, Any]:
    definition = data.definition.to_json() if data.kind == DYNAMIC else ""
    return {
        "name": data.name,
        "description": data.description,
        "kind": data.kind,
        "definition": definition,
    }


def _check_name_free(session: Session, name: str, own_id: int | None) -> None:
    """Said plainly here rather than left to the unique index's IntegrityError."""
    taken = session.scalar(select(Segment.id).where(func.lower(Segment.name) == name.lower()))
    if taken is not None and taken != own_id:
        raise Conflict(f"a segment named {name!r} already exists")


# Membership ----------------------------------------------------------------------


def matching_ids_select(definition: SegmentDefinition, now: datetime) -> Select:
    """Partner ids matching an (unsaved) definition: what the editor counts live."""
    return _ids_where(compile_definition(definition, now))


def member_ids_select(session: Session, segment_id: int, now: datetime) -> Select:
    """Partner ids in the segment, as one SELECT to count, page or use as a subquery."""
    return _ids_where(_membership(get_segment(session, segment_id), now))


def _membership(segment: Segment, now: datetime) -> ColumnElement[bool]:
    if segment.kind == STATIC:
        picked = select(SegmentMember.partner_id).where(SegmentMember.segment_id == segment.id)
        return Partner.id.in_(picked)
    return compile_definition(definition_of(segment), now)


def _ids_where(condition: ColumnElement[bool]) -> Select:
    return select(Partner.id).where(Partner.archived_at.is_(None), condition)


def count_members(session: Session, segment_id: int, now: datetime) -> int:
    return _count(session, member_ids_select(session, segment_id, now))


def count_matching(session: Session, definition: SegmentDefinition, now: datetime) -> int:
    return _count(session, matching_ids_select(definition, now))


def _count(session: Session, ids: Select) -> int:
    return session.scalar(select(func.count()).select_from(ids.subquery())) or 0


@dataclass
class MemberRow:
    id: int
    name: str
    partner_type: str
    tier: str
    status: str
    territory: str
    city: str
    owner: str
    referrals_12m: int
    last_touch_at: datetime | None


def preview_members(
    session: Session, segment_id: int, now: datetime, limit: int = PREVIEW_LIMIT
) -> list[MemberRow]:
    return _preview(session, member_ids_select(session, segment_id, now), now, limit)


def preview_matching(
    session: Session, definition: SegmentDefinition, now: datetime, limit: int = PREVIEW_LIMIT
) -> list[MemberRow]:
    return _preview(session, matching_ids_select(definition, now), now, limit)


def _preview(session: Session, ids: Select, now: datetime, limit: int) -> list[MemberRow]:
    """The first partners by name, with the page's referral counts and last touches
    fetched in two set-based queries over just those ids."""
    rows = session.execute(
        select(Partner, User.name, User.email)
        .join(User, Partner.owner_id == User.id, isouter=True)
        .where(Partner.id.in_(ids))
        .order_by(func.lower(Partner.name), Partner.id)
        .limit(limit)
    ).all()
    page = [partner.id for partner, _, _ in rows]
    referrals = referral_counts(session, page, now - timedelta(days=365))
    touches = latest_touch_times(session, page)
    return [
        MemberRow(
            id=p.id,
            name=p.name,
            partner_type=p.partner_type,
            tier=p.tier,
            status=p.status,
            territory=p.territory,
            city=p.city,
            owner=owner_name or owner_email or "",
            referrals_12m=referrals.get(p.id, 0),
            last_touch_at=touches.get(p.id),
        )
        for p, owner_name, owner_email in rows
    ]


EXPORT_COLUMNS = [
    "id",
    "name",
    "partner_type",
    "specialty",
    "address",
    "city",
    "state",
    "zip",
    "phone",
    "website",
    "territory",
    "tier",
    "status",
    "owner_email",
    "sports",
    "tags",
]


def export_csv(session: Session, segment_id: int, out: TextIO, now: datetime) -> int:
    """The members as CSV (header, then one row each, by name); returns the rows written.
    Text a spreadsheet would run as a formula gets a leading quote."""
    ids = member_ids_select(session, segment_id, now)
    columns = [getattr(Partner, name) for name in EXPORT_COLUMNS if name != "owner_email"]
    query = (
        select(*columns, User.email.label("owner_email"))
        .join(User, Partner.owner_id == User.id, isouter=True)
        .where(Partner.id.in_(ids))
        .order_by(func.lower(Partner.name), Partner.id)
    )
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in session.execute(query.execution_options(yield_per=1000)):
        writer.writerow([export_text(row._mapping[name]) for name in EXPORT_COLUMNS])
        count += 1
    return count


# Static segments -------------------------------------------------------------------


def add_members(
    session: Session, actor: Actor, segment_id: int, partner_ids: list[int], now: datetime
) -> int:
    """Add hand-picked partners (ones already in, archived or unknown are skipped);
    returns how many were added."""
    require_editor(actor)
    segment = _static(session, segment_id)
    wanted = set(partner_ids)
    present = set(
        session.scalars(
            select(SegmentMember.partner_id).where(
                SegmentMember.segment_id == segment.id, SegmentMember.partner_id.in_(wanted)
            )
        )
    )
    valid = session.scalars(
        select(Partner.id)
        .where(Partner.id.in_(wanted - present), Partner.archived_at.is_(None))
        .order_by(Partner.id)
    )
    new = list(valid)
    if new:
        session.execute(
            insert(SegmentMember),
            [{"segment_id": segment.id, "partner_id": p, "added_at": now} for p in new],
        )
        segment.updated_at = now
        audit.record(
            session, actor, "members_added", "segment", segment.id, {"partner_ids": new}, now
        )
    return len(new)


def remove_members(
    session: Session, actor: Actor, segment_id: int, partner_ids: list[int], now: datetime
) -> int:
    require_editor(actor)
    segment = _static(session, segment_id)
    removed = list(
        session.scalars(
            select(SegmentMember.partner_id)
            .where(
                SegmentMember.segment_id == segment.id,
                SegmentMember.partner_id.in_(set(partner_ids)),
            )
            .order_by(SegmentMember.partner_id)
        )
    )
    if removed:
        session.execute(
            delete(SegmentMember).where(
                SegmentMember.segment_id == segment.id, SegmentMember.partner_id.in_(removed)
            )
        )
        segment.updated_at = now
        audit.record(
            session, actor, "members_removed", "segment", segment.id, {"partner_ids": removed}, now
        )
    return len(removed)


def _static(session: Session, segment_id: int) -> Segment:
    segment = get_segment(session, segment_id)
    if segment.kind != STATIC:
        raise InvalidInput(
            f"{segment.name!r} is a dynamic segment: its members follow its conditions"
        )
    return segment


def cadence_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every cadence, for the "enrolled in" condition."""
    return [
        (id_, name)
        for id_, name in session.execute(select(Cadence.id, Cadence.name).order_by(Cadence.name))
    ]
