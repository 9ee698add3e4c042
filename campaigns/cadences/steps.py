"""What a cadence step may say: its action, its email template and the variables the
template gets, checked when the marketer saves the step rather than when an email
fails to render at 09:00 on a Monday.

A template's variables come from two places. The recipient's own (their first name,
the partner's name, the liaison who signs, the partner's sports) are built for each
recipient from their rows; the rest (an update's headline, a resource link) are the
same for everyone and are typed on the step."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from campaigns import post
from crm.vocab import ContactRole, StepAction

RECIPIENT_VARIABLES = frozenset(
    {"contact_first_name", "partner_name", "sender_name", "sport_names"}
)


def cadence_templates() -> list[str]:
    """Marketing templates for partners: a cadence never sends a transactional email
    (those skip the cap and the window) nor a patient's."""
    return post.office().template_names(audience="partner", kind="marketing", in_cadences=True)


def step_variables(template: str) -> list[str]:
    """The template's variables typed once on the step, in declaration order."""
    return [
        name
        for name in post.office().template_variables(template)
        if name not in RECIPIENT_VARIABLES
    ]


class StepDraft(BaseModel):
    """One step as a marketer edits it; `id` is set for a step that already exists."""

    model_config = ConfigDict(str_strip_whitespace=True)

    id: int | None = None
    action: StepAction
    template: str = ""
    contact_roles: list[ContactRole] = Field(default_factory=list)
    offset_days: int = Field(default=0, ge=0, le=260)
    offset_from: Literal["previous", "enrolment"] = "previous"
    title: str = Field(default="", max_length=200)
    instructions: str = Field(default="", max_length=5000)
    template_values: dict[str, str] = Field(default_factory=dict)

    @field_validator("contact_roles", mode="before")
    @classmethod
    def _roles(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _email_needs_what_it_sends(self) -> StepDraft:
        if self.action != StepAction.EMAIL:
            self.template, self.contact_roles, self.template_values = "", [], {}
            return self
        if self.template not in cadence_templates():
            raise ValueError(
                f"choose an email template for the step (one of {', '.join(cadence_templates())})"
            )
        if not self.contact_roles:
            raise ValueError("choose which contacts the email goes to (their roles)")
        wanted = step_variables(self.template)
        missing = [name for name in wanted if not self.template_values.get(name, "").strip()]
        if missing:
            raise ValueError(f"fill in {', '.join(missing)} for the {self.template} email")
        self.template_values = {name: self.template_values[name].strip() for name in wanted}
        return self

    def row_values(self) -> dict[str, object]:
        """The CadenceStep columns this draft sets."""
        return {
            "action": self.action.value,
            "template": self.template,
            "contact_roles": ",".join(role.value for role in self.contact_roles),
            "offset_days": self.offset_days,
            "offset_from": self.offset_from,
            "title": self.title,
            "instructions": self.instructions,
            "template_values": json.dumps(self.template_values, sort_keys=True)
            if self.template_values
            else "",
        }


def roles_of(stored: str) -> frozenset[str]:
    return frozenset(part for part in stored.split(",") if part)


def values_of(stored: str) -> dict[str, str]:
    return json.loads(stored) if stored else {}
