"""What every CLI command shares: one unit of work per command acting as the operator
(the system actor, for the vendor), and the one mapping from domain errors to exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from opencsp.auth import service as auth_service
from opencsp.core.actor import Actor
from opencsp.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from opencsp.core.uow import unit_of_work

T = TypeVar("T")
out = Console()
err = Console(stderr=True)

EXIT_CODES: list[tuple[type[DomainError], int]] = [
    (InvalidInput, 2),
    (NotFound, 3),
    (PermissionDenied, 4),
    (Conflict, 5),
]


def exit_code_for(exc: DomainError) -> int:
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return code
    return 1


@contextmanager
def operator() -> Iterator[tuple[Session, Actor]]:
    """A unit of work as the system actor; a domain error prints and exits non-zero."""
    try:
        with unit_of_work() as session:
            yield session, auth_service.system_actor(session)
    except DomainError as exc:
        err.print(f"[red]error[/red] {exc.code}: {exc.message}")
        raise typer.Exit(exit_code_for(exc)) from exc


def run_as_operator(work: Callable[[Session, Actor], T]) -> T:
    with operator() as (session, actor):
        return work(session, actor)


def is_interactive() -> bool:
    return sys.stdout.isatty()
