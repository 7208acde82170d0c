"""Building blocks for each domain's one ``visible(actor)`` function.

The vendor sees every record of the program; a partner sees the records its organization
owns (later domains widen this along provider → reseller → customer ties). Records outside
an actor's scope are 404, never 403 (DESIGN §5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, true

from opencsp.core.actor import Actor


def owned_by(actor: Actor, *organization_columns: Any) -> ColumnElement[bool]:
    """True for rows whose owning-organization column (any of them) is the actor's
    organization; true for every row when the actor is the vendor."""
    if actor.is_vendor:
        return true()
    if not organization_columns:
        return false()
    return or_(*(column == actor.organization_id for column in organization_columns))
