"""The audit record table. Rows are append-only: the ORM refuses updates and deletes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, Uuid, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from opencsp.core.db import Base
from opencsp.core.types import UTCDateTime


class AuditRecord(Base):
    __tablename__ = "audit_records"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    partner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    user_principal_name: Mapped[str | None] = mapped_column(String(320))
    application_id: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    customer_name: Mapped[str | None] = mapped_column(String(256))
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(128))
    operation_type: Mapped[str] = mapped_column(String(96))
    operation_status: Mapped[str] = mapped_column(String(16))
    operation_date: Mapped[datetime] = mapped_column(UTCDateTime())
    original_correlation_id: Mapped[str | None] = mapped_column(String(64))
    resource_old_value: Mapped[str | None] = mapped_column(Text)
    resource_new_value: Mapped[str | None] = mapped_column(Text)
    customized_data: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    __table_args__ = (
        Index("ix_audit_records_partner_date", "partner_id", "operation_date"),
        Index("ix_audit_records_operation_date", "operation_date"),
    )


class AuditRecordImmutable(RuntimeError):
    """Raised on any attempt to change or delete an audit record through the ORM."""


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditRecord) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditRecordImmutable("audit records are append-only")
