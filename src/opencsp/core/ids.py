"""Identifiers as Partner Center has them: tenants, users and subscriptions are GUIDs."""

from __future__ import annotations

import secrets
import uuid


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def parse_guid(value: str) -> uuid.UUID | None:
    """A GUID in any of its usual spellings, or None."""
    try:
        return uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        return None


def new_secret(nbytes: int = 32) -> str:
    """URL-safe random secret for tokens, sessions and single-use links."""
    return secrets.token_urlsafe(nbytes)
