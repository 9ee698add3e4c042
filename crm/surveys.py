"""The partners' "Four C's" feedback: communication, credibility, capacity and
consistency, and how likely they are to recommend us, each scored 1 to 5, with one
optional comment. Referral-marketing practice asks referring offices this once a quarter.

A survey request is one contact's survey for one quarter (unique per contact and
quarter). Its answers are unique per request and question, so answering again replaces
the score (the last click wins) and the audit trail keeps what it replaced. A score of
`LOW_SCORE` or less sets off one call task for the partner's liaison per request.

The results are read set-based: one grouped query for the averages, one for the counts,
whatever the number of partners or answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select, update
from sqlmodel import Session

from crm import audit, practice_calendar
from crm.access import Actor
from crm.business_days import add_business_days, local_date
from crm.db import insert_for
from crm.errors import InvalidInput
from crm.models import Contact, Partner, SurveyAnswer, SurveyRequest
from crm.tasks import create_task_once
from crm.vocab import Role, StepAction

# Question key -> the question as the partner reads it. The order is the survey's order.
QUESTIONS: dict[str, str] = {
    "communication": "Communication: we keep you informed about the patients you send us",
    "credibility": "Credibility: you trust our clinicians' care and advice",
    "capacity": "Capacity: your patients get an appointment quickly",
    "consistency": "Consistency: the experience is as good every time",
    "recommend": "How likely are you to recommend us to a colleague?",
}
SHORT: dict[str, str] = {
    "communication": "Communication",
    "credibility": "Credibility",
    "capacity": "Capacity",
    "consistency": "Consistency",
    "recommend": "Would recommend",
}
SCORES = (1, 2, 3, 4, 5)
LOW_SCORE = 2
COMMENT_MAX = 1000
# The public survey link acts as nobody we know: the audit names it, not a user.
SURVEY_LINK = Actor(id=None, role=Role.VIEWER, name="partner survey link")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def quarter_of(moment: datetime, zone: ZoneInfo) -> str:
    """The quarter `moment` falls in, in the practice's zone: "2026-Q4"."""
    day = moment.astimezone(zone).date()
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def recent_quarters(moment: datetime, zone: ZoneInfo, count: int = 4) -> list[str]:
    """The quarter of `moment` and the `count - 1` before it, oldest first."""
    year, q = _parts(quarter_of(moment, zone))
    index = year * 4 + q - 1
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index - count + 1, index + 1)]


def _parts(quarter: str) -> tuple[int, int]:
    match = _QUARTER.match(quarter)
    if match is None:
        raise InvalidInput(f"a quarter is written like 2026-Q4, not {quarter!r}")
    return int(match[1]), int(match[2])


@dataclass(frozen=True)
class SurveyView:
    """What the survey page shows its holder: no more than the link already tells them."""

    request_id: int
    quarter: str
    partner_name: str
    contact_first_name: str
    scores: dict[str, int]
    comment: str


@dataclass(frozen=True)
class Recorded:
    view: SurveyView
    changed: list[str]
    task_id: int | None


def survey_view(session: Session, request_id: int) -> SurveyView | None:
    """None when the request is gone: the public page then says the link is not valid."""
    row = session.execute(
        select(SurveyRequest, Partner.name, Contact.first_name)
        .join(Partner, Partner.id == SurveyRequest.partner_id)
        .join(Contact, Contact.id == SurveyRequest.contact_id)
        .where(SurveyRequest.id == request_id)
    ).first()
    if row is None:
        return None
    request, partner_name, first_name = row
    return SurveyView(
        request.id,
        request.quarter,
        partner_name,
        first_name,
        _scores(session, request.id),
        request.comment,
    )


def _scores(session: Session, request_id: int) -> dict[str, int]:
    rows = session.execute(
        select(SurveyAnswer.question, SurveyAnswer.score).where(
            SurveyAnswer.request_id == request_id
        )
    ).all()
    return dict(rows)


def clean_comment(raw: str) -> str:
    """Plain text of at most COMMENT_MAX characters: control characters go, the rest is
    kept as typed (it is escaped wherever it is shown)."""
    text = _CONTROL.sub("", raw.replace("\r\n", "\n")).strip()
    if len(text) > COMMENT_MAX:
        raise InvalidInput(f"the comment is {len(text):,} characters; at most {COMMENT_MAX:,}")
    return text


def check_scores(scores: dict[str, int]) -> None:
    for question, score in scores.items():
        if question not in QUESTIONS:
            raise InvalidInput(f"there is no survey question {question!r}")
        if type(score) is not int or score not in SCORES:
            raise InvalidInput(f"a score is a whole number from 1 to 5, not {score!r}")


def record_answers(
    session: Session,
    request_id: int,
    scores: dict[str, int],
    comment: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> Recorded | None:
    """Saves the scores given (the other questions keep theirs) and, when not None, the
    comment. None when there is no such request. Bad input raises InvalidInput before
    anything is written."""
    check_scores(scores)
    cleaned = None if comment is None else clean_comment(comment)
    request = session.get(SurveyRequest, request_id, with_for_update=True)
    if request is None:
        return None
    before = _scores(session, request_id)
    changed = [q for q in QUESTIONS if q in scores and before.get(q) != scores[q]]
    if changed:
        statement = insert_for(session, SurveyAnswer).values(
            [
                {"request_id": request_id, "question": q, "score": scores[q], "answered_at": now}
                for q in changed
            ]
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["request_id", "question"],
                set_={"score": statement.excluded.score, "answered_at": now},
            )
        )
        audit.record(
            session,
            SURVEY_LINK,
            "answer",
            "survey_request",
            request_id,
            {q: [before.get(q), scores[q]] for q in changed},
            now,
        )
    values: dict = {}
    if cleaned is not None and cleaned != request.comment:
        values.update(comment=cleaned, commented_at=now)
        audit.record(
            session,
            SURVEY_LINK,
            "comment",
            "survey_request",
            request_id,
            {"comment": [request.comment, cleaned]},
            now,
        )
    if request.answered_at is None and (changed or values):
        values["answered_at"] = now
    if values:
        session.execute(
            update(SurveyRequest).where(SurveyRequest.id == request_id).values(**values)
        )
    low = [q for q in changed if scores[q] <= LOW_SCORE]
    task_id = _call_task(session, request, low, {**before, **scores}, now, zone) if low else None
    session.expire(request)
    return Recorded(survey_view(session, request_id), changed, task_id)  # type: ignore[arg-type]


def _call_task(
    session: Session,
    request: SurveyRequest,
    low: list[str],
    scores: dict[str, int],
    now: datetime,
    zone: ZoneInfo,
) -> int | None:
    """One call per request, however often its holder answers low: the key names it."""
    today = local_date(now, zone)
    partner = session.get(Partner, request.partner_id)
    contact = session.get(Contact, request.contact_id)
    who = f"{contact.first_name} {contact.last_name}".strip()
    lows = ", ".join(f"{SHORT[q]} {scores[q]}/5" for q in low)
    return create_task_once(
        session,
        idempotency_key=f"survey:{request.id}:low-score",
        kind=StepAction.CALL.value,
        partner_id=partner.id,
        contact_id=contact.id,
        assigned_to=partner.owner_id,
        due_on=add_business_days(today, 1, practice_calendar.load(session, today)),
        now=now,
        title=f"Call {partner.name}: low survey score ({lows})",
        instructions=(
            f"{who} answered the {request.quarter} partner survey with {lows}. "
            "Call to hear what went wrong and what would help; their scores and any comment "
            "are under Feedback on the partner's page."
        ),
    )


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackRow:
    """One group's (a partner type's or a partner's) results for one quarter."""

    quarter: str
    group: str  # the partner type's value, or the partner's name
    partner_id: int | None
    sent: int
    responses: int
    averages: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedbackComment:
    quarter: str
    partner_id: int
    partner_name: str
    partner_type: str
    contact_name: str
    comment: str
    at: datetime


def results_by_partner_type(session: Session, quarters: list[str]) -> list[FeedbackRow]:
    """Per partner type and quarter: requests sent, answered, and each question's average."""
    return _results(session, quarters, by_partner=False, partner_id=None)


def results_by_partner(
    session: Session, quarters: list[str], partner_id: int | None = None
) -> list[FeedbackRow]:
    """Per partner (or only `partner_id`) and quarter, partners with requests only."""
    return _results(session, quarters, by_partner=True, partner_id=partner_id)


def _results(
    session: Session, quarters: list[str], *, by_partner: bool, partner_id: int | None
) -> list[FeedbackRow]:
    if not quarters:
        return []
    group_cols = [Partner.id, Partner.name] if by_partner else [Partner.partner_type]
    where = [SurveyRequest.quarter.in_(quarters)]
    if partner_id is not None:
        where.append(SurveyRequest.partner_id == partner_id)
    counts = session.execute(
        select(
            *group_cols,
            SurveyRequest.quarter,
            func.count(SurveyRequest.id),
            func.count(SurveyRequest.answered_at),
        )
        .join(Partner, Partner.id == SurveyRequest.partner_id)
        .where(*where)
        .group_by(*group_cols, SurveyRequest.quarter)
    ).all()
    averages = session.execute(
        select(
            *group_cols,
            SurveyRequest.quarter,
            SurveyAnswer.question,
            func.avg(SurveyAnswer.score),
        )
        .join(SurveyRequest, SurveyRequest.id == SurveyAnswer.request_id)
        .join(Partner, Partner.id == SurveyRequest.partner_id)
        .where(*where)
        .group_by(*group_cols, SurveyRequest.quarter, SurveyAnswer.question)
    ).all()
    width = len(group_cols)
    found: dict[tuple, dict[str, float]] = {}
    for row in averages:
        key = tuple(row[: width + 1])
        found.setdefault(key, {})[row[width + 1]] = round(float(row[width + 2]), 2)
    rows = []
    for row in counts:
        key = tuple(row[: width + 1])
        got = found.get(key, {})
        rows.append(
            FeedbackRow(
                quarter=row[width],
                group=row[1] if by_partner else row[0],
                partner_id=row[0] if by_partner else None,
                sent=row[width + 1],
                responses=row[width + 2],
                averages={q: got.get(q) for q in QUESTIONS},
            )
        )
    return sorted(rows, key=lambda r: (r.group.lower(), r.partner_id or 0, r.quarter))


def survey_comments(
    session: Session, quarters: list[str], partner_id: int | None = None, limit: int = 200
) -> list[FeedbackComment]:
    """The comments left, newest first."""
    where = [SurveyRequest.quarter.in_(quarters), SurveyRequest.comment != ""]
    if partner_id is not None:
        where.append(SurveyRequest.partner_id == partner_id)
    rows = session.execute(
        select(
            SurveyRequest.quarter,
            Partner.id,
            Partner.name,
            Partner.partner_type,
            Contact.first_name,
            Contact.last_name,
            SurveyRequest.comment,
            SurveyRequest.commented_at,
        )
        .join(Partner, Partner.id == SurveyRequest.partner_id)
        .join(Contact, Contact.id == SurveyRequest.contact_id)
        .where(and_(*where))
        .order_by(SurveyRequest.commented_at.desc(), SurveyRequest.id.desc())
        .limit(limit)
    ).all()
    return [
        FeedbackComment(q, pid, pname, ptype, f"{first} {last}".strip(), text, at)
        for q, pid, pname, ptype, first, last, text, at in rows
    ]
