"""The one error hierarchy. Domain modules raise these; ``web/`` maps them to HTTP, ``cli/``
to exit codes and ``console/`` to flash messages, each in one place.

Every error carries a stable ``code``: the Partner Center numeric code where one is
documented (``reference/csp/error-codes.md``), otherwise a stable opencsp name. The
``description`` is a template filled from the keyword arguments given when raised.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[int | str] = 800002
    description: ClassVar[str] = "Invalid request input"

    def __init__(
        self, *, description: str | None = None, data: list[Any] | None = None, **params: Any
    ) -> None:
        self.params = params
        self.data: list[Any] = list(data or [])
        self.message = (description or self.description).format(**params)
        super().__init__(self.message)


class InvalidInput(DomainError):
    """The request is malformed or breaks a rule about its own content (400)."""


class Unauthenticated(DomainError):
    """No usable credentials (401; PC:developer/error-codes.md 800001)."""

    status = 401
    code: ClassVar[int | str] = 800001
    description = "Partner Token missing in request context"


class InvalidCredentials(Unauthenticated):
    """Credentials were given but are wrong, expired or revoked (401; PC code 400)."""

    code: ClassVar[int | str] = 400
    description = "Access denied"


class PermissionDenied(DomainError):
    """The actor's roles lack the permission (403; PC:developer/error-codes.md 900150)."""

    status = 403
    code: ClassVar[int | str] = 900150
    description = "The supplied role doesn't have the rights to perform the requested operation"


class NotFound(DomainError):
    """Absent, or not visible to this actor: the two are indistinguishable by design (404)."""

    status = 404
    code: ClassVar[int | str] = 1000
    description = "Not found"


class Conflict(DomainError):
    status = 409
    code: ClassVar[int | str] = "Conflict"
    description = "The request conflicts with the current state of the resource"


class EtagMismatch(InvalidInput):
    """``If-Match`` carried a stale ETag (PC:developer/error-codes.md 2055)."""

    code: ClassVar[int | str] = 2055
    description = "Etag is no longer valid"


class Throttled(DomainError):
    """Per-tenant rate limit (PC:developer/api-throttling-guidance.md)."""

    status = 429
    code: ClassVar[int | str] = 429
    description = "Rate limit is exceeded. Try again in {retry_after} seconds."

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(retry_after=retry_after)


class Unexpected(DomainError):
    """Anything we did not foresee; the client sees this and never a stack trace."""

    status = 500
    code: ClassVar[int | str] = 800003
    description = "Unexpected service error"
