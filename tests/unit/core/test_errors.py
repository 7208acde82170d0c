"""The error hierarchy: every error has an HTTP status and a stable code, and its
description template is filled from the keyword arguments it was raised with."""

from __future__ import annotations

import re
from string import Formatter

import pytest

import opencsp.auth.errors
import opencsp.core.errors
import opencsp.core.money
import opencsp.core.pagination
from opencsp.core.errors import (
    Conflict,
    DomainError,
    EtagMismatch,
    InvalidCredentials,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Throttled,
    Unauthenticated,
    Unexpected,
)
from opencsp.core.money import Currency, CurrencyMismatch, UnknownCurrency

# The foundation's modules whose errors are checked here (other domains test their own):
# a fixed list, so the cases do not depend on what else the run happened to import.
FOUNDATION = {
    module.__name__
    for module in (
        opencsp.core.errors,
        opencsp.core.money,
        opencsp.core.pagination,
        opencsp.auth.errors,
    )
}

HTTP_STATUSES = {400, 401, 403, 404, 409, 412, 429, 500}


def all_errors() -> list[type[DomainError]]:
    found: list[type[DomainError]] = []
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(
        {cls for cls in found if cls.__module__ in FOUNDATION},
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


ERRORS = all_errors()
PLAIN = [cls for cls in ERRORS if cls.__init__ is DomainError.__init__]


def placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(template) if name]


def test_the_foundation_errors_are_all_found() -> None:
    names = {cls.__name__ for cls in ERRORS}

    assert {"UnknownCurrency", "InvalidContinuationToken", "WeakPassword", "Throttled"} <= names


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_has_a_status_a_stable_code_and_a_description(cls: type[DomainError]) -> None:
    assert cls.status in HTTP_STATUSES
    if isinstance(cls.code, str):
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", cls.code)
    else:
        assert isinstance(cls.code, int)
        assert cls.code > 0
    assert cls.description.strip()


@pytest.mark.parametrize("cls", PLAIN, ids=lambda c: c.__name__)
def test_the_description_template_fills_from_keyword_arguments(cls: type[DomainError]) -> None:
    # given a value for every placeholder of the template
    params = {name: f"<{name}>" for name in placeholders(cls.description)}

    # when raised with them
    error = cls(**params)

    # then each value appears in the message and no placeholder is left
    for value in params.values():
        assert value in error.message
    assert "{" not in error.message
    assert str(error) == error.message
    assert error.params == params


# Codes and texts of PC:developer/error-codes.md (reference/csp/error-codes.md).
@pytest.mark.parametrize(
    ("cls", "status", "code", "message"),
    [
        (InvalidInput, 400, 800002, "Invalid request input"),
        (Unauthenticated, 401, 800001, "Partner Token missing in request context"),
        (InvalidCredentials, 401, 400, "Access denied"),
        (
            PermissionDenied,
            403,
            900150,
            "The supplied role doesn't have the rights to perform the requested operation",
        ),
        (NotFound, 404, 1000, "Not found"),
        (EtagMismatch, 400, 2055, "Etag is no longer valid"),
        (Unexpected, 500, 800003, "Unexpected service error"),
        (Conflict, 409, "Conflict", "The request conflicts with the current state of the resource"),
    ],
)
def test_base_errors_carry_the_documented_partner_center_codes(
    cls: type[DomainError], status: int, code: int | str, message: str
) -> None:
    error = cls()

    assert (error.status, error.code, error.message) == (status, code, message)


def test_errors_with_their_own_arguments_fill_their_templates() -> None:
    throttled = Throttled(57)

    assert throttled.message == "Rate limit is exceeded. Try again in 57 seconds."
    assert throttled.retry_after == 57
    assert UnknownCurrency("ZZZ").message == "Unknown ISO 4217 currency code: ZZZ"
    mismatch = CurrencyMismatch(Currency("USD"), Currency("KRW"))
    assert mismatch.message == "Cannot combine amounts in USD and KRW"


def test_a_description_given_when_raised_replaces_the_template_and_data_is_kept() -> None:
    error = InvalidInput(description="Quantity {qty} is too high", data=["quantity"], qty=5)

    assert error.message == "Quantity 5 is too high"
    assert error.data == ["quantity"]
    assert error.code == 800002


def test_subclasses_inherit_status_from_their_family() -> None:
    assert issubclass(InvalidCredentials, Unauthenticated)
    assert issubclass(UnknownCurrency, InvalidInput)
    assert issubclass(opencsp.auth.errors.RoleRequiresGlobalAdmin, PermissionDenied)
    assert opencsp.auth.errors.RoleRequiresGlobalAdmin.status == 403
    assert opencsp.auth.errors.EmailTaken.status == 409
