"""Wire shapes of ``/v1/program/transitions`` (opencsp's own resource, in Partner Center
style: camelCase, ``attributes.objectType``, collections ``{totalCount, items, links,
attributes}``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

from pydantic import AwareDatetime, Field

from opencsp.core.http import Resource, WireModel
from opencsp.program.transition_queries import CustomerLine, ProviderChoice, TransitionView


class TransitionCustomerRead(WireModel):
    customer_id: uuid.UUID
    company_name: str
    consent_by: str | None
    consented_at: datetime | None
    moved_at: datetime | None
    subscriptions: int


class TransitionRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "TierTransition"

    id: uuid.UUID
    partner_id: uuid.UUID
    partner_name: str
    from_tier: str = "direct_bill"
    to_tier: str = "indirect_reseller"
    state: str
    next_step: str
    requested_at: datetime
    approve_by: date
    overdue: bool
    approved_at: datetime | None
    reason: str | None
    agreement_accepted_at: datetime | None
    provider_id: uuid.UUID | None
    provider_name: str | None
    provider_chosen_at: datetime | None
    effective_period: str | None
    completed_at: datetime | None
    missing_consents: int
    customers: list[TransitionCustomerRead]


class ProviderRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "IndirectProvider"

    id: uuid.UUID
    name: str
    country: str | None
    mpn_id: str | None


class RejectIn(WireModel):
    reason: str = Field(default="", max_length=4000)


class ProviderIn(WireModel):
    provider_id: uuid.UUID


class ConsentIn(WireModel):
    customer_id: uuid.UUID
    consent_by: str = Field(max_length=4000)
    consented_at: AwareDatetime | None = None


def customer_read(line: CustomerLine) -> TransitionCustomerRead:
    return TransitionCustomerRead(
        customer_id=line.customer_id,
        company_name=line.company_name,
        consent_by=line.consent_by,
        consented_at=line.consented_at,
        moved_at=line.moved_at,
        subscriptions=line.subscriptions,
    )


def transition_read(view: TransitionView) -> TransitionRead:
    t = view.transition
    return TransitionRead(
        id=t.id,
        partner_id=t.organization_id,
        partner_name=view.partner_name,
        state=t.state,
        next_step=view.next_step,
        requested_at=t.requested_at,
        approve_by=t.approve_by,
        overdue=view.overdue,
        approved_at=t.approved_at,
        reason=t.reason,
        agreement_accepted_at=t.agreement_accepted_at,
        provider_id=t.provider_id,
        provider_name=view.provider_name,
        provider_chosen_at=t.provider_chosen_at,
        effective_period=t.effective_period,
        completed_at=t.completed_at,
        missing_consents=len(view.missing),
        customers=[customer_read(c) for c in view.customers],
    )


def provider_read(choice: ProviderChoice) -> ProviderRead:
    return ProviderRead(
        id=choice.organization_id,
        name=choice.name,
        country=choice.country,
        mpn_id=str(choice.location_partner_id) if choice.location_partner_id else None,
    )
