"""The suppression lists SendGrid keeps (bounces, blocks, spam reports, invalid
emails, global and group unsubscribes), in the record shapes its spec describes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .replies import Reply, error_reply, json_reply
from .spec import Operation
from .store import Store

KIND_PATHS = {
    "bounces": "/v3/suppression/bounces",
    "blocks": "/v3/suppression/blocks",
    "spam_reports": "/v3/suppression/spam_reports",
    "invalid_emails": "/v3/suppression/invalid_emails",
    "unsubscribes": "/v3/suppression/unsubscribes",
    "asm": "/v3/asm/suppressions",
}
PATH_KINDS = {path: kind for kind, path in KIND_PATHS.items()}

# Details each kind carries beyond email and time, with stand-ins the caller may
# override; blocks and spam reports require them in the spec's response schema.
DETAILS: dict[str, dict[str, Any]] = {
    "bounces": {
        "reason": "550 5.1.1 The email account that you tried to reach does not exist.",
        "status": "5.1.1",
    },
    "blocks": {"reason": "550 5.7.1 Message rejected by the receiving server.", "status": "5.7.1"},
    "spam_reports": {"ip": "127.0.0.1"},
    "invalid_emails": {"reason": "Mail domain mentioned in email address is unknown"},
    "unsubscribes": {},
    "asm": {"group_id": 1, "group_name": "Newsletter"},
}


def make_record(kind: str, email: str, created: int, **details: Any) -> dict[str, Any]:
    """A record as SendGrid lists it; group unsubscribes name their time `created_at`."""
    if kind not in DETAILS:
        raise ValueError(f"unknown suppression kind {kind!r}; use one of {', '.join(DETAILS)}")
    unknown = set(details) - set(DETAILS[kind])
    if unknown:
        raise ValueError(f"{kind} records have no {', '.join(sorted(unknown))}")
    time_field = "created_at" if kind == "asm" else "created"
    return {time_field: int(created), "email": email, **DETAILS[kind], **details}


def list_suppressions(
    operation: Operation,
    request_query: Mapping[str, str],
    request_headers: Mapping[str, str],
    store: Store,
) -> Reply:
    """Answer a list request with the filters and paging the operation declares
    (group unsubscribes declare none, so they are listed whole)."""
    params, errors = operation.read_parameters(request_query, request_headers)
    if errors:
        return error_reply(400, errors)
    records = store.suppressions(PATH_KINDS[operation.path])
    filters = {
        name: params.get(name) for name in ("start_time", "end_time", "email", "offset", "limit")
    }
    return json_reply(200, select(records, **filters))


def select(
    records: Iterable[dict[str, Any]],
    *,
    start_time: int | None = None,
    end_time: int | None = None,
    email: str | None = None,
    offset: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Inclusive time range, email prefix match, oldest first, then the page."""
    matches = email_matcher(email) if email else None
    chosen = [
        r
        for r in records
        if (start_time is None or _created(r) >= start_time)
        and (end_time is None or _created(r) <= end_time)
        and (matches is None or matches.match(r["email"]))
    ]
    chosen.sort(key=_created)
    first = offset or 0
    return chosen[first : first + limit] if limit is not None else chosen[first:]


def email_matcher(pattern: str) -> re.Pattern[str]:
    """The spec's partial match: `sales` matches addresses starting with it and `%`
    is a wildcard (`%market` finds 'market' anywhere)."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("%")), re.IGNORECASE)


def _created(record: dict[str, Any]) -> int:
    return record.get("created", record.get("created_at", 0))
