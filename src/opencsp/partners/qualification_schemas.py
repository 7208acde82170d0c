"""Wire shape of a partner's segment qualification (``/v1/program/partnerqualifications``;
opencsp's own, in Partner Center's conventions)."""

from __future__ import annotations

import uuid
from datetime import datetime

from opencsp.core.http import Resource, WireModel
from opencsp.partners.models import PartnerProfile, PartnerQualification


class PartnerQualificationCreate(WireModel):
    segment: str | None = None


class PartnerQualificationRead(Resource):
    OBJECT_TYPE = "PartnerQualification"

    organization_id: uuid.UUID
    company_name: str
    segment: str
    status: str
    requested_at: datetime
    decided_at: datetime | None = None
    reason: str | None = None

    @classmethod
    def of(cls, row: PartnerQualification, profile: PartnerProfile) -> PartnerQualificationRead:
        return cls(
            organization_id=row.organization_id,
            company_name=profile.company_name,
            segment=row.segment,
            status=row.status,
            requested_at=row.requested_at,
            decided_at=row.decided_at,
            reason=row.reason,
        )
