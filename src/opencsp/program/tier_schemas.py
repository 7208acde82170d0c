"""Wire shapes of the vendor's tier change (``/v1/program/partners/{orgId}/tier``),
opencsp's own in Partner Center's conventions (camelCase, ``attributes.objectType``)."""

from __future__ import annotations

import uuid

from opencsp.core.http import Resource, WireModel
from opencsp.program.tier_change import HeldCustomer, Named, TierChanged, TierEffect


class NamedRead(WireModel):
    id: uuid.UUID
    name: str

    @classmethod
    def of(cls, named: Named) -> NamedRead:
        return cls(id=named.id, name=named.name)


class HeldCustomerRead(WireModel):
    id: uuid.UUID
    company_name: str
    reseller: NamedRead | None = None

    @classmethod
    def of(cls, held: HeldCustomer) -> HeldCustomerRead:
        return cls(
            id=held.id,
            company_name=held.name,
            reseller=NamedRead.of(held.reseller) if held.reseller else None,
        )


class BlockerRead(WireModel):
    code: int | str
    description: str


class TierEffectsRead(WireModel):
    partnerships_ending: list[NamedRead]
    providers: list[NamedRead]
    customer_relationships_ending: list[HeldCustomerRead]
    customers_kept: list[HeldCustomerRead]
    active_subscriptions: int
    order_requests_declined: list[HeldCustomerRead]


class TierPreviewRead(Resource):
    """What the change would do; confirm it with ``PUT`` and this ``fingerprint``."""

    OBJECT_TYPE = "TierChangePreview"

    organization_id: uuid.UUID
    company_name: str
    current_tier: str
    target_tier: str
    can_confirm: bool
    blockers: list[BlockerRead]
    effects: TierEffectsRead
    fingerprint: str

    @classmethod
    def of(cls, effect: TierEffect) -> TierPreviewRead:
        return cls(
            organization_id=effect.organization.id,
            company_name=effect.organization.name,
            current_tier=effect.current.value,
            target_tier=effect.target.value,
            can_confirm=effect.can_confirm,
            blockers=[BlockerRead(code=b.code, description=b.description) for b in effect.blockers],
            effects=TierEffectsRead(
                partnerships_ending=[NamedRead.of(n) for n in effect.partnerships_ending],
                providers=[NamedRead.of(n) for n in effect.providers],
                customer_relationships_ending=[
                    HeldCustomerRead.of(c) for c in effect.customers_ending
                ],
                customers_kept=[HeldCustomerRead.of(c) for c in effect.customers_kept],
                active_subscriptions=len(effect.subscriptions),
                order_requests_declined=[HeldCustomerRead.of(c) for c in effect.order_requests],
            ),
            fingerprint=effect.fingerprint,
        )


class TierChangeConfirm(WireModel):
    tier: str | None = None
    fingerprint: str | None = None


class TierChangedRead(Resource):
    OBJECT_TYPE = "TierChange"

    organization_id: uuid.UUID
    tier: str
    partnerships_ended: int
    customer_relationships_ended: int
    order_requests_declined: int

    @classmethod
    def of(cls, changed: TierChanged) -> TierChangedRead:
        return cls(
            organization_id=changed.organization.id,
            tier=changed.organization.tier,
            partnerships_ended=len(changed.effect.partnerships_ending),
            customer_relationships_ended=len(changed.effect.customers_ending),
            order_requests_declined=len(changed.effect.order_requests),
        )
