"""Errors of identity and access."""

from __future__ import annotations

from opencsp.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class UnknownRole(InvalidInput):
    code = "UnknownRole"
    description = "Unknown role: {role}"


class RoleNotAllowedForTier(InvalidInput):
    code = "RoleNotAllowedForTier"
    description = "The role {role} is not available to organizations of tier {tier}"


class RoleRequiresGlobalAdmin(PermissionDenied):
    description = "Only a Global admin can grant or change the Global admin role"


class InvalidEmail(InvalidInput):
    code = "InvalidEmail"
    description = "Not a valid email address: {email}"


class WeakPassword(InvalidInput):
    code = "WeakPassword"
    description = "The password must have at least {minimum} characters"


class EmailTaken(Conflict):
    code = "EmailTaken"
    description = "A user with the email {email} already exists"


class UserNotFound(NotFound):
    description = "User not found"


class OrganizationNotFound(NotFound):
    description = "Organization not found"


class TokenNotFound(NotFound):
    description = "API token not found"


class CannotDeactivateSelf(InvalidInput):
    code = "CannotDeactivateSelf"
    description = "You cannot deactivate your own user"
