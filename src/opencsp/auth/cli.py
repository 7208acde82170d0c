"""``opencsp orgs``, ``opencsp users`` and ``opencsp tokens``: run by the operator at the
machine (the system actor, acting for the vendor)."""

from __future__ import annotations

import uuid

import typer
from rich.table import Table

from opencsp.auth import credentials, queries, service
from opencsp.auth.rules import parse_role
from opencsp.cli.support import operator, out
from opencsp.core.actor import Tier

orgs_app = typer.Typer(
    help="Organizations: the vendor and partners.", no_args_is_help=True, add_completion=False
)
users_app = typer.Typer(help="Users and their roles.", no_args_is_help=True, add_completion=False)
tokens_app = typer.Typer(
    help="API tokens: create (shown once), revoke.", no_args_is_help=True, add_completion=False
)


@orgs_app.command("create")
def create_org(
    name: str = typer.Option(..., help="Legal name."),
    tier: Tier = typer.Option(..., help="direct_bill, indirect_provider or indirect_reseller."),
    country: str = typer.Option(None, help="ISO 3166 two-letter country code."),
) -> None:
    """Register a partner organization (identity and tier)."""
    with operator() as (session, actor):
        org = service.create_organization(session, actor, name=name, tier=tier, country=country)
        out.print(f"{org.id}\t{org.name}\t{org.tier}")


@orgs_app.command("list")
def list_orgs() -> None:
    with operator() as (session, actor):
        table = Table("id", "name", "tier", "country")
        for org in session.scalars(queries.visible_organizations(actor)):
            table.add_row(str(org.id), org.name, org.tier, org.country or "")
        out.print(table)


@users_app.command("create")
def create_user(
    email: str = typer.Option(..., help="Sign-in email."),
    role: list[str] = typer.Option(..., "--role", help="Role, repeatable (e.g. global_admin)."),
    org: uuid.UUID = typer.Option(None, help="Organization id; the vendor when omitted."),
    name: str = typer.Option("", help="Display name."),
    password: str = typer.Option(
        None, help="Console password; prompted when omitted on a terminal.", show_default=False
    ),
    no_password: bool = typer.Option(False, "--no-password", help="API-only user."),
) -> None:
    """Create a user (the vendor's when --org is omitted)."""
    if password is None and not no_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with operator() as (session, actor):
        user = service.create_user(
            session,
            actor,
            organization_id=org or actor.organization_id,
            email=email,
            display_name=name,
            roles=[parse_role(r) for r in role],
            password=password,
        )
        out.print(f"{user.id}\t{user.email}")


@users_app.command("list")
def list_users() -> None:
    with operator() as (session, actor):
        users = queries.list_users(session, actor)
        roles = queries.roles_by_user(session, [u.id for u in users])
        table = Table("id", "email", "organization", "roles", "active")
        for u in users:
            table.add_row(
                str(u.id),
                u.email,
                str(u.organization_id),
                ", ".join(roles[u.id]),
                "yes" if u.is_active else "no",
            )
        out.print(table)


@tokens_app.command("create")
def create_token(
    email: str = typer.Option(..., help="The user the token acts as."),
    name: str = typer.Option("cli", help="A label to recognise the token by."),
) -> None:
    """Issue an API token. The secret is printed once and never stored."""
    with operator() as (session, actor):
        user = queries.user_by_email(session, email.strip().lower())
        if user is None:
            out.print(f"no user {email}")
            raise typer.Exit(3)
        issued = credentials.create_token(session, actor, user.id, name)
        token_id = issued.token.id
        secret = issued.secret
    out.print(f"token id {token_id}")
    out.print(secret, soft_wrap=True)


@tokens_app.command("revoke")
def revoke_token(token_id: uuid.UUID = typer.Argument(..., help="Token id.")) -> None:
    with operator() as (session, actor):
        credentials.revoke_token(session, actor, token_id)
        out.print(f"revoked {token_id}")
