"""Tables of notifications.

- ``notifications``: the in-console inbox of an organization. ``kind`` names the message
  (its subject and body are translated at display from ``kind`` and ``params``, so each
  reader sees it in the console's language); ``key`` is unique, so the same decision
  notified twice (a retried request, a re-run job) is one message. ``read_at`` is set
  when a user of the organization opens it.

E-mail copies are ``core.outbox`` messages of topic ``email`` keyed by the notification
key and the address.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from opencsp.core.db import Base
from opencsp.core.types import UTCDateTime


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_notifications_inbox", "organization_id", "created_at"),)
