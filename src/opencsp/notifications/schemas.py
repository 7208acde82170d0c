"""Wire shapes of the inbox (an opencsp resource in Partner Center's style: camelCase,
``attributes.objectType``, collections with ``continuationToken``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from opencsp.core.http import Attributes, WireModel
from opencsp.notifications.messages import render
from opencsp.notifications.models import Notification


class NotificationRead(WireModel):
    id: uuid.UUID
    kind: str
    subject: str
    body: str
    params: dict[str, Any]
    created_at: datetime
    read_at: datetime | None = None
    is_read: bool = False
    attributes: Attributes = Field(default_factory=lambda: Attributes(object_type="Notification"))

    @classmethod
    def of(cls, row: Notification, language: str | None) -> NotificationRead:
        """The message rendered in ``language`` (``X-Locale``; English by default)."""
        text = render(row.kind, dict(row.params or {}), language)
        return cls(
            id=row.id,
            kind=row.kind,
            subject=text.subject,
            body=text.body,
            params=dict(row.params or {}),
            created_at=row.created_at,
            read_at=row.read_at,
            is_read=row.read_at is not None,
        )
