"""Revenue test rows (``reporting``): the commerce scene with an indirect subscription
(provider billed, reseller of record), a perpetual purchase and a software subscription
through the same reseller, and a direct-bill partner's subscription; helpers that issue a month's
documents and mark them paid, and set a month's FX rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing.models import Invoice
from opencsp.catalog.rules import ProductType
from opencsp.pricing.models import FxRate
from opencsp.subscriptions.models import Subscription
from tests.factories import billing
from tests.factories.catalog import Offer
from tests.factories.commerce import Scene, scene, subscription


@dataclass(frozen=True)
class RevenueScene:
    s: Scene
    indirect: Subscription  # provider billed, reseller of record, OnlineServicesNCE
    perpetual: Subscription  # the same, perpetual software
    software: Subscription  # the same, a software subscription
    direct: Subscription  # billed to the direct-bill partner


def settle(session: Session, period: date, *, short_by: int = 0) -> list[Invoice]:
    """Issue ``period``'s documents and record each invoice as paid (less ``short_by``
    minor units); credit notes are left as issued."""
    billing.issue(session, period)
    docs = list(session.scalars(select(Invoice).where(Invoice.period == period)))
    for doc in docs:
        if doc.document_type == "invoice":
            doc.paid_minor = doc.total_minor - short_by
    session.flush()
    return docs


def fx(session: Session, month: date, currency: str, rate: str) -> None:
    session.add(
        FxRate(
            month=month,
            currency=currency,
            usd_per_unit=Decimal(rate),
            imported_at=datetime(2020, 1, 1, tzinfo=UTC),
        )
    )
    session.flush()


def revenue_scene(session: Session) -> RevenueScene:
    s = scene(session)

    def resold(item: Offer, quantity: int) -> Subscription:
        return subscription(
            session,
            s.indirect_customer,
            s.provider,
            item,
            quantity=quantity,
            reseller=s.reseller,
            reseller_mpn_id=s.reseller_mpn_id,
        )

    indirect = resold(s.offer, 10)
    perpetual = resold(s.perpetual, 2)
    software = resold(s.offer, 1)
    software.product_type = ProductType.SOFTWARE_SUBSCRIPTIONS.value
    direct = subscription(session, s.direct_customer, s.direct, s.offer, quantity=4)
    session.flush()
    return RevenueScene(s, indirect, perpetual, software, direct)
