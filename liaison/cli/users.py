from __future__ import annotations

import os

import typer

from crm import clock
from crm.access import SYSTEM
from crm.db import session_scope
from crm.errors import LiaisonError
from crm.users import UserError, create_user, ensure_first_admin, list_users, update_user
from crm.vocab import Role
from liaison.cli.common import engine, fail, load_settings

users_app = typer.Typer(no_args_is_help=True, help="People who sign in to Liaison.")


@users_app.command("add")
def add(
    email: str,
    role: str = typer.Option(..., "--role", help="admin, marketer or viewer"),
    name: str = typer.Option("", "--name"),
    password: str = typer.Option(
        None,
        "--password",
        envvar="LIAISON_NEW_USER_PASSWORD",
        help="Prompted for when not given (or set LIAISON_NEW_USER_PASSWORD).",
    ),
) -> None:
    """Add a user who can sign in to the app."""
    try:
        Role.parse(role)
    except LiaisonError as exc:
        raise fail(str(exc), 2) from None
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with session_scope(engine()) as session:
            user = create_user(session, SYSTEM, email, role, password, clock.now(), name=name)
            typer.echo(f"added {user.email} ({user.role})")
    except LiaisonError as exc:
        raise fail(str(exc)) from None


@users_app.command("list")
def list_() -> None:
    """Everyone with an account, with role and whether active."""
    with session_scope(engine()) as session:
        for user in list_users(session):
            state = "active" if user.active else "inactive"
            typer.echo(f"{user.email}\t{user.role}\t{state}\t{user.name}")


@users_app.command("set-password")
def set_password(email: str) -> None:
    """Set a new password (also clears a lockout)."""
    password = os.environ.get("LIAISON_NEW_USER_PASSWORD") or typer.prompt(
        "New password", hide_input=True, confirmation_prompt=True
    )
    with session_scope(engine()) as session:
        match = [u for u in list_users(session) if u.email == email.strip().lower()]
        if not match:
            raise fail(f"no user {email}")
        try:
            update_user(session, SYSTEM, match[0].id, clock.now(), password=password)
        except UserError as exc:
            raise fail(str(exc)) from None
    typer.echo("password changed")


@users_app.command("ensure-admin")
def ensure_admin() -> None:
    """Create the first admin when there are no users (from LIAISON_ADMIN_EMAIL and
    LIAISON_ADMIN_PASSWORD, or with a one-time password printed here)."""
    settings = load_settings()
    with session_scope(engine()) as session:
        generated = ensure_first_admin(
            session, settings.admin_email, settings.admin_password, clock.now()
        )
    if generated:
        email = settings.admin_email or "admin@example.com"
        typer.secho(
            f"Created the first admin: sign in as {email} with the one-time password {generated}",
            fg=typer.colors.YELLOW,
        )


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
