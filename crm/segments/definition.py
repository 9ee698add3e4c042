"""A dynamic segment's definition: a tree of groups ("all" or "any" of their
conditions) whose leaves are conditions {field, op, value}.

Stored as JSON in Segment.definition. Every field declares the operators it takes and
the shape of their value, so a definition is checked (and its values normalised, e.g.
"Primary care" → "primary_care") once, when it is built, and the compiler can trust it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from crm.errors import InvalidInput
from crm.vocab import PartnerStatus, PartnerType, Tier, Vocabulary

MAX_DEPTH = 4


@dataclass(frozen=True)
class Operator:
    label: str
    value: str  # the kind of value it takes, one of the keys of _PARSERS


@dataclass(frozen=True)
class FieldSpec:
    label: str
    ops: dict[str, Operator]
    vocabulary: type[Vocabulary] | None = None


_IN = {"in": Operator("is any of", "list"), "not_in": Operator("is none of", "list")}
_WORDS = {
    "any": Operator("has any of", "words"),
    "all": Operator("has all of", "words"),
    "none": Operator("has none of", "words"),
}

FIELDS: dict[str, FieldSpec] = {
    "partner_type": FieldSpec("Type", _IN, PartnerType),
    "tier": FieldSpec("Tier", _IN, Tier),
    "status": FieldSpec("Status", _IN, PartnerStatus),
    "territory": FieldSpec("Territory", _IN),
    "owner": FieldSpec(
        "Owner", {"in": Operator("is any of", "ids"), "not_in": Operator("is none of", "ids")}
    ),
    "tags": FieldSpec("Tags", _WORDS),
    "sports": FieldSpec("Sports served", _WORDS),
    "city": FieldSpec("City", _IN),
    "zip": FieldSpec("ZIP", {**_IN, "starts_with": Operator("starts with any of", "list")}),
    "referrals": FieldSpec(
        "Referrals",
        {
            "in_last_days": Operator("referred in the last N days", "days"),
            "none_in_last_days": Operator("not referred in the last N days", "days"),
            "never": Operator("never referred", "none"),
            "per_month_above": Operator("per month above", "rate"),
            "per_month_below": Operator("per month below", "rate"),
        },
    ),
    "last_touch": FieldSpec(
        "Last touch",
        {
            "older_than_days": Operator("older than N days (or never)", "days"),
            "within_days": Operator("within the last N days", "days"),
        },
    ),
    "cadence": FieldSpec(
        "Cadence",
        {
            "enrolled": Operator("enrolled in", "cadence"),
            "not_enrolled": Operator("not enrolled in", "cadence"),
        },
    ),
    "event": FieldSpec(
        "Events",
        {
            "attended_in_last_days": Operator("attended one in the last N days", "days"),
            "none_attended_in_last_days": Operator("attended none in the last N days", "days"),
        },
    ),
}


class Rate(BaseModel):
    """Referrals per month averaged over the last `months` months."""

    model_config = ConfigDict(extra="forbid")

    per_month: float = Field(ge=0)
    months: int = Field(default=12, ge=1, le=120)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise ValueError("expects a list of values")
    return list(value)


def _texts(value: Any, spec: FieldSpec) -> list[str]:
    items = [str(v).strip() for v in _as_list(value) if str(v).strip()]
    if not items:
        raise ValueError("needs at least one value")
    if spec.vocabulary is not None:
        items = [spec.vocabulary.parse(item).value for item in items]
    return sorted(set(items))


def _words(value: Any, _spec: FieldSpec) -> list[str]:
    items = sorted({str(v).strip().lower() for v in _as_list(value) if str(v).strip()})
    if not items:
        raise ValueError("needs at least one word")
    if any("," in item for item in items):
        raise ValueError("a word cannot contain a comma")
    return items


def _ids(value: Any, _spec: FieldSpec) -> list[int]:
    try:
        items = sorted({int(v) for v in _as_list(value)})
    except (TypeError, ValueError):
        raise ValueError("expects user ids") from None
    if not items:
        raise ValueError("needs at least one person")
    return items


def _days(value: Any, _spec: FieldSpec) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("expects a number of days")
    try:
        days = int(value)
    except ValueError:
        raise ValueError("expects a number of days") from None
    if days != float(value) or not 1 <= days <= 36_500:
        raise ValueError("expects a whole number of days from 1 to 36500")
    return days


def _none(value: Any, _spec: FieldSpec) -> None:
    if value not in (None, "", [], {}):
        raise ValueError("takes no value")
    return None


def _rate(value: Any, _spec: FieldSpec) -> dict[str, Any]:
    try:
        return Rate.model_validate(
            value if isinstance(value, dict) else {"per_month": value}
        ).model_dump()
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise ValueError(
            f"expects a rate per month (≥ 0) over 1 to 120 months: {problem['msg']}"
        ) from None


def _cadence(value: Any, _spec: FieldSpec) -> int | None:
    """None means any cadence."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError("expects a cadence id")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError("expects a cadence id") from None


_PARSERS = {
    "list": _texts,
    "words": _words,
    "ids": _ids,
    "days": _days,
    "none": _none,
    "rate": _rate,
    "cadence": _cadence,
}


class Condition(BaseModel):
    """One test on a partner, e.g. {"field": "tier", "op": "in", "value": ["A", "B"]}."""

    model_config = ConfigDict(extra="forbid")

    field: str
    op: str
    value: Any = None

    @model_validator(mode="after")
    def _check(self) -> Condition:
        spec = FIELDS.get(self.field)
        if spec is None:
            raise ValueError(f"unknown field {self.field!r}; expected one of: {', '.join(FIELDS)}")
        operator = spec.ops.get(self.op)
        if operator is None:
            raise ValueError(
                f"{spec.label}: unknown operator {self.op!r}; expected one of: {', '.join(spec.ops)}"
            )
        try:
            self.value = _PARSERS[operator.value](self.value, spec)
        except ValueError as exc:
            message = str(exc).removeprefix("Value error, ")
            raise ValueError(f"{spec.label} {operator.label}: {message}") from None
        return self


def _kind(item: Any) -> str:
    """A dict with a "field" is a condition, anything else a group: so a bad condition
    gets one message about itself, not one per shape it failed to be."""
    has_field = "field" in item if isinstance(item, dict) else isinstance(item, Condition)
    return "condition" if has_field else "group"


Item = Annotated[
    Annotated[Condition, Tag("condition")] | Annotated["Group", Tag("group")], Discriminator(_kind)
]


class Group(BaseModel):
    """All (AND) or any (OR) of its conditions and nested groups."""

    model_config = ConfigDict(extra="forbid")

    match: Literal["all", "any"] = "all"
    conditions: list[Item] = Field(default_factory=list)

    @model_validator(mode="after")
    def _no_empty_nested_groups(self) -> Group:
        for item in self.conditions:
            if isinstance(item, Group) and not item.conditions:
                raise ValueError("a nested group needs at least one condition")
        return self


class SegmentDefinition(Group):
    """The root group. With no conditions it matches every (non-archived) partner."""

    @model_validator(mode="after")
    def _not_too_deep(self) -> SegmentDefinition:
        if _depth(self) > MAX_DEPTH:
            raise ValueError(f"groups may nest at most {MAX_DEPTH} levels deep")
        return self

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SegmentDefinition:
        return cls.model_validate_json(text) if text.strip() else cls()


def _depth(group: Group) -> int:
    nested = [_depth(item) for item in group.conditions if isinstance(item, Group)]
    return 1 + max(nested, default=0)


class InvalidDefinition(InvalidInput):
    """A definition that cannot be evaluated, with one plain sentence per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the segment's conditions are not valid: " + "; ".join(problems))
        self.problems = problems


def parse_definition(raw: SegmentDefinition | dict[str, Any] | str) -> SegmentDefinition:
    """A definition from its model, a dict or JSON text; refused with InvalidDefinition."""
    if isinstance(raw, SegmentDefinition):
        return raw
    try:
        if isinstance(raw, str):
            return SegmentDefinition.from_json(raw)
        return SegmentDefinition.model_validate(raw)
    except ValidationError as exc:
        raise InvalidDefinition([_problem(error) for error in exc.errors()]) from None


def _problem(error: Any) -> str:
    """ "condition 2 of group 1: Tier is any of: unknown value 'D'..." from pydantic's error."""
    where: list[str] = []
    path = list(error["loc"])
    for i, part in enumerate(path):
        if part == "conditions" and i + 1 < len(path) and isinstance(path[i + 1], int):
            nested = i + 2 < len(path) and path[i + 2] == "group"
            where.append(f"{'group' if nested else 'condition'} {path[i + 1] + 1}")
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{' of '.join(reversed(where))}: {message}" if where else message
