"""Users of one's own organization: the list with roles and status for anyone with Users
read; creating users, changing roles and (de)activating them with Users manage.

The roles offered are those the organization's tier may hold (``auth.rules``); the
service still decides, so a forged form cannot grant what the page does not offer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from opencsp.auth import queries, service
from opencsp.auth.errors import UserNotFound
from opencsp.auth.models import User
from opencsp.auth.rules import Role, parse_role, roles_for_tier
from opencsp.console import rendering, session
from opencsp.console.feedback import done, notice, on_error
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core.actor import Perm

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.USERS_READ)]
Manager = Annotated[Visit, allowed(Perm.USERS_MANAGE, post=True)]


def role_choices(visit: Visit) -> list[str]:
    """The tier's roles, in the order Partner Center lists them."""
    offered = roles_for_tier(visit.actor.tier)
    return [role.value for role in Role if role in offered]


def _roles(form: FormData) -> list[Role]:
    return [parse_role(value) for value in form.getlist("roles") if isinstance(value, str)]


def _text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""


def _rows(request: Request, visit: Visit) -> list[dict[str, Any]]:
    users: Sequence[User] = queries.list_organization_users(
        db(request), visit.actor, visit.actor.organization_id
    )
    roles = queries.roles_by_user(db(request), [u.id for u in users])
    return [{"user": u, "roles": roles[u.id]} for u in users]


def users_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    form: FormData | None = session.state(request, "console_form")
    failed_create = error is not None and request.url.path == "/users"
    context = {
        "rows": _rows(request, visit),
        "role_choices": role_choices(visit),
        "can_manage": visit.actor.can(Perm.USERS_MANAGE),
        "error": error,
        "notice": notice(request),
        # a failed creation keeps what was typed, except the password
        "draft": {
            "email": _text(form, "email") if failed_create else "",
            "display_name": _text(form, "display_name") if failed_create else "",
            "roles": form.getlist("roles") if failed_create and form is not None else [],
        },
    }
    return rendering.render(request, "users.html", context, status=status)


def _row(request: Request, visit: Visit, user: User) -> Response:
    """One row again, for htmx; a plain form goes back to the list."""
    roles = queries.roles_of(db(request), user.id)
    context = {
        "row": {"user": user, "roles": roles},
        "role_choices": role_choices(visit),
        "can_manage": True,
    }
    return rendering.render(request, "partials/user_row.html", context)


# A failed change shows the list again, with the message, to whoever may read it.
RESHOW = [on_error(users_view, shown_with=Perm.USERS_READ)]


@router.get("/users")
def list_users(request: Request, visit: Reader) -> Response:
    return users_view(request)


@router.post("/users", dependencies=RESHOW)
def create_user(request: Request, visit: Manager) -> Response:
    form: FormData = request.state.console_form
    service.create_user(
        db(request),
        visit.actor,
        organization_id=visit.actor.organization_id,
        email=_text(form, "email"),
        display_name=_text(form, "display_name"),
        roles=_roles(form),
        password=_text(form, "password"),
    )
    return done("/users", "user_created")


@router.post("/users/{user_id}/roles", dependencies=RESHOW)
def change_roles(request: Request, user_id: str, visit: Manager) -> Response:
    form: FormData = request.state.console_form
    user = service.set_roles(db(request), visit.actor, path_id(user_id, UserNotFound), _roles(form))
    if session.is_htmx(request):
        return _row(request, visit, user)
    return done("/users", "roles_saved")


def _set_active(request: Request, visit: Visit, user_id: str, *, active: bool) -> Response:
    user = service.set_active(
        db(request), visit.actor, path_id(user_id, UserNotFound), active=active
    )
    if session.is_htmx(request):
        return _row(request, visit, user)
    return done("/users", "user_activated" if active else "user_deactivated")


@router.post("/users/{user_id}/activate", dependencies=RESHOW)
def activate(request: Request, user_id: str, visit: Manager) -> Response:
    return _set_active(request, visit, user_id, active=True)


@router.post("/users/{user_id}/deactivate", dependencies=RESHOW)
def deactivate(request: Request, user_id: str, visit: Manager) -> Response:
    return _set_active(request, visit, user_id, active=False)
