"""Who may do what. Every domain function that changes data takes an `Actor` and checks
it here, so a role is enforced whatever the caller (page, CLI, scheduler) is."""

from __future__ import annotations

from dataclasses import dataclass

from crm.errors import LiaisonError
from crm.vocab import Role


class PermissionDenied(LiaisonError):
    """The role does not allow the action; the message names the role."""


@dataclass(frozen=True)
class Actor:
    id: int | None
    role: Role
    name: str

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.ADMIN, Role.MARKETER)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


SYSTEM = Actor(id=None, role=Role.ADMIN, name="system")


def require_editor(actor: Actor) -> None:
    if not actor.can_edit:
        raise PermissionDenied(
            f"{actor.name} has the {actor.role.label.lower()} role, which is read-only"
        )


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("only an admin can manage users")
