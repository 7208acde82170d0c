"""Errors of the audit log."""

from __future__ import annotations

from opencsp.core.errors import InvalidInput


class InvalidAuditWindow(InvalidInput):
    code = "InvalidAuditWindow"
    description = "Invalid audit date window"


class InvalidAuditFilter(InvalidInput):
    code = "InvalidAuditFilter"
    description = (
        "filter must be JSON with Field CompanyName (substring), CustomerId (equals) or "
        "ResourceType (equals)"
    )
