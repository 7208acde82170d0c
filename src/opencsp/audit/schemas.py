"""Partner Center's AuditRecord (PC:developer/auditing-resources.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import Field

from opencsp.core.http import Resource, WireModel


class KeyValue(WireModel):
    key: str
    value: str


class AuditRecordRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "AuditRecord"

    id: uuid.UUID
    partner_id: uuid.UUID
    customer_id: uuid.UUID | None = None
    customer_name: str | None = None
    user_principal_name: str | None = None
    application_id: str | None = None
    resource_type: str
    resource_old_value: str | None = None
    resource_new_value: str | None = None
    operation_type: str
    original_correlation_id: str | None = None
    operation_date: datetime
    operation_status: str
    customized_data: list[KeyValue] = Field(default_factory=list)
